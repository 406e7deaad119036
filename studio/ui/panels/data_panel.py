"""Data: the source (from the dataset catalogue) and its parameters, normalisation, held-out splits, and a
preview of the samples: an image grid, a series plot or a table. Loading runs in the background."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QLabel, QSizePolicy, QStackedWidget,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from studio.core import datasets
from studio.core.shapes import fmt
from studio.core.spec import DATA_LOADING_FIELDS, DataSpec, data_loading_key, parse_spec
from studio.data.loaders import load
from studio.data.plane import is_plane
from studio.ui import theme
from studio.ui.background import Background
from studio.ui.checker import Checker
from studio.ui.deferred import Deferred
from studio.ui.document import Document
from studio.ui.forms import ParamForm, field_param, float_range, tooltip
from studio.ui.panels.common import SectionPanel

PREVIEW_IMAGES = 32
PREVIEW_ROWS = 50
SPLIT_DECIMALS = 2


def image_grid():
    from studio.ui.image_grid import ImageGrid

    return ImageGrid()


def _series_plot():
    import pyqtgraph as pg

    plot = pg.PlotWidget(background=theme.colors().background)
    plot.showGrid(x=True, y=True, alpha=0.25)
    return plot


def _plane_view():
    from studio.ui.boundary_view import PlaneView

    return PlaneView()


class DataPanel(SectionPanel):
    # what the preview loads: the data fields but augmentation (its own panel), with the run's seed
    sections = (*(("data", name) for name in DATA_LOADING_FIELDS), ("training", "seed"))
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
        # choices, ranges and help from the spec's fields, read as the panel is built
        normalize, test_split, shuffle = (field_param(DataSpec, n) for n in ("normalize", "test_split", "shuffle"))
        self.normalize = QComboBox()
        self.normalize.addItems(list(normalize.choices))
        self.normalize.setToolTip(tooltip(normalize))
        self.normalize.activated.connect(lambda i: self.set_field(("data", "normalize"), self.normalize.itemText(i),
                                                                  "Set normalisation"))
        more.addRow("Normalise", self.normalize)
        self.test = QDoubleSpinBox(singleStep=0.05, decimals=SPLIT_DECIMALS)
        self.test.setKeyboardTracking(False)
        self.test.setRange(*float_range(test_split, SPLIT_DECIMALS))
        self.test.setToolTip(tooltip(test_split))
        self.test.valueChanged.connect(lambda v: self.set_field(("data", "test_split"), round(v, 4), "Set test split"))
        more.addRow("Test split", self.test)
        self.shuffle = QCheckBox(shuffle.help)
        self.shuffle.toggled.connect(lambda on: self.set_field(("data", "shuffle"), on, "Set shuffle"))
        more.addRow("", self.shuffle)
        outer.addWidget(self.error)
        self.preview_title = QLabel("Preview")
        self.preview_title.setStyleSheet("font-weight: 600;")
        self.preview_title.setWordWrap(True)
        outer.addWidget(self.preview_title)
        self.stack = QStackedWidget()
        self.message_label = QLabel(wordWrap=True)
        # under the preview's title, not centred in the empty room below it
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # the previews are built when first shown: the window's first paint does not wait for pyqtgraph
        self.grid = Deferred(image_grid)
        self.series = Deferred(_series_plot)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.plane = Deferred(_plane_view)  # two features: a scatter plot, as TensorFlow Playground shows them
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
        else:
            assert self.form is not None  # built on the first call: the source starts unset
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
        key = data_loading_key(spec)
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
            images = self.samples  # the samples of now, should the grid be built later
            self.grid.call(lambda grid: grid.show_images(images))
            self.stack.setCurrentWidget(self.grid)
        elif ds.kind == "series":
            self.samples = x[:PREVIEW_IMAGES]
            series = ds.extra.get("series")
            values = np.asarray(series if series is not None else x[0], dtype=float).ravel()
            self.series.call(lambda plot: (plot.clear(), plot.plot(values, pen=theme.colors().series[0])))
            self.stack.setCurrentWidget(self.series)
        elif is_plane(ds):
            self.samples = x[:PREVIEW_IMAGES]
            self.plane.call(lambda plane: plane.show_data(ds))
            self.stack.setCurrentWidget(self.plane)
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
