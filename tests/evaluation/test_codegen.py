"""The generated script runs without Studio and rebuilds the same data, layers and parameter count."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from studio.core.analysis import check_spec
from studio.core.runs import read_events
from studio.core.spec import load_spec, parse_spec
from studio.data.loaders import load

pytestmark = pytest.mark.slow  # every test runs an exported script (keras, a backend, a fit) in a child

ROOT = Path(__file__).resolve().parents[2]


def _run_script(script: Path, backend: str, tmp: Path, epochs: int = 1) -> tuple[dict, dict[str, np.ndarray]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHONPATH")}
    env.update(KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3", JAX_PLATFORMS="cpu", CUDA_VISIBLE_DEVICES="-1")
    out = subprocess.run([sys.executable, str(script), "--epochs", str(epochs), "--describe", str(tmp / "d.json"),
                          "--save-data", str(tmp / "data.npz"), "--save", str(tmp / "m.keras")],
                         cwd=tmp, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-4000:]
    assert (tmp / "m.keras").is_file()
    with np.load(tmp / "data.npz") as z:
        data = {k: z[k] for k in z.files}
    return json.loads((tmp / "d.json").read_text()), data


def _same_data(spec, data: dict[str, np.ndarray]) -> None:
    ds = load(spec.data, spec.training.seed)
    for name in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"):
        ours = getattr(ds, name)
        if ours is None or len(ours) == 0:
            assert name not in data
            continue
        np.testing.assert_allclose(data[name], np.asarray(ours), rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("run", ["iris", "sine"])
def test_script_of_a_run_rebuilds_its_model_and_data(runs, run, tmp_path):
    from studio.jobs import export_job

    script = tmp_path / "run.py"
    r = export_job.export(runs[run], "python", script)
    assert r.ok, r.error
    text = script.read_text()
    assert "studio" not in text.split("# The run spec")[0].replace("Keras Studio", "")
    backend = parse_spec(json.loads((runs[run] / "spec.json").read_text())).training.backend
    described, data = _run_script(script, backend, tmp_path)
    started = next(e for e in read_events(runs[run]) if e["event"] == "Started")
    assert described["total_params"] == started["total_params"]
    assert [(d["name"], d["type"], d["params"]) for d in described["layers"]] == \
        [(s["name"], s["type"], s["params"]) for s in started["summary"]]
    _same_data(parse_spec(json.loads((runs[run] / "spec.json").read_text())), data)


def test_script_of_the_lab_trains_on_another_backend_than_its_own(tmp_path):
    """The lab trains on TensorFlow in Studio; its script trains on JAX (the quicker for this tiny MLP)."""
    spec = load_spec(ROOT / "presets" / "optimization_lab.json")
    script = tmp_path / "lab.py"
    gen = subprocess.run([sys.executable, "-c", "import sys; from studio.core.spec import load_spec; "
                          "from studio.engine.codegen import generate; "
                          "open(sys.argv[2], 'w').write(generate(load_spec(sys.argv[1])))",
                          str(ROOT / "presets" / "optimization_lab.json"), str(script)],
                         env={**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"},
                         capture_output=True, text=True, timeout=120)
    assert gen.returncode == 0, gen.stderr[-3000:]
    assert spec.training.backend == "tensorflow"
    described, data = _run_script(script, "jax", tmp_path, epochs=3)
    report = check_spec(spec)
    assert described["total_params"] == report.total_params
    by_id = report.by_id()
    for layer in described["layers"]:
        if layer["name"] in by_id:
            assert layer["params"] == by_id[layer["name"]].params
    assert [d["name"] for d in described["layers"]] == [b.id for b in spec.model.blocks]
    _same_data(spec, data)


def _generate(spec_dict: dict, tmp: Path) -> Path:
    (tmp / "spec.json").write_text(json.dumps(spec_dict))
    script = tmp / "run.py"
    gen = subprocess.run([sys.executable, "-c", "import sys; from studio.core.spec import load_spec; "
                          "from studio.engine.codegen import generate; "
                          "open(sys.argv[2], 'w').write(generate(load_spec(sys.argv[1])))",
                          str(tmp / "spec.json"), str(script)],
                         env={**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"},
                         capture_output=True, text=True, timeout=120)
    assert gen.returncode == 0, gen.stderr[-3000:]
    return script


def _series_csv(tmp: Path) -> dict:
    t = np.arange(120)
    values = [f"{v:.4f}" for v in np.sin(t / 6.0) * 10 + t * 0.1]
    values[17] = values[40] = ""  # gaps: filled by interpolation on both sides
    (tmp / "series.csv").write_text("day,level\n" + "\n".join(f"{i},{v}" for i, v in enumerate(values)) + "\n")
    return {"source": "csv", "params": {"path": str(tmp / "series.csv"), "mode": "series", "window": 52,
                                        "horizon": 2}, "normalize": "standard", "validation_split": 0.2}


@pytest.mark.parametrize("source", ["bundled series", "csv series", "image folder"])
def test_script_reads_series_and_image_folders_as_studio_does(source, tmp_path):
    spec = load_spec(ROOT / "presets" / "timeseries_rnn.json").to_dict()
    spec["training"]["epochs"] = 1
    if source == "csv series":
        spec["data"] = _series_csv(tmp_path)
    elif source == "image folder":
        spec["data"] = {"source": "image_folder", "validation_split": 0.25, "normalize": "none",
                        "params": {"path": str(ROOT / "tests" / "data" / "files" / "shapes"), "height": 16,
                                   "width": 16, "color": "grayscale"}}
        spec["model"]["blocks"] = [
            {"id": "img", "type": "Input", "params": {"shape": [16, 16, 1]}},
            {"id": "conv", "type": "Conv2D", "params": {"filters": 4}},
            {"id": "flat", "type": "GlobalAveragePooling2D"},
            {"id": "out", "type": "Dense", "params": {"units": 2, "activation": "softmax"}}]
        spec["training"]["metrics"] = ["accuracy"]
        spec["training"]["loss"] = "auto"
    script = _generate(spec, tmp_path)
    if source == "bundled series":
        assert "assets" not in script.read_text().split("def load_source")[1].split("\n\n")[0].split("#")[0]
    described, data = _run_script(script, "jax", tmp_path)
    parsed = parse_spec(spec)
    assert described["total_params"] == check_spec(parsed).total_params
    _same_data(parsed, data)
