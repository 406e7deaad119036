"""A spec is data from anyone: the Python export writes every spec string as a literal, never as code, and the
export's own check does not run the script inside the exporting process."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studio.core.spec import parse_spec

pytestmark = pytest.mark.slow  # generating a script imports keras (the generator builds the model to check it)

ROOT = Path(__file__).resolve().parents[2]
LAB = json.loads((ROOT / "presets" / "optimization_lab.json").read_text(encoding="utf-8"))

HOSTILE = [
    '"""\nimport os; os._exit(7)\n"""',
    "'''\nimport os; os._exit(7)\n'''",
    "C:\\Users\\me\\",
    "\\",
    "line\nbreak\r\x0c\x00",
    "\u2028\u2029é∑😀\ud800",
    "{__import__('os')._exit(7)}",
    "'); import os; os._exit(7) #",
    "%(x)s {0}",
]


def generate(spec):
    """The script of `spec`. The code generator imports keras (it builds the model to check it), so it is
    loaded on first use, on JAX (the quickest to import), rather than while the suite is collected."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    from studio.engine.codegen import generate as codegen

    return codegen(spec)


def _spec(field: str, text: str) -> dict:
    d = json.loads(json.dumps(LAB))
    if field.startswith("meta."):
        d["meta"][field[5:]] = text
    elif field == "training.initial_model":
        d["training"]["initial_model"] = text + ".keras"
    elif field.startswith("csv."):
        d["data"] = {"source": "csv", "params": {"path": "t.csv", "target": "y", "features": ["a"]}}
        key = field[4:]
        d["data"]["params"][key] = [text] if key == "features" else text
    elif field.startswith("npz."):
        d["data"] = {"source": "npz", "params": {"path": "a.npz", "x_key": "x", "y_key": "y"}}
        d["data"]["params"][field[4:]] = text + (".npz" if field == "npz.path" else "")
    elif field == "npy.y_path":
        d["data"] = {"source": "npz", "params": {"path": "x.npy", "y_path": text}}
    elif field == "image_folder.path":
        d["data"] = {"source": "image_folder", "params": {"path": text}}
    elif field == "mnist.path":
        d["data"] = {"source": "mnist", "params": {"path": text}}
    else:
        raise AssertionError(field)
    return d


FIELDS = ["meta.title", "meta.description", "meta.teaches", "training.initial_model", "csv.path", "csv.target",
          "csv.features", "npz.path", "npz.x_key", "npz.y_key", "npy.y_path", "image_folder.path", "mnist.path"]


def _shape(tree: ast.Module) -> list[str]:
    """The module's top-level statements, by kind and name: an injected statement changes this list."""
    out = []
    for node in tree.body:
        name = getattr(node, "name", None) or ",".join(getattr(t, "id", "?") for t in getattr(node, "targets", []))
        out.append(f"{type(node).__name__}:{name}")
    return out


def _strings(tree: ast.Module) -> list[str]:
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


@pytest.mark.parametrize("field", FIELDS)
def test_hostile_strings_reach_the_script_only_as_literals(field):
    benign = ast.parse(generate(parse_spec(_spec(field, "plain"))))
    for text in HOSTILE:
        source = generate(parse_spec(_spec(field, text)))
        source.encode("utf-8")  # writable as the UTF-8 file the export is
        tree = ast.parse(source)  # no SyntaxError, whatever the text holds
        assert _shape(tree) == _shape(benign), f"{field}={text!r} changed the script's statements"
        if field not in ("meta.description", "meta.teaches"):  # those two reach it only in the JSON comment
            wanted = text + {"training.initial_model": ".keras", "npz.path": ".npz"}.get(field, "")
            assert wanted in _strings(tree), f"{field}={text!r} is not in the script as a literal"
        assert len(text) < 3 or text not in ast.get_docstring(tree), "spec text in the docstring"


def test_a_hostile_column_name_read_from_a_csv_file_stays_a_literal(tmp_path):
    """A series export names the column Studio chose from the file's header: that text comes from the file."""
    import csv

    for text in HOSTILE[:4] + HOSTILE[6:]:
        path = tmp_path / "series.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["day", text])
            w.writerows([i, float(i % 7)] for i in range(80))
        d = json.loads(json.dumps(LAB))
        d["data"] = {"source": "csv", "params": {"path": str(path), "mode": "series", "window": 8}}
        d["model"]["blocks"][0]["params"]["shape"] = [8, 1]
        d["model"]["blocks"].insert(1, {"id": "flat", "type": "Flatten"})
        tree = ast.parse(generate(parse_spec(d)))
        assert text.strip() in _strings(tree), text


def test_block_ids_that_are_keywords_or_module_names_still_compile():
    d = json.loads(json.dumps(LAB))
    ids = ["keras", "np", "class", "build_model"]
    for block, new in zip(d["model"]["blocks"], ids, strict=True):
        block["id"] = new
    for block in d["model"]["blocks"]:
        if block.get("inputs"):
            block["inputs"] = [ids[[b["id"] for b in LAB["model"]["blocks"]].index(i)] for i in block["inputs"]]
    source = generate(parse_spec(d))
    namespace: dict = {}
    exec(compile(source, "run.py", "exec"), namespace)  # a script of this repository's own making, no spec text
    model = namespace["build_model"]()
    assert [layer.name for layer in model.layers] == ids


def test_exporting_a_hostile_spec_runs_none_of_it(tmp_path):
    """The issue's case: a title that closes the docstring used to become code the export check then ran."""
    marker = tmp_path / "pwned"
    d = json.loads(json.dumps(LAB))
    d["meta"]["title"] = f'"""\nopen({str(marker)!r}, "w").write("ran")\n"""'
    d["training"]["backend"] = "jax"
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(d), encoding="utf-8")
    model_path = tmp_path / "lab.keras"
    made = subprocess.run([sys.executable, "-c", "import sys; from studio.core.spec import load_spec; "
                           "from studio.engine.build import build_model; "
                           "build_model(load_spec(sys.argv[1])).save(sys.argv[2])", str(spec_path), str(model_path)],
                          env={**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}, capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    assert made.returncode == 0, made.stderr[-2000:]
    from studio.jobs import export_job

    r = export_job.export(model_path, "python", tmp_path / "run.py", spec=spec_path, backend="jax")
    assert r.ok, f"{r.error}\n{r.details[-2000:]}"
    assert not marker.exists(), "the spec's title ran as code during the export"
    ast.parse((tmp_path / "run.py").read_text(encoding="utf-8"))
