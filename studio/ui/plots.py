"""Live training curves: loss and each metric (training per batch, raw and smoothed; training and validation
per epoch) and the learning rate, with a hover read-out.

What each curve means, the same on every plot:
- "train (batches)": the metric over just the batches since the previous point (the engine sends
  `batch_<name>`, recovered from Keras' running means; at most 20 points a second, so a point is one batch
  on a slow run and the mean of a few on a fast one). Metrics that are no mean (precision, recall, AUC) have
  none, and neither do runs recorded before it existed, except for their loss.
- "train (smoothed)": a debiased exponential moving average of those points, as TensorBoard draws it (the
  first points are not dragged towards zero), whose memory never spans more than a fifth of an epoch, so it
  does not lag the run when an epoch has only a few points.
- "train (epoch)" and "validation": Keras' figures for each whole epoch, at the epoch's end.
A run whose loss became NaN or infinite gets a red line where it diverged, naming the epoch and batch (1-based).

Curves are created once per run; events only append into preallocated NumPy buffers that double when
full, and a QTimer redraws changed curves at 10 Hz with peak downsampling and clipping to the view, so
100,000 points per curve cost the same frame as a hundred. The shared epoch axis grows in steps (1, 2, 5
× 10^k) instead of with every batch: a crawling axis re-lays out its ticks, and its plots, every frame.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from studio.core import events as ev
from studio.core.runs import read_events, read_metrics
from studio.ui import theme

REDRAW_MS = 100
MAX_MARKERS = 60  # per-epoch curves show a marker per point until they hold more than this (then just a line)
GROWTH = 1.25  # room left on the epoch axis when it grows
SMOOTHING = 0.9  # weight of the past per point in the exponential moving average (TensorBoard's slider)
MEMORY = 0.2  # epochs: the smoothing's time constant never exceeds this, however few points an epoch has

pg.setConfigOptions(antialias=False, useOpenGL=False)


def nice_ceil(x: float) -> float:
    """The smallest of 1, 2, 5 × 10^k that is ≥ x (x > 0)."""
    k = math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * 10 ** k >= x:
            return m * 10 ** k
    return 10 ** (k + 1)


class Series:
    """x/y points in buffers that double when full (amortised O(1) append, no Python lists)."""

    def __init__(self, capacity: int = 1024):
        self.x = np.empty(capacity)
        self.y = np.empty(capacity)
        self.n = 0

    def append(self, x: float, y: float) -> None:
        if self.n == len(self.x):
            self.x = np.concatenate([self.x, np.empty(len(self.x))])
            self.y = np.concatenate([self.y, np.empty(len(self.y))])
        self.x[self.n] = x
        self.y[self.n] = y
        self.n += 1

    def extend(self, xs: np.ndarray, ys: np.ndarray) -> None:
        need = self.n + len(xs)
        if need > len(self.x):
            size = max(need, 2 * len(self.x))
            self.x = np.concatenate([self.x[: self.n], np.empty(size - self.n)])
            self.y = np.concatenate([self.y[: self.n], np.empty(size - self.n)])
        self.x[self.n:need] = xs
        self.y[self.n:need] = ys
        self.n = need

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x[: self.n], self.y[: self.n]

    def nearest(self, x: float) -> tuple[float, float] | None:
        if not self.n:
            return None
        xs = self.x[: self.n]
        i = int(np.clip(np.searchsorted(xs, x), 1, self.n - 1)) if self.n > 1 else 0
        if self.n > 1 and abs(xs[i - 1] - x) < abs(xs[i] - x):
            i -= 1
        return float(xs[i]), float(self.y[i])


class MetricPlot:
    """One metric: raw and smoothed training curves per batch, training and validation per epoch."""

    def __init__(self, plot: pg.PlotItem, name: str, colors: theme.Colors,
                 kinds=("raw", "smooth", "epoch", "val"), legend: bool = True):
        self.plot, self.name = plot, name
        self.shows_legend = legend  # the curves look the same on every plot: one legend (the first plot's) is enough
        plot.setTitle(name.replace("_", " "))
        plot.showGrid(x=True, y=True, alpha=0.25)
        for side in ("left", "bottom"):  # grid lines at labelled ticks only: the minor ones cost a third of a frame
            plot.getAxis(side).setStyle(maxTickLevel=0)
        plot.setLabel("bottom", "epoch")
        # the legend sits where the curve is not: top right for falling metrics (loss, error), bottom right else
        falling = any(k in name for k in ("loss", "error", "mse", "mae"))
        self.legend = plot.addLegend(offset=(-5, 5) if falling else (-5, -5), labelTextSize="8pt",
                                     brush=pg.mkBrush(colors.background + "cc"))
        c0, c1 = colors.series[0], colors.series[1]
        styles = {
            "raw": ("train (batches)", pg.mkPen(c0 + "70", width=1), None),
            "smooth": ("train (smoothed)", pg.mkPen(c0, width=2), None),
            "epoch": ("train (epoch)", pg.mkPen(c0, width=1), "s"),  # solid: Qt paints long dashed paths slowly
            "val": ("validation", pg.mkPen(c1, width=2), "o"),
            "lr": ("learning rate", pg.mkPen(colors.series[2], width=2), "o"),
        }
        self.series: dict[str, Series] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.markers: dict[str, str] = {}  # the curves drawn with markers while they are short
        self.labels: dict[str, str] = {}
        for kind in kinds:
            label, pen, symbol = styles[kind]
            self.labels[kind] = label
            # a curve joins the legend with its first point: many runs have no validation, some metrics no batches
            curve = plot.plot([], [], pen=pen, name=None, symbol=symbol, symbolSize=5,
                              symbolBrush=pen.color() if symbol else None, symbolPen=None)
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            if symbol:
                self.markers[kind] = symbol
            self.curves[kind] = curve
            self.series[kind] = Series()
        self.dirty: set[str] = set()
        # the smoothing's weighted sum, its total weight, the last point's x
        self._ema: tuple[float, float, float | None] = (0.0, 0.0, None)
        self._pinned_y = False  # the y range is set by _flat_y, not automatic
        self.divergence: pg.InfiniteLine | None = None
        self._diverged_pen = pg.mkPen(colors.error, width=2, style=pg.QtCore.Qt.PenStyle.DashDotLine)
        self._error = colors.error
        self._label_fill = pg.mkBrush(colors.background + "dd")
        self.hover = pg.TextItem(anchor=(0, 0), color=colors.foreground, fill=pg.mkBrush(colors.background + "dd"))
        self.hover.setZValue(10)
        self.hover.hide()
        plot.addItem(self.hover, ignoreBounds=True)
        self.vline = pg.InfiniteLine(angle=90, pen=pg.mkPen(colors.muted, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.vline.hide()
        plot.addItem(self.vline, ignoreBounds=True)

    def add(self, kind: str, x: float, y: float) -> None:
        if not math.isfinite(y):
            return
        self.series[kind].append(x, y)
        self.dirty.add(kind)
        if kind == "raw" and "smooth" in self.series:
            self.series["smooth"].append(x, self._smooth(x, y))
            self.dirty.add("smooth")

    def _smooth(self, x: float, y: float) -> float:
        """Debiased EMA: dividing by the total weight given so far (TensorBoard's 1 - w^n) keeps the first points
        from being dragged towards zero; the weight of the past shrinks with the distance to the last point."""
        total, weight, last = self._ema
        keep = SMOOTHING if last is None else min(SMOOTHING, math.exp(-(x - last) / MEMORY))
        total, weight = keep * total + (1 - keep) * y, keep * weight + (1 - keep)
        self._ema = (total, weight, x)
        return total / weight

    def mark_divergence(self, x: float, label: str = "") -> None:
        """A red line where the loss became NaN or infinite (the curves stop there: NaN cannot be drawn)."""
        if self.divergence is None:
            # the label sits left of the line at mid-height: the legend holds the top corner
            opts = {"position": 0.5, "anchors": [(1, 0), (1, 0)], "color": self._error, "fill": self._label_fill}
            self.divergence = pg.InfiniteLine(pos=x, angle=90, pen=self._diverged_pen, label=label or None,
                                              labelOpts=opts)
            self.plot.addItem(self.divergence, ignoreBounds=True)

    def redraw(self) -> None:
        for kind in self.dirty:
            x, y = self.series[kind].data()
            if kind in self.markers:
                # markers are drawn one by one (no downsampling): past a few dozen they only cost frames
                self.curves[kind].setSymbol(self.markers[kind] if len(x) <= MAX_MARKERS else None)
            self.curves[kind].setData(x, y, skipFiniteCheck=True)  # add() already drops NaN/inf
            if self.shows_legend and len(x) and self.legend.getLabel(self.curves[kind]) is None:
                self._relegend()
            if kind == "lr" and len(y):
                top = float(y.max())  # a constant rate would autoscale to ±0.5 around it; show it above 0
                self.plot.setYRange(0, top * 1.15 if top > 0 else 1, padding=0)
        if "lr" not in self.series:
            self._flat_y()
        self.dirty.clear()

    def _flat_y(self) -> None:
        """A single value (a run's first point, or its last before it diverged) would autoscale to a band of
        ±0.5 around it, its tick labels all alike ("30785.6 … 30786.2"): show it from zero instead, until the
        curves hold a spread of values."""
        ys = [s.y[: s.n] for s in self.series.values() if s.n]
        flat = bool(ys) and sum(len(y) for y in ys) <= 8
        if flat:
            lo, hi = min(float(y.min()) for y in ys), max(float(y.max()) for y in ys)
            flat = hi - lo <= 1e-6 * max(abs(lo), abs(hi), 1e-12)
        if flat:
            self.plot.setYRange(min(0.0, lo * 1.15), max(0.0, hi * 1.15) or 1.0, padding=0)
            self._pinned_y = True
        elif self._pinned_y:
            self.plot.enableAutoRange(y=True)
            self._pinned_y = False

    def _relegend(self) -> None:
        """The curves that have points, always in the same order (they get their first points in any order)."""
        self.legend.clear()
        for kind, curve in self.curves.items():
            if self.series[kind].n:
                self.legend.addItem(curve, self.labels[kind])

    def show_hover(self, x: float) -> str:
        lines = []
        for kind, s in self.series.items():
            hit = s.nearest(x)
            if hit is not None:
                label = self.labels[kind]
                lines.append(f"{label}: {hit[1]:.4g} @ {hit[0]:.2f}")
        return "\n".join(lines)


class PlotsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.view = pg.GraphicsLayoutWidget()
        lay.addWidget(self.view)
        self.plots: dict[str, MetricPlot] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self.redraw)
        self.redraws = 0  # redraws that changed something, counted for the benchmark
        self.epochs = 0  # the run's planned epochs, when known: the epoch axis never grows past them
        self.follow = True  # the epoch axis follows the run until the user pans or zooms it
        self.diverged: tuple[float, int, int] | None = None  # x, 1-based epoch and batch where the loss became NaN
        self.apply_theme()
        self.setup(["loss"])
        self.view.scene().sigMouseMoved.connect(self._mouse)

    def apply_theme(self) -> None:
        c = theme.colors()
        self.view.setBackground(c.background)
        pg.setConfigOption("foreground", c.foreground)

    # ------------------------------------------------------------------ layout
    def setup(self, metrics: list[str]) -> None:
        """Fresh plots for `metrics` (loss first) and the learning rate."""
        self.view.clear()
        self.plots.clear()
        c = theme.colors()
        names = [m for m in metrics if not m.startswith("val_")] or ["loss"]
        cols = 2 if len(names) + 1 > 2 else len(names) + 1
        for i, name in enumerate(names + ["learning_rate"]):
            item = self.view.addPlot(row=i // cols, col=i % cols)
            kinds = ("lr",) if name == "learning_rate" else ("raw", "smooth", "epoch", "val")
            self.plots[name] = MetricPlot(item, name, c, kinds, legend=i == 0)  # the learning rate's title says it
            if i:
                item.setXLink(self.plots[names[0]].plot)
            item.vb.enableAutoRange(x=False)  # the epoch axis is ours (see _follow_x); y stays automatic
            item.vb.sigRangeChangedManually.connect(self._manual_range)
        self.plots["learning_rate"].plot.setLogMode(y=False)
        self.follow = True
        self.diverged = None
        self.plots[names[0]].plot.setXRange(0, 1, padding=0)

    def clear(self) -> None:
        self.setup(list(self.plots) if self.plots else ["loss"])

    def start_live(self) -> None:
        self._timer.start()

    def stop_live(self) -> None:
        self._timer.stop()
        self.redraw()

    def shutdown(self) -> None:
        self._timer.stop()

    # ------------------------------------------------------------------ events
    def on_started(self, e: ev.Started) -> None:
        self.epochs = e.epochs
        self.setup([m for m in e.metrics if m != "batch_loss"])

    def on_batch(self, e: ev.BatchEnd) -> None:
        x = e.epoch + e.step / max(e.steps, 1)
        if not math.isfinite(e.logs.get("loss", 0.0)):
            self._diverge(x, e.epoch + 1, e.step)
            return
        for name, p in self.plots.items():
            value = e.logs.get(f"batch_{name}")  # the batches' own value: Keras' running mean lags within an epoch
            if value is not None:
                p.add("raw", x, float(value))

    def on_epoch(self, e: ev.EpochEnd) -> None:
        x = e.epoch + 1.0
        if not math.isfinite(e.logs.get("loss", 0.0)):  # runs recorded before the engine stopped at the NaN batch
            if self.diverged is None:
                self._diverge(x, e.epoch + 1, 0)
            return
        for name, p in self.plots.items():
            if name == "learning_rate":
                p.add("lr", x, float(e.learning_rate))
                continue
            if name in e.logs:
                p.add("epoch", x, float(e.logs[name]))
            if f"val_{name}" in e.logs:
                p.add("val", x, float(e.logs[f"val_{name}"]))

    def _diverge(self, x: float, epoch: int, batch: int) -> None:
        if self.diverged is not None:
            return
        self.diverged = (x, epoch, batch)
        where = f"epoch {epoch}" + (f", batch {batch}" if batch else "")
        for i, p in enumerate(self.plots.values()):
            p.mark_divergence(x, f"loss became NaN/inf\n{where}" if i == 0 else "")
        self._follow_x()

    def redraw(self) -> None:
        changed = False
        for p in self.plots.values():
            if p.dirty:
                p.redraw()
                changed = True
        if changed:
            self._follow_x()
            for p in self.plots.values():
                p.plot.vb.prepareForPaint()  # y ranges now, not in the paint (which would then paint twice)
            self.redraws += 1

    # ------------------------------------------------------------------ the epoch axis
    def _manual_range(self, mask) -> None:
        if mask[0]:
            self.follow = False

    def _last_x(self) -> float:
        """The furthest point of any curve (the series are in x order), 0 when all are empty."""
        right = max((float(s.x[s.n - 1]) for p in self.plots.values() for s in p.series.values() if s.n), default=0.0)
        return max(right, self.diverged[0]) if self.diverged else right

    def _follow_x(self) -> None:
        """Grow the shared epoch axis in steps; pyqtgraph's "A" button (auto range) resumes following."""
        for p in self.plots.values():
            if p.plot.vb.state["autoRange"][0] is not False:
                p.plot.vb.enableAutoRange(x=False)
                self.follow = True
        if not self.follow or not self.plots:
            return
        right = self._last_x()
        if right <= 0:
            return
        master = next(iter(self.plots.values())).plot
        shown = master.vb.viewRange()[0][1]
        if right > shown:
            end = nice_ceil(right * GROWTH)
            if self.epochs >= right:
                end = min(end, float(self.epochs))
            master.setXRange(0, end, padding=0.02)

    def point_count(self) -> dict[str, int]:
        return {f"{name}.{kind}": s.n for name, p in self.plots.items() for kind, s in p.series.items()}

    # ------------------------------------------------------------------ finished runs
    def load_run(self, run_dir) -> bool:
        """Show a finished run's curves again; False when it left nothing to show."""
        events = [ev.from_dict(d) for d in read_events(run_dir) if d.get("event") in ev.EVENT_TYPES]
        started = next((e for e in events if isinstance(e, ev.Started)), None)
        if started is not None:
            self.on_started(started)
            for e in events:
                if isinstance(e, ev.BatchEnd):
                    self.on_batch(e)
                elif isinstance(e, ev.EpochEnd):
                    self.on_epoch(e)
        else:
            cols = read_metrics(run_dir)
            if not cols.get("epoch"):
                return False
            names = [k for k in cols if k not in ("epoch", "learning_rate", "seconds") and not k.startswith("val_")]
            self.setup(names)
            for i, epoch in enumerate(cols["epoch"]):
                for name, p in self.plots.items():
                    if name == "learning_rate" and "learning_rate" in cols:
                        p.add("lr", epoch, cols["learning_rate"][i])
                    elif name in cols:
                        p.add("epoch", epoch, cols[name][i])
                        if f"val_{name}" in cols:
                            p.add("val", epoch, cols[f"val_{name}"][i])
        self.epochs = 0
        self.redraw()
        right = (self._last_x() or 1.0) * (1.08 if self.diverged else 1.0)  # the divergence line off the edge
        next(iter(self.plots.values())).plot.setXRange(0, right, padding=0.02)  # a finished run: all of it
        return True

    # ------------------------------------------------------------------ hover
    def _mouse(self, pos) -> None:
        for p in self.plots.values():
            vb = p.plot.vb
            if p.plot.sceneBoundingRect().contains(pos):
                point = vb.mapSceneToView(pos)
                text = p.show_hover(point.x())
                if text:
                    p.hover.setText(text)
                    p.hover.setPos(point.x(), point.y())
                    p.hover.show()
                    p.vline.setPos(point.x())
                    p.vline.show()
                    continue
            p.hover.hide()
            p.vline.hide()
