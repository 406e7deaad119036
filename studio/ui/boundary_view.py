"""Two-feature data as TensorFlow Playground shows it: a scatter of the samples coloured by class (or target
value), and beneath it the model's decision boundary (or regression surface) redrawn as each `Boundary`
event arrives from the training child. The points come from studio.data (NumPy), never from a backend.

`PlaneView` is the scatter alone (the Data panel's preview); `BoundaryView` adds the live image and follows
a run (`studio.ui.results.boundary` makes it the results area's "Boundary" tab)."""

from __future__ import annotations

from pathlib import Path
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Signal

from studio.core.run_files import integer, mapping
from studio.core import events as ev
from studio.core.runs import SPEC_FILE, read_boundary, read_json
from studio.core.spec import parse_spec
from studio.data.dataset import Dataset
from studio.data.loaders import load
from studio.data.plane import is_plane, original
from studio.ui import theme

MAX_POINTS = 2000  # a scatter stays quick to draw; the boundary covers the rest
SURFACE_MAP = "viridis"


def shows_plane(ds: Dataset) -> bool:
    """True when the Data panel previews `ds` as a scatter plot (two features)."""
    return is_plane(ds)


def _rgb(color: str) -> np.ndarray:
    c = pg.mkColor(color)
    return np.array([c.red(), c.green(), c.blue()], dtype=np.float32)


class PlaneView(pg.PlotWidget):
    """The samples of two-feature data: x = first feature, y = second, in the data's own units."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.showGrid(x=True, y=True, alpha=0.2)
        self.image = pg.ImageItem(axisOrder="row-major")  # row 0 at the bottom, columns along x
        self.image.setZValue(-10)
        self.addItem(self.image)
        self.legend = self.addLegend(offset=(8, 8), labelTextSize="8pt")
        back = pg.mkColor(theme.colors().background)
        back.setAlpha(200)  # readable over the boundary image
        self.legend.setBrush(back)
        self.scatters: list[pg.ScatterPlotItem] = []
        self.task = "classification"
        self.class_names: list[str] = []
        self.target_range: tuple[float, float] | None = None
        self._targets: np.ndarray | None = None
        self._extent: list[float] | None = None  # the boundary grid's box, once one is drawn
        self._points: np.ndarray | None = None
        theme.style_plot(self)

    def sizeHint(self) -> QSize:  # noqa: N802 - in the Data panel's scroll area: fit beside the form
        return QSize(320, 260)

    def point_count(self) -> int:
        return sum(len(s.data) for s in self.scatters)

    def show_data(self, ds: Dataset) -> PlaneView:
        """Scatter the training samples of `ds` (which `is_plane`); returns self for the caller's stack."""
        for s in self.scatters:
            self.removeItem(s)
        self.scatters = []
        self.legend.clear()
        x = original(ds, ds.x_train)[:MAX_POINTS]
        y = np.asarray(ds.y_train)[:MAX_POINTS]
        names = list(ds.feature_names[:2]) or ["x1", "x2"]
        self.setLabel("bottom", names[0])
        self.setLabel("left", names[1] if len(names) > 1 else "x2")
        self.task, self.class_names = ds.task, list(ds.class_names)
        c = theme.colors()
        outline = pg.mkPen(c.background, width=1)
        if ds.task == "classification":
            for k, name in enumerate(self.class_names):
                mine = x[y.reshape(len(y), -1)[:, 0] == k]
                label = f"class {name}" if name.lstrip("-").isdigit() else name
                s = pg.ScatterPlotItem(mine[:, 0], mine[:, 1], size=8, pen=outline, name=label,
                                       brush=pg.mkBrush(c.series[k % len(c.series)]))
                self.addItem(s)
                self.scatters.append(s)
        else:
            self._points, self._targets = x, y.reshape(len(y), -1)[:, 0].astype(np.float32)
            s = pg.ScatterPlotItem(x[:, 0], x[:, 1], size=8, pen=outline)
            self.addItem(s)
            self.scatters.append(s)
            self._color_targets()
        if self._extent is None:
            self.autoRange()
        return self

    def _color_targets(self) -> None:
        """Regression points coloured on the same scale as the surface beneath them."""
        if self._targets is None or not self.scatters:
            return
        lo, hi = float(self._targets.min()), float(self._targets.max())
        if self.target_range is not None:
            lo, hi = min(lo, self.target_range[0]), max(hi, self.target_range[1])
        t = (self._targets - lo) / (hi - lo) if hi > lo else np.zeros_like(self._targets)
        colors = pg.colormap.get(SURFACE_MAP).map(t, mode="qcolor")
        self.scatters[0].setBrush(colors)


class BoundaryView(PlaneView):
    """The live decision boundary of the run being trained or shown, under its training points."""

    data_loaded = Signal(bool)  # the run's points are drawn; True when its data is two-dimensional
    drawn = Signal(int)  # a boundary image was drawn, for this epoch (0-based)

    def __init__(self, background, parent=None):
        super().__init__(parent)
        self.background = background
        self.epoch: int | None = None
        self.epochs = 0
        self._run: str | None = None
        self.setTitle("Decision boundary: train a model on two-feature data to see it")

    # ------------------------------------------------------------------ a run's data
    def follow(self, run_dir: str, epochs: int = 0) -> None:
        """Show `run_dir`'s training points (loaded in the background) and clear the old boundary."""
        self._run, self.epoch, self.epochs = run_dir, None, epochs
        self.image.clear()
        self.target_range, self._extent = None, None
        spec = read_json(Path(run_dir) / SPEC_FILE)
        if not epochs and isinstance(spec, dict):  # a damaged spec (a list, a string for epochs) shows no count
            self.epochs = integer(mapping(spec.get("training")).get("epochs")) or 0

        def work():
            parsed = parse_spec(spec)
            return load(parsed.data, parsed.training.seed)

        def done(ds, run=run_dir) -> None:
            if run != self._run:
                return
            plane = is_plane(ds)
            if plane:
                self.show_data(ds)
            self.data_loaded.emit(plane)

        def failed(_exc) -> None:  # the training child reports bad data itself
            self.data_loaded.emit(False)

        if not isinstance(spec, dict):
            self.data_loaded.emit(False)
            return
        self.background.submit(work, done, failed)

    def on_started(self, e: ev.Started) -> None:
        self.follow(e.run_dir, e.epochs)

    def load_run(self, run_dir: str) -> bool:
        """A finished run: its points and the last boundary it kept. False when it kept none."""
        b = read_boundary(run_dir)
        self.follow(run_dir)
        if b is not None:
            self.show_boundary(b)
        return b is not None

    # ------------------------------------------------------------------ the boundary
    def show_boundary(self, b: ev.Boundary) -> None:
        values, confidence = b.arrays()
        c = theme.colors()
        rgba = np.zeros(values.shape + (4,), dtype=np.uint8)
        if b.task == "regression":
            self.target_range = (b.low, b.high)
            lo, hi = b.low, b.high
            if self._targets is not None:
                lo, hi = min(lo, float(self._targets.min())), max(hi, float(self._targets.max()))
            t = (values - lo) / (hi - lo) if hi > lo else np.zeros_like(values)
            rgba[..., :3] = pg.colormap.get(SURFACE_MAP).map(t.ravel(), mode="byte")[:, :3].reshape(values.shape + (3,))
            rgba[..., 3] = 170
            self._color_targets()
            what = f"regression surface ({b.low:.3g} … {b.high:.3g})"
        else:
            k = max(b.num_classes, 2)
            palette = np.stack([_rgb(c.series[i % len(c.series)]) for i in range(k)])
            rgba[..., :3] = palette[np.clip(values, 0, k - 1)].astype(np.uint8)
            # shade by how sure the model is: 1/k (a coin toss) is clear, 1 is strong
            strength = np.clip((confidence - 1 / k) / (1 - 1 / k), 0, 1)
            rgba[..., 3] = (25 + 150 * strength).astype(np.uint8)
            what = "decision boundary (shade: confidence)"
        x0, x1, y0, y1 = b.extent
        self.image.setImage(rgba, autoLevels=False)
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.epoch = b.epoch
        of = f" of {self.epochs}" if self.epochs else ""
        self.setTitle(f"Epoch {b.epoch + 1}{of}: {what}", color=c.foreground)
        if b.extent != self._extent:  # a run's first grid frames the view; later ones leave the user's zoom
            self._extent = b.extent
            self.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self.drawn.emit(b.epoch)

    def has_image(self) -> bool:
        return self.image.image is not None
