"""`keras-studio --screenshot FILE --preset NAME --size WxH` renders the window offscreen and exits."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage


def test_screenshot_cli(tmp_path):
    png = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "studio", "--screenshot", str(png), "--preset", "optimization_lab",
                          "--size", "1200x800"], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1200, 800)


def test_screenshot_refuses_bad_input(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "studio", "--screenshot", str(tmp_path / "x.png"), "--preset",
                          "no_such_preset"], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 1 and "no preset named" in out.stderr and "Traceback" not in out.stderr
    out = subprocess.run([sys.executable, "-m", "studio", "--screenshot", "x.png", "--size", "big"],
                         capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 2 and "WIDTHxHEIGHT" in out.stderr


@pytest.mark.slow
def test_screenshot_of_a_finished_run(tmp_path):
    """`--run RUN_DIR` shows that run's curves; a folder that is not a run is refused with a message."""
    import json

    from studio.core import events as ev

    run = tmp_path / "runs" / "20260101-000000-lab"
    run.mkdir(parents=True)
    started = ev.Started(run_dir=str(run), backend="jax", device="cpu", summary=[], total_params=81,
                         trainable_params=81, epochs=2, steps_per_epoch=1, train_samples=10, val_samples=0,
                         test_samples=0, metrics=["loss", "accuracy"], task="classification")
    epochs = [ev.EpochEnd(epoch=i, epochs=2, logs={"loss": 1.0 - i / 4, "accuracy": 0.5 + i / 4},
                          learning_rate=0.01, seconds=0.1, samples_per_s=100.0) for i in range(2)]
    (run / "events.jsonl").write_text("".join(json.dumps(e.to_dict()) + "\n" for e in [started, *epochs]))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path)}
    png = tmp_path / "run.png"
    out = subprocess.run([sys.executable, "-m", "studio", "--screenshot", str(png), "--preset", "optimization_lab",
                          "--run", str(run)], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert not QImage(str(png)).isNull()
    out = subprocess.run([sys.executable, "-m", "studio", "--screenshot", str(png), "--run", str(tmp_path)],
                         capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 1 and "is not a run directory" in out.stderr and "Traceback" not in out.stderr
