"""Issue 11: every bad input is one clear error line and a non-zero exit code, never a traceback; and what
can be checked before training is checked by `check`. The CLI runs in-process (fast) except where the real
entry point matters (the window's --screenshot and --size)."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from studio.cli import run_cli

ROOT = Path(__file__).resolve().parents[2]
LAB_PATH = ROOT / "presets" / "optimization_lab.json"
LAB = json.loads(LAB_PATH.read_text(encoding="utf-8"))


def lab(**changes) -> dict:
    d = json.loads(json.dumps(LAB))
    for dotted, value in changes.items():
        node = d
        *parts, last = dotted.split("__")
        for part in parts:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        node[int(last) if isinstance(node, list) else last] = value
    return d


def write(tmp_path: Path, doc, name: str = "spec.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(doc), encoding="utf-8")
    return p


def check(capsys, *args) -> tuple[int, str, str]:
    code = run_cli(["check", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def refused(capsys, *args, want: str) -> str:
    code, _, err = check(capsys, *args)
    assert code == 1, err
    assert err.startswith("error: ") and want in err, err
    return err


# ------------------------------------------------------------------------------------------------ item 3
def test_a_repeated_csv_header_is_refused_naming_the_column(tmp_path, capsys):
    (tmp_path / "dup.csv").write_text("a,a,label\n1,2,0\n3,4,1\n5,6,0\n4,4,1\n")
    spec = write(tmp_path, lab(data={"source": "csv", "params": {"path": str(tmp_path / "dup.csv")}}))
    refused(capsys, spec, want="names column `a` twice")


# ------------------------------------------------------------------------------------------------ item 7
def test_a_utf16_spec(tmp_path, capsys):
    p = tmp_path / "u16.json"
    p.write_text(json.dumps(LAB), encoding="utf-16")
    refused(capsys, p, "--no-data", want="UTF-16")


def test_a_binary_spec(tmp_path, capsys):
    p = tmp_path / "bin.json"
    p.write_bytes(bytes(range(256)))
    refused(capsys, p, "--no-data", want="not UTF-8 text")


def test_a_utf8_bom_is_accepted(tmp_path, capsys):
    p = tmp_path / "bom.json"
    p.write_text(json.dumps(LAB), encoding="utf-8-sig")
    code, out, err = check(capsys, p, "--no-data")
    assert code == 0, err
    assert "total params: 81" in out


def test_5000_levels_of_nesting(tmp_path, capsys):
    p = tmp_path / "deep.json"
    p.write_text('{"meta": {"title": ' + "[" * 5000 + "]" * 5000 + "}}")
    refused(capsys, p, "--no-data", want="nested too deeply")
    p.write_text('{"meta": {"title": ' + "[" * 200 + "]" * 200 + "}}")  # readable, but no spec is that deep
    refused(capsys, p, "--no-data", want="nested more than")


def test_an_integer_of_4300_digits(tmp_path, capsys):
    p = tmp_path / "big.json"
    p.write_text(json.dumps(LAB).replace('"epochs": 200', '"epochs": ' + "9" * 4400))
    refused(capsys, p, "--no-data", want="number too long")
    refused(capsys, LAB_PATH, "--no-data", "--set", "training.epochs=" + "9" * 4400, want="too large to read")


def test_set_into_a_number(capsys):
    refused(capsys, LAB_PATH, "--no-data", "--set", "training.epochs.x=5",
            want="`training.epochs` is 200, not a section")


@pytest.mark.parametrize("seed", [-1, 2**32, 2**64])
def test_seeds_numpy_cannot_take(capsys, seed):
    refused(capsys, LAB_PATH, "--no-data", "--set", f"training.seed={seed}", want="training.seed")


def _train(capsys, *args) -> tuple[int, str]:
    code = run_cli(["train", str(LAB_PATH), "--quiet", *map(str, args)])
    return code, capsys.readouterr().err


def test_out_that_is_a_file_or_under_a_file(tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("x")
    code, err = _train(capsys, "--out", f)
    assert code == 1 and "is a file, not a folder" in err, err
    code, err = _train(capsys, "--out", f / "runs")
    assert code == 1 and "which is a file" in err, err


def test_out_that_cannot_be_written(tmp_path, capsys):
    import os

    if os.geteuid() == 0:
        target = Path("/proc/self/keras_studio_runs")  # read-only for root too
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        target = ro / "runs"
    code, err = _train(capsys, "--out", target)
    assert code == 1 and "cannot write there" in err, err


def test_a_corrupt_npz(tmp_path, capsys):
    good = tmp_path / "good.npz"
    np.savez(good, x=np.zeros((20, 2), np.float32), y=np.arange(20) % 2)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(good.read_bytes()[:200])  # a zip cut short: BadZipFile
    spec = write(tmp_path, lab(data={"source": "npz", "params": {"path": str(bad)}}))
    refused(capsys, spec, want="cannot read bad.npz")


def _window(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "studio", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})


def test_screenshot_to_an_unwritable_path_and_an_absurd_size(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    out = _window("--screenshot", f / "shot.png", "--preset", "optimization_lab")
    assert out.returncode == 1 and "is a file, not a folder" in out.stderr and "Traceback" not in out.stderr
    out = _window("--screenshot", tmp_path / "shot.png", "--size", "100000x100000")
    assert out.returncode == 2 and "between 200x200 and 10000x10000" in out.stderr
    assert "Traceback" not in out.stderr


# ------------------------------------------------------------------------------------------------ item 8
@pytest.mark.parametrize("monitor", ["val_acc", "accuracy_val", "mae"])
def test_monitors_the_run_will_not_log(tmp_path, capsys, monitor):
    spec = write(tmp_path, lab(regularization__early_stopping={"monitor": monitor}))
    refused(capsys, spec, "--no-data", want=f"regularization.early_stopping.monitor: the run does not log `{monitor}`")
    spec = write(tmp_path, lab(optimizer__reduce_on_plateau={"monitor": monitor}))
    refused(capsys, spec, "--no-data", want=f"optimizer.reduce_on_plateau.monitor: the run does not log `{monitor}`")


def test_monitors_the_run_logs_are_accepted(tmp_path, capsys):
    spec = write(tmp_path, lab(regularization__early_stopping={"monitor": "val_accuracy"},
                               optimizer__reduce_on_plateau={"monitor": "loss"}))
    assert check(capsys, spec, "--no-data")[0] == 0


@pytest.mark.parametrize("field", ["optimizer__learning_rate", "data__validation_split", "regularization__l2",
                                   "model__blocks__2__params__rate", "optimizer__clipnorm"])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_floats(tmp_path, capsys, field, value):
    spec = write(tmp_path, lab(**{field: value}))
    err = refused(capsys, spec, "--no-data", want="must be a finite number")
    assert "≤" not in err and "less than" not in err


def test_absurd_sizes(tmp_path, capsys):
    spec = write(tmp_path, lab(model__blocks__1__params__units=1e30))
    refused(capsys, spec, "--no-data", want="at most 1000000")
    spec = write(tmp_path, lab(training__batch_size=10**12))
    refused(capsys, spec, "--no-data", want="training.batch_size")


def test_piecewise_boundaries_must_increase(tmp_path, capsys):
    spec = write(tmp_path, lab(optimizer__schedule={"name": "piecewise",
                                                    "params": {"boundaries": [5, 2], "values": [0.1, 0.01, 0.001]}}))
    refused(capsys, spec, "--no-data", want="piecewise boundaries must increase")


@pytest.mark.parametrize("version", [0, -1, 2])
def test_only_version_1(tmp_path, capsys, version):
    refused(capsys, write(tmp_path, lab(version=version)), "--no-data", want="version")


def test_a_block_that_feeds_itself(tmp_path, capsys):
    spec = write(tmp_path, lab(model__blocks__1__inputs=["dense_1"]))
    refused(capsys, spec, "--no-data", want="cannot feed itself")


def test_set_addresses_blocks_by_id(capsys):
    code, out, err = check(capsys, LAB_PATH, "--no-data", "--set", "model.blocks.dense_1.params.units=64")
    assert code == 0, err
    assert re.search(r"^dense_1\s+Dense\s+64\s", out, re.M), out
    code, out, err = check(capsys, LAB_PATH, "--no-data", "--set",
                           'model.blocks.dense_1={"id": "dense_1", "type": "Dense", "params": {"units": 7}}')
    assert code == 0 and re.search(r"^dense_1\s+Dense\s+7\s", out, re.M), err
    refused(capsys, LAB_PATH, "--no-data", "--set", "model.blocks.nope.params.units=64",
            want="no block with id `nope`; the blocks are input_1, dense_1, dropout_1, dense_2")


# ------------------------------------------------------------------------------------------------ item 9
def test_a_keras_file_that_is_not_a_zip(tmp_path, capsys):
    fake = tmp_path / "model.keras"
    fake.write_text("not a model")
    code = run_cli(["evaluate", str(fake), "--spec", str(LAB_PATH)])
    err = capsys.readouterr().err
    assert code == 1 and "not a valid .keras file" in err and "not found" not in err, err


@pytest.mark.slow  # starts a real probe child (stopped by its timeout)
def test_devices_with_no_time_says_timed_out(capsys):
    code = run_cli(["devices", "--timeout", "0"])
    out = capsys.readouterr().out
    assert code == 1
    for line in out.splitlines():
        assert "timed out" in line or "not installed" in line, out


def test_the_install_hint_names_only_packages_the_extra_installs():
    import tomllib

    from studio.jobs import export_job

    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["export"]
    names = {e.split(">")[0].split("=")[0].split("[")[0].strip() for e in extra}
    assert set(export_job.EXTRA_PACKAGES) == names
    for backend, needs in export_job.ONNX_NEEDS.items():
        hint = export_job.install_hint([pkg for _, pkg in needs])
        if "keras-studio[export]" in hint:
            assert {pkg for _, pkg in needs} <= names, f"{backend}: {hint}"
    assert "keras-studio[export]" not in export_job.install_hint(["jax2onnx"])
