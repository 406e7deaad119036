"""Data: the source (from the dataset catalogue) and its parameters, normalisation, held-out splits, and a
preview of the samples: an image grid, a series plot or a table. Loading runs in the background."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QLabel, QSizePolicy, QStackedWidget,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from studio.core import datasets
from studio.core.shapes import fmt
from studio.core.spec import parse_spec
from studio.data.loaders import load
from studio.ui import theme
from studio.ui.background import Background
from studio.ui.boundary_view import PlaneView, shows_plane
from studio.ui.checker import Checker
from studio.ui.document import Document
from studio.ui.forms import ParamForm
from studio.ui.panels.common import SectionPanel

PREVIEW_IMAGES = 32
PREVIEW_ROWS = 50


def mosaic(images: np.ndarray, cols: int = 8, pad: int = 1) -> np.ndarray:
    """Images (n, h, w[, c]) tiled into one (rows*h, cols*w[, c]) array with a thin gap, scaled to 0..1."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    lo, hi = float(np.min(images)), float(np.max(images))
    images = (images - lo) / (hi - lo) if hi > lo else images * 0
    n, h, w = images.shape[:3]
    rows = int(np.ceil(n / cols))
    shape = (rows * (h + pad), cols * (w + pad)) + images.shape[3:]
    out = np.zeros(shape, dtype=np.float32)
    for i in range(n):
        r, c = divmod(i, cols)
        out[r * (h + pad): r * (h + pad) + h, c * (w + pad): c * (w + pad) + w] = images[i]
    return out


class ImageGrid(pg.GraphicsLayoutWidget):
    """A grid of images drawn as one ImageItem (one texture, cheap to redraw)."""

    def __init__(self):
        super().__init__()
        self.setBackground(theme.colors().background)
        self.vb = self.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.item = pg.ImageItem(axisOrder="row-major")
        self.vb.addItem(self.item)

    def show_images(self, images: np.ndarray, cols: int = 8) -> None:
        self.item.setImage(mosaic(images, cols), levels=(0, 1))
        self._fit()

    def _fit(self) -> None:
        """The whole mosaic, at the top of the view (a locked aspect would centre it in a tall view)."""
        item = getattr(self, "item", None)  # resize events come before __init__ has made it
        if item is None:
            return
        h, w = item.height() or 0, item.width() or 0
        view = self.vb.size()
        if not h or not w or view.width() <= 0 or view.height() <= 0:
            return
        scale = min(view.width() / w, view.height() / h)
        self.vb.setRange(xRange=(0, view.width() / scale), yRange=(0, view.height() / scale), padding=0)

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        self._fit()


class DataPanel(SectionPanel):
    samples_ready = Signal(object)  # the first training samples (np.ndarray) once loaded, for previews

    def __init__(self, doc: Document, checker: Checker, background: Background, parent: QWidget | None = None):
        super().__init__(doc, parent)
        self.checker, self.background = checker, background
        self.samples: np.ndarray | None = None
        self.kind = "table"
        self._preview_key: str | None = None
        self._source: str | None = None
        self.form: ParamForm | None = None
        outer = QVBoxLayout(self)
        top = QFormLayout()
        outer.addLayout(top)
        self.source = QComboBox()
        for group in ("Inline", "Bundled", "Generated", "Keras", "Your data"):
            for d in datasets.DATASET_LIST:
                if d.group == group:
                    self.source.addItem(f"{d.title}  —  {group}", d.name)
                    self.source.setItemData(self.source.count() - 1, d.help, 3)  # ToolTipRole
        self.source.activated.connect(self._source_changed)
        top.addRow("Source", self.source)
        self.help = QLabel(wordWrap=True)
        self.help.setStyleSheet(f"color: {theme.colors().muted};")
        top.addRow("", self.help)
        self.form_holder = QVBoxLayout()
        outer.addLayout(self.form_holder)
        more = QFormLayout()
        outer.addLayout(more)
        self.normalize = QComboBox()
        self.normalize.addItems(["none", "standard", "minmax"])
        self.normalize.setToolTip("Scale the features; fitted on the training split only")
        self.normalize.activated.connect(lambda i: self.set_field("data", "normalize", self.normalize.itemText(i),
                                                                  "Set normalisation"))
        more.addRow("Normalise", self.normalize)
        self.test = QDoubleSpinBox(minimum=0, maximum=0.9, singleStep=0.05, decimals=2,  # type: ignore[call-arg]
                                   keyboardTracking=False)  # inherited Qt properties: missing from PySide6's stubs
        self.test.setToolTip("Fraction held out for the final test when the data ships no test set")
        self.test.valueChanged.connect(lambda v: self.set_field("data", "test_split", round(v, 4), "Set test split"))
        more.addRow("Test split", self.test)
        self.shuffle = QCheckBox("Shuffle the training data each epoch")
        self.shuffle.toggled.connect(lambda on: self.set_field("data", "shuffle", on, "Set shuffle"))
        more.addRow("", self.shuffle)
        outer.addWidget(self.error)
        self.preview_title = QLabel("Preview")
        self.preview_title.setStyleSheet("font-weight: 600;")
        self.preview_title.setWordWrap(True)
        outer.addWidget(self.preview_title)
        self.stack = QStackedWidget()
        self.message_label = QLabel(wordWrap=True)
        self.grid = ImageGrid()
        self.series = pg.PlotWidget(background=theme.colors().background)
        self.series.showGrid(x=True, y=True, alpha=0.25)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.plane = PlaneView()  # two features: a scatter plot, as TensorFlow Playground shows them
        for w in (self.message_label, self.grid, self.series, self.table, self.plane):
            self.stack.addWidget(w)
        self.stack.setMinimumHeight(180)
        # the previews' own size hints (600×480 plots) would push the panel past the dock; take the room there is
        self.stack.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        outer.addWidget(self.stack, 1)
        self._on_changed()

    def shutdown(self) -> None:
        pass  # loads run on the window's Background, which the window shuts down

    # ------------------------------------------------------------------ document → widgets
    def refresh(self, spec: dict[str, Any]) -> None:
        d = spec["data"]
        self.source.setCurrentIndex(self.source.findData(d["source"]))
        info = datasets.get(d["source"])
        self.help.setText(info.help + ("" if info.offline else " (downloads once; give a local copy to work offline)"))
        values = info.check_params(d.get("params", {})) if info.params else {}
        if d["source"] != self._source:
            self._source = d["source"]
            if self.form is not None:
                self.form.setParent(None)
                self.form.deleteLater()
            self.form = ParamForm(info.params, values)
            self.form.changed.connect(self._param_changed)
            self.form.refused.connect(self.refuse)
            self.form_holder.addWidget(self.form)
        elif self.form is not None:
            self.form.set_values(values)
        self.normalize.setCurrentText(d.get("normalize", "none"))
        self.test.setValue(d.get("test_split", 0.0))
        self.shuffle.setChecked(d.get("shuffle", True))
        self._preview()

    # ------------------------------------------------------------------ widgets → document
    def _source_changed(self, i: int) -> None:
        name = self.source.itemData(i)
        info = datasets.get(name)
        # required parameters without a default (inline x/y) get an example, so the spec stays valid
        params = {p.name: [[0.0, 0.0], [1.0, 1.0]] if p.name == "x" else [0, 1]
                  for p in info.params if p.default is None and not p.optional}

        def mutate(s):
            s["data"]["source"], s["data"]["params"] = name, params
        self.patch(mutate, f"Use {info.title}")

    def _param_changed(self, name: str, value: Any) -> None:
        def mutate(s):
            s["data"].setdefault("params", {})[name] = value
        self.patch(mutate, f"Set data {name}", key=f"data.params.{name}")

    # ------------------------------------------------------------------ preview
    def _preview(self) -> None:
        spec = self.doc.view()
        key = json.dumps([spec["data"], spec["training"].get("seed")], sort_keys=True)
        if key == self._preview_key:
            return
        self._preview_key = key
        data = parse_spec(spec).data
        seed = spec["training"].get("seed")
        # the header describes what is shown: never the previous source's numbers beside this one's message
        self.preview_title.setText(f"Preview — {datasets.get(data.source).title}")
        self.message_label.setText("Loading…")
        self.stack.setCurrentWidget(self.message_label)

        def work():
            ds = load(data, seed)
            return ds

        def done(ds) -> None:
            if key != self._preview_key:
                return
            self._show(ds)

        def failed(exc) -> None:
            if key == self._preview_key:
                self.preview_title.setText(f"Preview — {datasets.get(data.source).title}: not available here")
                self.message_label.setText(f"No preview: {exc}")
                self.stack.setCurrentWidget(self.message_label)

        self.background.submit(work, done, failed)

    def _show(self, ds) -> None:
        n_train, n_val, n_test = ds.sizes()
        what = (f"{len(ds.class_names)} classes" if ds.task == "classification" else "regression")
        self.preview_title.setText(f"Preview — {n_train:,} train / {n_val:,} validation / {n_test:,} test samples "
                                   f"of shape {fmt(tuple(ds.input_shape))}, {what}")
        self.kind = ds.kind
        x = ds.x_train
        if ds.kind == "image" and x.ndim in (3, 4):
            self.samples = x[:PREVIEW_IMAGES]
            self.grid.show_images(self.samples)
            self.stack.setCurrentWidget(self.grid)
        elif ds.kind == "series":
            self.samples = x[:PREVIEW_IMAGES]
            self.series.clear()
            series = ds.extra.get("series")
            if series is not None:
                self.series.plot(np.asarray(series, dtype=float).ravel(), pen=pg.mkPen(theme.colors().series[0]))
            else:
                self.series.plot(np.asarray(x[0], dtype=float).ravel(), pen=pg.mkPen(theme.colors().series[0]))
            self.stack.setCurrentWidget(self.series)
        elif shows_plane(ds):
            self.samples = x[:PREVIEW_IMAGES]
            self.stack.setCurrentWidget(self.plane.show_data(ds))
        else:
            self.samples = x[:PREVIEW_IMAGES]
            flat = x.reshape(len(x), -1)
            names = (ds.feature_names or [f"x{i + 1}" for i in range(flat.shape[1])])[: flat.shape[1]]
            names = list(names) + [f"x{i + 1}" for i in range(len(names), flat.shape[1])]
            rows = min(len(flat), PREVIEW_ROWS)
            cols = min(flat.shape[1], 30)
            self.table.clear()
            self.table.setRowCount(rows)
            self.table.setColumnCount(cols + 1)
            self.table.setHorizontalHeaderLabels(names[:cols] + ["target"])
            for r in range(rows):
                for c in range(cols):
                    self.table.setItem(r, c, QTableWidgetItem(f"{flat[r, c]:.4g}"))
                y = ds.y_train[r]
                named = ds.task == "classification" and ds.class_names
                label = ds.class_names[int(y)] if named else f"{float(np.ravel(y)[0]):.4g}"
                self.table.setItem(r, cols, QTableWidgetItem(label))
            self.table.resizeColumnsToContents()
            self.stack.setCurrentWidget(self.table)
        self.samples_ready.emit(self.samples)
