"""Render the course as a learner meets it, as PNGs to look at (not a test):

    DISPLAY=:N .venv/bin/python benchmarks/lesson_shots.py --out shots [--size 1280x720]

Trains the optimisation lab's lesson as a learner solves it (`keras-studio train`, learning rate 0.05 within the
50-epoch budget, on JAX) and prints the CLI's verdict; then grabs the window showing that run with its "goal met"
line, and the Course tab of the gallery with the lab ticked. Offline.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("shots"))
    p.add_argument("--size", default="1280x720")
    args = p.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    scratch = Path(tempfile.mkdtemp(prefix="lesson-shots-"))
    runs = scratch / "runs"
    done = subprocess.run([sys.executable, "-m", "studio", "train", "optimization_lab", "--backend", "jax",
                           "--set", "optimizer.learning_rate=0.05", "--epochs", "50", "--out", str(runs)],
                          check=True, capture_output=True, text=True)
    print("\n".join(done.stdout.splitlines()[-4:]))
    run = max(runs.iterdir(), key=lambda q: q.stat().st_mtime)

    from PySide6.QtWidgets import QApplication

    from studio.core.presets import load_preset
    from studio.ui.gallery import PresetGallery
    from studio.ui.main_window import MainWindow
    from studio.ui.screenshot import settle, take

    app = QApplication.instance() or QApplication([])
    win = MainWindow(probe_devices=False, autosave_dir=scratch / "autosave")
    win.resize(w, h)
    win.show()
    win.doc.load_dict(load_preset("optimization_lab").to_dict(), None)
    win.show_run(str(run))
    print("wrote", take(win, args.out / f"lesson-goal-met-{args.size}.png"))

    gallery = PresetGallery(win, runs_roots=[runs], course=True)
    gallery.resize(w, h)
    gallery.show()
    settle(400)
    path = args.out / f"course-gallery-{args.size}.png"
    gallery.grab().save(str(path))
    print("wrote", path)
    gallery.close()
    win.shutdown()
    win.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
