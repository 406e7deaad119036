"""GUI figures (a benchmark, not a test): window start to first paint, plot redraw rate with 100,000 points
per curve, and during a short training the live plots' redraw rate and the worst UI-thread stall (a 5 ms
QTimer heartbeat).

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_bench.py [--backend jax] [--seconds 20]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

T0 = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = tempfile.mkdtemp(prefix="keras-studio-bench-")
os.environ.setdefault("XDG_DATA_HOME", _HOME)
os.environ.setdefault("XDG_CONFIG_HOME", _HOME)

import numpy as np  # noqa: E402
from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


class _FirstPaint(QObject):
    def __init__(self):
        super().__init__()
        self.at: float | None = None

    def eventFilter(self, obj, event):  # noqa: N802
        if event.type() == QEvent.Type.Paint and self.at is None:
            self.at = time.perf_counter()
        return False


def first_paint(app) -> tuple[float, object]:
    from studio.ui.main_window import MainWindow

    spy = _FirstPaint()
    app.installEventFilter(spy)
    w = MainWindow(probe_devices=False)
    w.show()
    while spy.at is None and time.perf_counter() - T0 < 30:
        app.processEvents()
    app.removeEventFilter(spy)
    return (spy.at or time.perf_counter()) - T0, w


def redraw_rate(app, w, points: int = 100_000, seconds: float = 3.0) -> dict:
    """Fill every curve with `points` points, then keep appending and redrawing as during training."""
    plots = w.plots
    plots.setup(["loss", "accuracy"])
    rng = np.random.default_rng(0)
    xs = np.linspace(0, 100, points)
    for p in plots.plots.values():
        for s in p.series.values():
            s.extend(xs, rng.random(points))  # a longer series is what a plot redraws
    w.resize(1440, 900)
    app.processEvents()
    frames, worst, t_end = 0, 0.0, time.perf_counter() + seconds
    x = 100.0
    while time.perf_counter() < t_end:
        t = time.perf_counter()
        for _ in range(20):  # the batches that arrive between two redraws
            x += 0.01
            for name, p in plots.plots.items():
                if name != "learning_rate":
                    p.metric.add("raw", x, float(rng.random()))
        plots.redraw()
        plots.view.viewport().repaint()  # force the paint now, as the next frame would
        app.processEvents()
        worst = max(worst, time.perf_counter() - t)
        frames += 1
    return {"points_per_curve": points, "redraws_per_s": round(frames / seconds, 1),
            "worst_redraw_ms": round(worst * 1000, 1)}


def training_stall(app, w, backend: str, seconds: float) -> dict:
    """Train for `seconds` while a 5 ms heartbeat measures the longest gap between its ticks."""
    from studio.core.presets import load_preset

    spec = load_preset("optimization_lab").to_dict()
    spec["training"].update(backend=backend, epochs=100_000, batch_size=2)
    w.doc.load_dict(spec, None)
    gaps: list[float] = []
    last = [time.perf_counter()]

    def beat():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    heart = QTimer()
    heart.setInterval(5)
    heart.timeout.connect(beat)
    heart.start()
    batches = [0]
    w.bridge.batch.connect(lambda _e: batches.__setitem__(0, batches[0] + 1))
    w.train()
    t_start = time.perf_counter()
    first_batch = None
    while time.perf_counter() - t_start < seconds + 60:
        app.processEvents()
        time.sleep(0.001)
        if first_batch is None and batches[0]:
            first_batch = time.perf_counter()
            gaps.clear()  # measure the steady training, not the start (the child imports the backend)
            redraws0 = w.plots.redraws
        if first_batch is not None and time.perf_counter() - first_batch > seconds:
            break
    t_stop = time.perf_counter()
    live_fps = (w.plots.redraws - redraws0) / (t_stop - first_batch) if first_batch else 0.0
    w.bridge.stop()
    while w.bridge.running and time.perf_counter() - t_stop < 30:
        app.processEvents()
        time.sleep(0.001)
    heart.stop()
    if w.bridge.proc is not None:
        w.bridge.proc.close()
    arr = np.array(gaps[1:] or [0.0]) * 1000
    return {"backend": backend, "batch_events": batches[0], "heartbeats": len(arr),
            "worst_stall_ms": round(float(arr.max()), 1), "p99_gap_ms": round(float(np.percentile(arr, 99)), 1),
            "points_plotted": w.plots.point_count().get("loss.raw", 0),
            "plot_redraws_per_s": round(live_fps, 1)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", default="jax")
    ap.add_argument("--seconds", type=float, default=15)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    paint_s, w = first_paint(app)
    result = {"qpa": os.environ["QT_QPA_PLATFORM"], "first_paint_s": round(paint_s, 3),
              "backend_modules_loaded": sorted(m for m in sys.modules if m.split(".")[0] in
                                               ("keras", "tensorflow", "torch", "jax"))}
    result["redraw"] = redraw_rate(app, w)
    result["training"] = training_stall(app, w, args.backend, args.seconds)
    w.shutdown()
    w.doc.undo_stack.setClean()
    w.close()
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
