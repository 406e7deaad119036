"""Render the views a first-time user meets, as PNGs to look at (not a test):

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/screenshots.py --out shots [--dark] \
        [--sizes 1440x900,1280x720]

For each size: the empty window; every preset loaded; a finished run with its Evaluation tab (a short
`keras-studio train` of the digits preset first); and the optimisation lab mid-training with its live decision
boundary. Nothing here is downloaded, so it runs offline.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def train_finished_run(root: Path) -> Path:
    """A short real run whose Evaluation tab has a per-class table and a 10-class confusion matrix."""
    subprocess.run([sys.executable, "-m", "studio", "train", "presets/optimizer_adam.json", "--backend", "jax",
                    "--epochs", "5", "--out", str(root)], check=True, stdout=subprocess.DEVNULL)
    return max(root.iterdir(), key=lambda p: p.stat().st_mtime)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="shots", help="folder for the PNGs")
    p.add_argument("--sizes", default="1440x900,1280x720")
    p.add_argument("--dark", action="store_true", help="the dark palette (KERAS_STUDIO_THEME=dark)")
    p.add_argument("--lab-epoch", type=int, default=300, help="grab the lab once its boundary reaches this epoch")
    args = p.parse_args()
    if args.dark:
        os.environ["KERAS_STUDIO_THEME"] = "dark"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="studio-shots-"))
    finished = train_finished_run(scratch / "runs")

    from PySide6.QtWidgets import QApplication

    from studio.core.presets import list_presets, load_preset
    from studio.ui.main_window import MainWindow
    from studio.ui.screenshot import settle, take

    app = QApplication.instance() or QApplication([])
    tone = "dark" if args.dark else "light"
    for size in args.sizes.split(","):
        w, h = (int(v) for v in size.split("x"))

        def window() -> MainWindow:
            win = MainWindow(probe_devices=False, autosave_dir=scratch / "autosave")
            win.resize(w, h)  # noqa: B023 - called in this iteration only
            win.show()
            return win

        def shot(win: MainWindow, name: str) -> None:
            path = take(win, out / f"{name}-{size}-{tone}.png")  # noqa: B023 - called in this iteration only
            print("wrote", path)

        win = window()
        shot(win, "empty")
        for preset in list_presets():
            win.doc.load_dict(load_preset(preset.name).to_dict(), None)
            shot(win, f"preset-{preset.name}")
        win.doc.load_dict(load_preset("optimizer_adam").to_dict(), None)
        win.show_run(str(finished))
        win.result_tabs.setCurrentWidget(win.evaluation)
        shot(win, "finished-run-evaluation")
        win.shutdown()
        win.close()

        win = window()  # the lab mid-training: the boundary is streamed from the child at epoch ends
        spec = load_preset("optimization_lab")
        spec.training.backend, spec.training.epochs = "jax", 4000
        win.doc.load_dict(spec.to_dict(), None)
        win.runs_root = lambda: scratch / "lab-runs"
        win.checker.wait_data()
        settle(300)
        win.train()
        while win.boundary.epoch is None or win.boundary.epoch < args.lab_epoch:
            settle(50)
        shot(win, "lab-training-boundary")
        win.bridge.stop()
        while win.bridge.running or not win.bridge.reaped:
            settle(100)
        win.shutdown()
        win.close()
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
