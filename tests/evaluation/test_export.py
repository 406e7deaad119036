"""Export round-trips: every format from runs trained on two backends, each copy loaded back and checked."""

from __future__ import annotations

import importlib.util

import pytest

from studio.cli import run_cli
from studio.jobs import export_job
from studio.jobs.evaluate_job import JobError

ALL = list(export_job.FORMATS)


@pytest.fixture(scope="session")
def exported(runs, tmp_path_factory):
    """{(run, format): ExportResult} for every format of the jax-trained and the torch-trained run."""
    from concurrent.futures import ThreadPoolExecutor

    def one(name):
        folder = tmp_path_factory.mktemp(f"export-{name}")
        return name, export_job.export_many(runs[name], [(f, None) for f in ALL], out_dir=folder)

    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(one, ("iris", "sine")))
    return {(name, r.format): r for name, results in done for r in results}


@pytest.mark.parametrize("fmt", ALL)
@pytest.mark.parametrize("run", ["iris", "sine"])
def test_every_format_round_trips(exported, run, fmt):
    r = exported[(run, fmt)]
    trained_on = {"iris": "jax", "sine": "torch"}[run]
    assert r.ok, f"{run}/{fmt}: {r.error}\n{r.details[-3000:]}"
    assert r.max_abs_diff is not None and r.max_abs_diff < 1e-4  # well within the stated tolerance
    assert r.batch == 16
    from pathlib import Path

    path = Path(r.path)
    assert path.is_dir() if fmt == "savedmodel" else path.is_file()
    if fmt in ("keras", "weights"):
        assert r.exported_on == trained_on and r.verified_on != trained_on  # loaded on another backend
    if fmt in ("savedmodel", "litert", "onnx"):
        assert r.exported_on == "tensorflow"  # converted from the .keras file, whatever backend trained it
    if fmt == "python":
        assert path.read_text().count("import studio") == 0


@pytest.mark.skipif(importlib.util.find_spec("onnxscript") is None, reason="torch's ONNX exporter needs onnxscript")
def test_onnx_native_from_torch(runs, tmp_path):
    r = export_job.export(runs["sine"], "onnx", tmp_path / "native.onnx", onnx_backend="torch")
    assert r.ok, r.error
    assert r.exported_on == "torch" and r.max_abs_diff <= r.atol


def test_a_copy_that_differs_fails_the_check(runs, tmp_path):
    # an impossible tolerance: the same check must then refuse the (correct) copy
    r = export_job.export(runs["iris"], "python", tmp_path / "x.py", atol=-1.0, rtol=0.0)
    assert not r.ok and r.reason == "mismatch"
    assert "differ" in r.error


def test_cli_export(runs, tmp_path, capsys):
    out = tmp_path / "iris.py"
    assert run_cli(["export", str(runs["iris"]), "--format", "python", "--out", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert out.is_file() and "python:" in text and "max |Δ|" in text
    assert run_cli(["export", str(runs["iris"]), "--format", "nope", "--out", str(out)]) == 2
    assert "unknown export format" in capsys.readouterr().err
    assert run_cli(["export", str(runs["iris"]), "--format", "onnx", "--out", str(tmp_path / "m.txt")]) == 1
    assert "ending in .onnx" in capsys.readouterr().err


def test_missing_package_names_the_fix_without_starting_a_child(runs, tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(export_job.importlib.util, "find_spec",
                        lambda name, *a: None if name == "tf2onnx" else real(name, *a))
    r = export_job.export(runs["iris"], "onnx", tmp_path / "m.onnx")
    assert not r.ok and r.reason == "missing_package"
    assert "pip install tf2onnx" in r.error and "keras-studio[export]" in r.error
    assert not (tmp_path / "m.onnx").exists()


def test_bad_requests_are_clear(runs, tmp_path):
    with pytest.raises(JobError, match="unknown export format"):
        export_job.export(runs["iris"], "pickle", tmp_path / "m.pkl")
    lone = tmp_path / "lone.keras"
    lone.write_bytes((runs["iris"] / "model.keras").read_bytes())
    r = export_job.export(lone, "python", tmp_path / "m.py")
    assert not r.ok and "--spec" in r.error


def test_plan_uses_another_backend_for_keras():
    steps, where = export_job.plan("torch", [("keras", "a.keras"), ("onnx", "a.onnx"), ("python", "a.py")])
    assert steps[0][0] == "torch" and steps[0][1][0] == {"op": "reference"}
    assert where["keras"][0] == "torch" and where["keras"][1] != "torch"
    assert where["onnx"] == ("tensorflow", "tensorflow") and where["python"] == ("torch", "torch")
