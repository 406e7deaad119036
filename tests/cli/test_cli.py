"""The command line as a user types it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAB = str(ROOT / "presets" / "optimization_lab.json")


def cli(*args, cwd=ROOT, timeout=300):
    return subprocess.run([sys.executable, "-m", "studio", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def test_check_prints_the_table():
    out = cli("check", LAB)
    assert out.returncode == 0, out.stderr
    assert "dense_1    Dense    20                60" in out.stdout
    assert "total params: 81 (trainable 81, non-trainable 0)" in out.stdout


def test_check_reports_errors_with_exit_code_1():
    out = cli("check", LAB, "--set", "model.blocks.dense_2.type=LSTM")
    assert out.returncode == 1
    assert "error: dense_2 (LSTM): LSTM needs sequences (steps×features) but received 20" in out.stderr
    assert "fix for dense_2: Insert Reshape to 20×1" in out.stdout and "or: Remove it" in out.stdout
    assert "Traceback" not in out.stderr


@pytest.mark.slow
def test_a_bad_spec_is_a_message_not_a_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"training": {"epochs": "many"}}))
    out = cli("check", str(bad))
    assert out.returncode == 1
    assert "training.epochs: Input should be a valid integer" in out.stderr
    assert "Traceback" not in out.stderr
    out = cli("train", str(tmp_path / "missing.json"))
    assert out.returncode == 1 and "file not found" in out.stderr


@pytest.mark.slow
def test_train_headless_with_overrides(tmp_path):
    out = cli("train", LAB, "--backend", "jax", "--epochs", "3", "--set", "optimizer.learning_rate=0.05",
              "--out", str(tmp_path), "--quiet")
    assert out.returncode == 0, out.stderr[-2000:]
    assert "jax on cpu: 81 parameters, 10 training samples" in out.stdout
    assert "epoch 3/3" in out.stdout and "lr 0.05" in out.stdout
    assert "finished after 3 epochs" in out.stdout
    run = next(tmp_path.iterdir())
    spec = json.loads((run / "spec.json").read_text())
    assert spec["training"]["epochs"] == 3 and spec["optimizer"]["learning_rate"] == 0.05
    summary = json.loads((run / "summary.json").read_text())
    assert summary["backend"] == "jax" and summary["epochs_run"] == 3


@pytest.mark.slow
def test_devices_lists_each_backend():
    out = cli("devices")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    for backend in ("tensorflow", "torch", "jax"):
        line = next(line for line in lines if line.startswith(backend))
        assert "cpu" in line, line
