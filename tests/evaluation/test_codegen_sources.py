"""Every data source × the Python export: the script trains on a backend other than the spec's and saves its model.

The model of each case is fitted to the data's shape (read with the keras-free loaders), so a case tests the
script's data path, model and training loop rather than a hand-made architecture.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from studio.core.spec import parse_spec
from studio.data.loaders import data_shape, load

pytestmark = pytest.mark.slow  # generating a script imports keras (the generator builds the model to check it)

ROOT = Path(__file__).resolve().parents[2]
FILES = ROOT / "tests" / "data" / "files"


def generate(spec):
    """The script of `spec`. The code generator imports keras (it builds the model to check it), so it is
    loaded on first use, on JAX (the quickest to import), rather than while the suite is collected."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    from studio.engine.codegen import generate as codegen

    return codegen(spec)


def _blocks(shape: tuple[int, ...], task: str, classes: int) -> list[dict]:
    blocks = [{"id": "inp", "type": "Input", "params": {"shape": list(shape)}}]
    if len(shape) > 1:
        blocks.append({"id": "flat", "type": "Flatten"})
    blocks.append({"id": "hidden", "type": "Dense", "params": {"units": 4, "activation": "relu"}})
    head = {"units": classes, "activation": "softmax"} if task == "classification" else {"units": 1}
    blocks.append({"id": "out", "type": "Dense", "params": head})
    return blocks


def case_spec(data: dict, backend: str = "tensorflow", **training) -> dict:
    spec = {"meta": {"title": "Export case"}, "data": {"validation_split": 0.2, **data},
            "model": {"blocks": []},
            "optimizer": {"name": "adam", "learning_rate": 0.01,
                          "schedule": {"name": "cosine", "params": {"warmup_epochs": 0.5}}},
            "regularization": {"early_stopping": {"monitor": "val_loss", "patience": 2}},
            "training": {"epochs": 1, "batch_size": 16, "backend": backend, "seed": 4, **training}}
    shape = data_shape(parse_spec(spec).data, 4)
    spec["model"]["blocks"] = _blocks(shape.input_shape, shape.task, shape.num_classes)
    spec["training"]["metrics"] = ["accuracy"] if shape.task == "classification" else ["mae"]
    return spec


def run_script(spec: dict, tmp: Path, backend: str, *args: str) -> subprocess.CompletedProcess:
    script = tmp / "run.py"
    script.write_text(generate(parse_spec(spec)), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the script needs no Keras Studio
    env.update(KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3", JAX_PLATFORMS="cpu", CUDA_VISIBLE_DEVICES="-1")
    return subprocess.run([sys.executable, str(script), *args], cwd=tmp, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def _series_csv(tmp: Path) -> Path:
    t = np.arange(120)
    values = [f"{v:.4f}" for v in np.sin(t / 6.0) * 10 + t * 0.1]
    values[17] = ""  # a gap: filled by interpolation
    path = tmp / "series.csv"
    path.write_text("day,level\n" + "\n".join(f"{i},{v}" for i, v in enumerate(values)) + "\n")
    return path


def _inline() -> dict:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).round(3)
    return {"source": "inline", "params": {"x": x.tolist(), "y": [int(v) for v in x[:, 0] > 0]}}


SOURCES = {
    "optimization_lab": lambda tmp: {"source": "optimization_lab", "validation_split": 0.0},
    "iris": lambda tmp: {"source": "iris", "normalize": "standard", "test_split": 0.2},
    "wine": lambda tmp: {"source": "wine", "normalize": "minmax"},
    "breast_cancer": lambda tmp: {"source": "breast_cancer", "normalize": "standard"},
    "diabetes": lambda tmp: {"source": "diabetes", "normalize": "standard"},
    "digits images": lambda tmp: {"source": "digits", "params": {"upscale": 2}},
    "digits table": lambda tmp: {"source": "digits", "params": {"as_images": False}},
    "moons": lambda tmp: {"source": "moons", "params": {"n_samples": 120}},
    "circles": lambda tmp: {"source": "circles", "params": {"n_samples": 120}},
    "blobs": lambda tmp: {"source": "blobs", "params": {"n_samples": 120, "n_features": 3, "centers": 3}},
    "spirals": lambda tmp: {"source": "spirals", "params": {"n_samples": 150, "classes": 3}},
    "sine": lambda tmp: {"source": "sine", "params": {"length": 200, "window": 12, "relative": True},
                         "normalize": "standard", "test_split": 0.1},
    "co2": lambda tmp: {"source": "co2", "params": {"window": 16}, "normalize": "minmax"},
    "sunspots": lambda tmp: {"source": "sunspots", "params": {"window": 10}},
    "csv series": lambda tmp: {"source": "csv", "params": {"path": str(_series_csv(tmp)), "mode": "series",
                                                           "window": 12}, "normalize": "standard"},
    "npz": lambda tmp: {"source": "npz", "params": {"path": str(FILES / "arrays.npz")}},
    "npy pair": lambda tmp: {"source": "npz", "params": {"path": str(FILES / "x.npy"),
                                                         "y_path": str(FILES / "y.npy")}},
    "image folder": lambda tmp: {"source": "image_folder", "params": {"path": str(FILES / "shapes"), "height": 12,
                                                                     "width": 12, "color": "grayscale"}},
    "inline": lambda tmp: _inline(),
    "mnist file": lambda tmp: {"source": "mnist", "params": {"path": str(FILES / "mnist.npz"), "limit": 200}},
    "fashion_mnist folder": lambda tmp: {"source": "fashion_mnist", "params": {"path": str(FILES / "fashion-mnist"),
                                                                              "limit": 200}},
    "cifar10 archive": lambda tmp: {"source": "cifar10", "params": {"path": str(FILES / "cifar-10-python.tar.gz"),
                                                                    "limit": 100}},
}
OTHER = ["jax", "torch", "tensorflow"]  # the script's backend, in turn (never the spec's tensorflow for the first)


def run_scripts(jobs: dict[str, tuple[dict, Path]], backend: str) -> dict[str, dict]:
    """The scripts of several specs, each in its own folder, run in one process on `backend`
    (tests/evaluation/script_runner.py) with the arguments that train one epoch and save the model and the data."""
    listed = []
    for name, (spec, tmp) in jobs.items():
        tmp.mkdir(parents=True, exist_ok=True)
        script = tmp / "run.py"
        script.write_text(generate(parse_spec(spec)), encoding="utf-8")
        listed.append({"name": name, "script": str(script), "cwd": str(tmp),
                       "argv": ["--epochs", "1", "--save", str(tmp / "m.keras"), "--save-data", str(tmp / "data.npz")]})
    payload = next(iter(jobs.values()))[1].parent / f"{backend}-jobs.json"
    payload.write_text(json.dumps(listed), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the scripts need no Keras Studio
    env.update(KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3", JAX_PLATFORMS="cpu", CUDA_VISIBLE_DEVICES="-1")
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("script_runner.py")), str(payload)],
                          env=env, capture_output=True, text=True, timeout=600, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise AssertionError(f"the script runner failed on {backend}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


def _trained_and_saved(spec: dict, tmp: Path, result: dict) -> str:
    """What is wrong with a script's run ("" when it trained, saved its model and saved the loader's data)."""
    if result["code"] != 0:
        return result["error"] or f"exit code {result['code']}"
    if not (tmp / "m.keras").is_file():
        return "no model saved"
    ds = load(parse_spec(spec).data, spec["training"]["seed"])
    with np.load(tmp / "data.npz") as z:
        try:
            np.testing.assert_allclose(z["x_train"], np.asarray(ds.x_train), rtol=1e-5, atol=1e-6)
            np.testing.assert_array_equal(z["y_train"], np.asarray(ds.y_train))
        except AssertionError as exc:
            return f"the script's data differs from Studio's: {exc}"
    return ""


def test_every_source_exports_a_script_that_trains_on_another_backend(tmp_path):
    """Every data source (and a table-mode CSV, the bug this file started from: its script called undefined series
    helpers): the script trains one epoch on a backend other than the spec's and saves its model and data. The
    scripts of one backend run in one process, so the backends start three times rather than once a source."""
    cases: dict[str, dict[str, tuple[dict, Path]]] = {b: {} for b in OTHER}
    table = {"source": "csv", "params": {"path": str(FILES / "table.csv"), "target": "price"}, "normalize": "standard"}
    cases["jax"]["csv table"] = (case_spec(table), tmp_path / "csv table")
    for i, name in enumerate(SOURCES):
        backend = OTHER[i % 3]
        folder = tmp_path / name
        folder.mkdir()
        cases[backend][name] = (case_spec(SOURCES[name](folder),
                                          backend="torch" if backend == "tensorflow" else "tensorflow"), folder)
    wrong = {}
    for backend, jobs in cases.items():
        results = run_scripts(jobs, backend)
        assert set(results) == set(jobs), f"{backend}: no result for {set(jobs) - set(results)}"
        for name, result in results.items():
            spec, folder = jobs[name]
            if problem := _trained_and_saved(spec, folder, result):
                wrong[f"{name} on {backend}"] = problem
    assert wrong == {}


def test_the_check_option_runs_the_data_and_model_path(tmp_path):
    spec = case_spec(SOURCES["iris"](tmp_path))
    done = run_script(spec, tmp_path, "jax", "--check")
    assert done.returncode == 0, done.stderr[-4000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["ok"] and report["train_samples"] > 0


def test_the_export_check_fails_clearly_for_a_script_whose_data_is_gone(tmp_path):
    from studio.engine.script_check import ScriptCheckError, check_script

    csv = tmp_path / "t.csv"
    csv.write_text((FILES / "table.csv").read_text())
    spec = case_spec({"source": "csv", "params": {"path": str(csv), "target": "price"}})
    script = tmp_path / "run.py"
    script.write_text(generate(parse_spec(spec)), encoding="utf-8")
    csv.unlink()
    with pytest.raises(ScriptCheckError, match=r"fails when it loads its data.*CSV file not found: .*t\.csv") as err:
        check_script(script, "jax")
    assert err.value.reason == "script_failed"


@pytest.mark.parametrize("name", list(SOURCES))
def test_every_source_gives_a_script_that_needs_no_keras_studio(name, tmp_path):
    """Quick: the script of every source compiles and names nothing of this package outside the spec comment."""
    import ast

    text = generate(parse_spec(case_spec(SOURCES[name](tmp_path))))
    code = text.split("# The run spec")[0].replace("Keras Studio", "")
    assert "studio" not in code
    tree = ast.parse(text)
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                for a in n.names} | {n.module.split(".")[0] for n in ast.walk(tree)
                                     if isinstance(n, ast.ImportFrom) and n.module}
    assert "studio" not in imported


def test_embedding_refuses_code_that_reaches_into_a_module_of_this_package():
    """Embeddable code imports names; a `module.name` reference could not run without Keras Studio."""
    from studio.engine import train
    from studio.engine.embed import EmbedError, embed

    with pytest.raises(EmbedError, match="import the names it needs"):
        embed([train._callbacks])


def test_balanced_class_weights_reach_the_scripts_fit():
    spec = case_spec({"source": "iris", "normalize": "standard"}, class_weight="balanced")
    text = generate(parse_spec(spec))
    assert 'CLASS_WEIGHT = "balanced"' in text and "def class_weights(weighting, y, num_classes):" in text
    assert "class_weight=class_weights(CLASS_WEIGHT, ds.y_train, ds.num_classes)" in text
    assert "class_weight" not in generate(parse_spec(case_spec({"source": "iris"}))).split("# The run spec")[0]
