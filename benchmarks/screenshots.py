"""Render the views a first-time user meets, as PNGs to look at (not a test):

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/screenshots.py --out shots [--dark] \
        [--sizes 1440x900,1280x720] [--inside]

For each size: the empty window; every preset loaded; a finished run with its Evaluation tab (a short
`keras-studio train` of the digits preset first); and the optimisation lab mid-training with its live decision
boundary. With --inside instead: the Inside tab of the MNIST convnet preset (trained on the bundled 8×8 digits
enlarged to 28×28, since MNIST itself needs a download) and of the optimisation lab, and Try it looking inside a
drawn digit. Nothing here is downloaded, so it runs offline.
"""

from __future__ import annotations

import argparse
import json
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


def digits_as_mnist(path: Path) -> Path:
    """scikit-learn's 1,797 real 8×8 digits, enlarged to MNIST's 28×28 grey bytes, in keras' mnist.npz layout."""
    import numpy as np
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    small = x.reshape(-1, 8, 8) / 16.0
    grid = (np.arange(28) + 0.5) * 8 / 28 - 0.5  # bilinear, pixel centres on pixel centres
    lo = np.clip(np.floor(grid).astype(int), 0, 7)
    hi, f = np.clip(lo + 1, 0, 7), np.clip(grid - lo, 0, 1)
    rows = small[:, lo] * (1 - f)[None, :, None] + small[:, hi] * f[None, :, None]
    big = rows[:, :, lo] * (1 - f)[None, None, :] + rows[:, :, hi] * f[None, None, :]
    images = (big * 255).round().astype(np.uint8)
    np.savez_compressed(path, x_train=images[:1500], y_train=y[:1500], x_test=images[1500:], y_test=y[1500:])
    return path


def train_inside_runs(root: Path) -> dict[str, Path]:
    """A finished MNIST-convnet run on the digits stand-in and a finished lab run, both recording the inside."""
    root.mkdir(parents=True, exist_ok=True)
    data = digits_as_mnist(root / "digits28.npz")
    runs = {}
    for name, extra in (("mnist_cnn", ["--epochs", "12", "--set", f"data.params.path={json.dumps(str(data))}"]),
                        ("optimization_lab", ["--epochs", "300"])):
        out = root / name
        subprocess.run([sys.executable, "-m", "studio", "train", f"presets/{name}.json", "--backend", "jax",
                        "--out", str(out), *extra], check=True, stdout=subprocess.DEVNULL)
        runs[name] = max(out.iterdir(), key=lambda p: p.stat().st_mtime)
    return runs


def inside_shots(args, out: Path, scratch: Path, tone: str) -> None:
    from PySide6.QtWidgets import QApplication

    from studio.core.presets import load_preset
    from studio.ui.main_window import MainWindow
    from studio.ui.screenshot import settle, take

    app = QApplication.instance() or QApplication([])
    runs = train_inside_runs(scratch / "inside-runs")
    for size in args.sizes.split(","):
        w, h = (int(v) for v in size.split("x"))
        for name, run in runs.items():
            win = MainWindow(probe_devices=False, autosave_dir=scratch / "autosave")
            win.resize(w, h)
            win.show()
            win.doc.load_dict(load_preset(name).to_dict(), None)
            win.show_run(str(run))
            win.results.show_view("inside")
            inside = win.results.built("inside")
            for view in ("filters", "saliency", "activations") if name == "mnist_cnn" else ("activations",
                                                                                             "saliency"):
                inside.view.setCurrentIndex(inside.view.findData(view))
                settle(200)
                print("wrote", take(win, out / f"inside-{name}-{view}-{size}-{tone}.png"))
            if name == "mnist_cnn":  # Try it, looking inside a drawn 7
                win.results.show_view("try_it")
                panel = win.try_it
                while not panel.ready:
                    settle(100)
                panel.look_inside.setChecked(True)
                panel.canvas.stroke([(60, 60), (220, 60), (130, 250)])
                while panel.inside.answer is None:
                    settle(100)
                settle(500)
                print("wrote", take(win, out / f"try-it-inside-{size}-{tone}.png"))
            win.shutdown()
            win.close()
    app.quit()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="shots", help="folder for the PNGs")
    p.add_argument("--sizes", default="1440x900,1280x720")
    p.add_argument("--dark", action="store_true", help="the dark palette (KERAS_STUDIO_THEME=dark)")
    p.add_argument("--lab-epoch", type=int, default=300, help="grab the lab once its boundary reaches this epoch")
    p.add_argument("--inside", action="store_true", help="the Inside tab and Try it's Look inside, only")
    args = p.parse_args()
    if args.dark:
        os.environ["KERAS_STUDIO_THEME"] = "dark"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="studio-shots-"))
    if args.inside:
        inside_shots(args, out, scratch, "dark" if args.dark else "light")
        return 0
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
