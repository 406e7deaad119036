"""`keras-studio --screenshot FILE --preset NAME --size WxH` renders the window offscreen and exits."""

from __future__ import annotations

import os
import subprocess
import sys

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
