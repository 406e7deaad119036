"""Live training curves: loss and each metric (training per batch, raw and smoothed; training and validation
per epoch) and the learning rate, with a hover read-out. The numbers live in `studio.core.curves` (what each
curve means is said there); this module draws them.

A run whose loss became NaN or infinite gets a red line where it diverged, naming the epoch and batch (1-based).

Curves are created once per run; events only append into the core's preallocated buffers, and a QTimer redraws
changed curves at 10 Hz with peak downsampling and clipping to the view, so 100,000 points per curve cost the
same frame as a hundred. The shared epoch axis grows in steps (1, 2, 5 × 10^k) instead of with every batch: a
crawling axis re-lays out its ticks, and its plots, every frame.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from studio.core import events as ev
from studio.core.curves import LABELS, LR, Divergence, MetricSeries, RunCurves, flat_span, nice_ceil
from studio.ui import theme

REDRAW_MS = 100
MAX_MARKERS = 60  # per-epoch curves show a marker per point until they hold more than this (then just a line)
GROWTH = 1.25  # room left on the epoch axis when it grows
__all__ = ["MAX_MARKERS", "MetricPlot", "PlotsPanel", "nice_ceil"]

pg.setConfigOptions(antialias=False, useOpenGL=False)


class MetricPlot:
    """Draws one metric's series (`studio.core.curves.MetricSeries`): a curve per kind, created once, redrawn
    when its series has grown."""

    def __init__(self, plot: pg.PlotItem, metric: MetricSeries, colors: theme.Colors, legend: bool = True):
        self.plot, self.metric, self.name = plot, metric, metric.name
        self.series = metric.series
        self.shows_legend = legend  # the curves look the same on every plot: one legend (the first plot's) is enough
        plot.setTitle(self.name.replace("_", " "))
        plot.showGrid(x=True, y=True, alpha=0.25)
        for side in ("left", "bottom"):  # grid lines at labelled ticks only: the minor ones cost a third of a frame
            plot.getAxis(side).setStyle(maxTickLevel=0)
        plot.setLabel("bottom", "epoch")
        # the legend sits where the curve is not: top right for falling metrics (loss, error), bottom right else
        falling = any(k in self.name for k in ("loss", "error", "mse", "mae"))
        self.legend = plot.addLegend(offset=(-5, 5) if falling else (-5, -5), labelTextSize="8pt",
                                     brush=pg.mkBrush(colors.background + "cc"))
        c0, c1 = colors.series[0], colors.series[1]
        styles = {
            "raw": (pg.mkPen(c0 + "70", width=1), None),
            "smooth": (pg.mkPen(c0, width=2), None),
            "epoch": (pg.mkPen(c0, width=1), "s"),  # solid: Qt paints long dashed paths slowly
            "val": (pg.mkPen(c1, width=2), "o"),
            "lr": (pg.mkPen(colors.series[2], width=2), "o"),
        }
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.markers: dict[str, str] = {}  # the curves drawn with markers while they are short
        self.labels = {kind: LABELS[kind] for kind in self.series}
        self._drawn = {kind: 0 for kind in self.series}  # points each curve holds: a longer series is redrawn
        for kind in self.series:
            pen, symbol = styles[kind]
            # a curve joins the legend with its first point: many runs have no validation, some metrics no batches
            curve = plot.plot([], [], pen=pen, name=None, symbol=symbol, symbolSize=5,
                              symbolBrush=pen.color() if symbol else None, symbolPen=None)
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            if symbol:
                self.markers[kind] = symbol
            self.curves[kind] = curve
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

    @property
    def dirty(self) -> bool:
        return any(s.n != self._drawn[kind] for kind, s in self.series.items())

    def mark_divergence(self, x: float, label: str = "") -> None:
        """A red line where the loss became NaN or infinite (the curves stop there: NaN cannot be drawn)."""
        if self.divergence is None:
            # the label sits left of the line at mid-height: the legend holds the top corner
            opts = {"position": 0.5, "anchors": [(1, 0), (1, 0)], "color": self._error, "fill": self._label_fill}
            self.divergence = pg.InfiniteLine(pos=x, angle=90, pen=self._diverged_pen, label=label or None,
                                              labelOpts=opts)
            self.plot.addItem(self.divergence, ignoreBounds=True)

    def redraw(self) -> None:
        for kind, s in self.series.items():
            if s.n == self._drawn[kind]:
                continue
            self._drawn[kind] = s.n
            x, y = s.data()
            if kind in self.markers:
                # markers are drawn one by one (no downsampling): past a few dozen they only cost frames
                self.curves[kind].setSymbol(self.markers[kind] if len(x) <= MAX_MARKERS else None)
            self.curves[kind].setData(x, y, skipFiniteCheck=True)  # the core already drops NaN/inf
            if self.shows_legend and len(x) and self.legend.getLabel(self.curves[kind]) is None:
                self._relegend()
            if kind == "lr" and len(y):
                top = float(y.max())  # a constant rate would autoscale to ±0.5 around it; show it above 0
                self.plot.setYRange(0, top * 1.15 if top > 0 else 1, padding=0)
        if "lr" not in self.series:
            self._flat_y()

    def _flat_y(self) -> None:
        """A single value is shown from zero (see `flat_span`) until the curves hold a spread of values."""
        span = flat_span([s.y[: s.n] for s in self.series.values()])
        if span is not None:
            self.plot.setYRange(*span, padding=0)
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
        return self.metric.readout(x)


class PlotsPanel(QWidget):
    """The plots of one `RunCurves`: a plot per metric and one for the learning rate, their epoch axes linked."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.view = pg.GraphicsLayoutWidget()
        lay.addWidget(self.view)
        self.curves = RunCurves()
        self.plots: dict[str, MetricPlot] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self.redraw)
        self.redraws = 0  # redraws that changed something, counted for the benchmark
        self.follow = True  # the epoch axis follows the run until the user pans or zooms it
        self.apply_theme()
        self.setup(["loss"])
        self.view.scene().sigMouseMoved.connect(self._mouse)

    @property
    def epochs(self) -> int:
        """The run's planned epochs, when known: the epoch axis never grows past them."""
        return self.curves.epochs

    @epochs.setter
    def epochs(self, value: int) -> None:
        self.curves.epochs = value

    @property
    def diverged(self) -> Divergence | None:
        return self.curves.diverged

    def apply_theme(self) -> None:
        c = theme.colors()
        self.view.setBackground(c.background)
        pg.setConfigOption("foreground", c.foreground)

    # ------------------------------------------------------------------ layout
    def setup(self, metrics: list[str]) -> None:
        """Fresh plots for `metrics` (loss first) and the learning rate."""
        self.curves.setup(metrics)
        self._build()

    def _build(self) -> None:
        """A plot per series of `self.curves`, two to a row."""
        self.view.clear()
        self.plots.clear()
        c = theme.colors()
        names = list(self.curves.metrics)
        cols = 2 if len(names) > 2 else len(names)
        for i, name in enumerate(names):
            item = self.view.addPlot(row=i // cols, col=i % cols)
            self.plots[name] = MetricPlot(item, self.curves.metrics[name], c, legend=i == 0)  # the rate's title says it
            if i:
                item.setXLink(self.plots[names[0]].plot)
            item.vb.enableAutoRange(x=False)  # the epoch axis is ours (see _follow_x); y stays automatic
            item.vb.sigRangeChangedManually.connect(self._manual_range)
        self.plots[LR].plot.setLogMode(y=False)
        self.follow = True
        self.plots[names[0]].plot.setXRange(0, 1, padding=0)
        if self.curves.diverged is not None:
            self._mark_divergence()

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
        self.curves.on_started(e)
        self._build()

    def on_batch(self, e: ev.BatchEnd) -> None:
        if self.curves.on_batch(e):
            self._mark_divergence()

    def on_epoch(self, e: ev.EpochEnd) -> None:
        if self.curves.on_epoch(e):
            self._mark_divergence()

    def _mark_divergence(self) -> None:
        d = self.curves.diverged
        assert d is not None  # called once the core has one
        for i, p in enumerate(self.plots.values()):
            p.mark_divergence(d.x, d.label() if i == 0 else "")
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

    def _follow_x(self) -> None:
        """Grow the shared epoch axis in steps; pyqtgraph's "A" button (auto range) resumes following."""
        for p in self.plots.values():
            if p.plot.vb.state["autoRange"][0] is not False:
                p.plot.vb.enableAutoRange(x=False)
                self.follow = True
        if not self.follow or not self.plots:
            return
        right = self.curves.last_x()
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
        return self.curves.point_count()

    # ------------------------------------------------------------------ finished runs
    def load_run(self, run_dir) -> bool:
        """Show a finished run's curves again; False when it left nothing to show."""
        if not self.curves.load_run(run_dir):
            return False
        self._build()
        self.redraw()
        right = (self.curves.last_x() or 1.0) * (1.08 if self.diverged else 1.0)  # the divergence line off the edge
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
