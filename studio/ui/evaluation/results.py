"""The results of an evaluation beside the training curves: metrics, heat-map, ROC, errors, forecast.

The plots get the room: the overall figures are one line of text, and a classification's scores are one
compact table with a row per class (precision, recall, F1, support) and the macro and weighted averages
below, as in scikit-learn's classification report. The confusion matrix is always drawn whole (it cannot be
panned or zoomed off), and the tabs keep their full names.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QGridLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSplitter,
                               QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from studio.core.safe_paths import output_file_problem, write_text_atomic
from studio.data.evaluation import metrics_csv
from studio.jobs import evaluate_job
from studio.ui import code_trust, theme
from studio.ui.background import Background

_COLORS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
           (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]


def _fmt(v: Any, digits: int = 4) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{v:.{digits}f}" if isinstance(v, float) else str(v)


SCORES = (("precision", "precision"), ("recall", "recall"), ("f1", "F1"), ("support", "support"))
AVERAGED = {"precision_macro", "recall_macro", "f1_macro", "precision_weighted", "recall_weighted", "f1_weighted"}
NAMES = {"roc_auc": "ROC AUC", "r2": "R²", "mse": "MSE", "mae": "MAE", "rmse": "RMSE", "mape": "MAPE"}


def overall_text(doc: dict[str, Any], shown_in_table: bool) -> str:
    """The overall figures as one line ("accuracy 0.8747 · ROC AUC 0.9768"); the averages of the per-class
    scores are left to the table's last rows when it shows them."""
    def name(key: str) -> str:
        if key.startswith("baseline_"):
            return "baseline " + name(key.removeprefix("baseline_"))
        return NAMES.get(key, key.replace("_", " "))

    parts = [f"{name(k)} <b>{_fmt(v)}</b>" for k, v in doc.get("metrics", {}).items()
             if not (shown_in_table and k in AVERAGED)]
    return " · ".join(parts)


def export_plot(widget: pg.PlotWidget | pg.GraphicsLayoutWidget, path: str | Path) -> Path:
    """Write a plot to PNG or SVG (by the file's suffix)."""
    import pyqtgraph.exporters as exporters

    path = Path(path)
    item = widget.getPlotItem() if isinstance(widget, pg.PlotWidget) else widget.scene()
    if path.suffix.lower() == ".svg":
        # pyqtgraph's SVGExporter cannot parse the paths Qt 6.12 writes; Qt's own SVG painter can
        from PySide6.QtCore import QRectF, QSize
        from PySide6.QtGui import QPainter
        from PySide6.QtSvg import QSvgGenerator

        source = item.sceneBoundingRect() if hasattr(item, "sceneBoundingRect") else widget.sceneRect()
        w, h = max(int(source.width()), 1), max(int(source.height()), 1)
        gen = QSvgGenerator()
        gen.setFileName(str(path))
        gen.setSize(QSize(w, h))
        gen.setViewBox(QRectF(0, 0, w, h))
        gen.setTitle(path.stem)
        painter = QPainter(gen)
        try:
            widget.scene().render(painter, QRectF(0, 0, w, h), source)
        finally:
            painter.end()
        if not path.is_file():
            raise OSError(f"could not write {path}")
        return path
    if path.suffix.lower() == ".png":
        exp = exporters.ImageExporter(item)
        exp.parameters()["width"] = max(int(item.sceneBoundingRect().width()) if hasattr(item, "sceneBoundingRect")
                                        else 640, 640)
    else:
        raise ValueError(f"plots export to .png or .svg, not {path.suffix or 'a file without a suffix'}")
    exp.export(str(path))
    return path


class EvaluationView(QWidget):
    """Shows one evaluation document; `show_run(run_dir)` reads it, `evaluate_run(run_dir)` makes it first."""

    evaluated = Signal(dict)
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc: dict[str, Any] = {}
        self.arrays: dict[str, np.ndarray] = {}
        self.run_dir: Path | None = None
        self._bg = Background(self, threads=1)
        self.status = QLabel("No evaluation yet. Evaluate a trained run to see its results here.")
        self.status.setWordWrap(True)
        self.overall = QLabel()
        self.overall.setWordWrap(True)
        self.overall.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # one row per class (the row header names it), then the macro and weighted averages
        self.table = QTableWidget(0, len(SCORES))
        self.table.setHorizontalHeaderLabels([title for _key, title in SCORES])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.setAlternatingRowColors(True)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tabs = QTabWidget()
        self.tabs.setElideMode(Qt.TextElideMode.ElideNone)  # full names; the tab bar asks for their width
        self.tabs.tabBar().setUsesScrollButtons(False)
        self.plots: dict[str, pg.PlotWidget] = {}
        for name, title in (("confusion", "Confusion matrix"), ("roc", "ROC curves"),
                            ("scatter", "Predicted vs actual"), ("forecast", "Forecast")):
            w = pg.PlotWidget()
            theme.style_plot(w, title)
            self.plots[name] = w
        # the confusion matrix is read whole: no panning or zooming it off the view, no auto-range button
        self.plots["confusion"].setMouseEnabled(x=False, y=False)
        self.plots["confusion"].hideButtons()
        self.plots["confusion"].setMenuEnabled(False)
        self.gallery = QWidget()
        self.gallery_layout = QGridLayout(self.gallery)
        gallery_scroll = QScrollArea()
        gallery_scroll.setWidgetResizable(True)
        gallery_scroll.setWidget(self.gallery)
        self._gallery_scroll = gallery_scroll
        self.save_plot_btn = QPushButton("Save plot…")
        self.save_csv_btn = QPushButton("Save metrics CSV…")
        self.save_plot_btn.clicked.connect(self._save_plot_dialog)
        self.save_csv_btn.clicked.connect(self._save_csv_dialog)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_plot_btn)
        buttons.addWidget(self.save_csv_btn)
        buttons.addStretch(1)
        split = QSplitter(Qt.Orientation.Horizontal)  # numbers and pictures side by side, both in view
        self._numbers = numbers = QWidget()  # the table at the top, only as tall as its rows (no empty grid below them)
        numbers_layout = QVBoxLayout(numbers)
        numbers_layout.setContentsMargins(0, 0, 0, 0)
        numbers_layout.addWidget(self.table, 1)  # grows up to its rows' height; the stretch below takes the rest
        numbers_layout.addStretch(0)
        split.addWidget(numbers)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 0)  # the table keeps its columns' width, the plots take the rest
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.status)
        layout.addWidget(self.overall)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self._set_enabled(False)

    # ---------------------------------------------------------------------------------------- input
    def show_run(self, run_dir: str | Path, model: str = "model") -> bool:
        """Show a run's stored evaluation; False when it has none yet."""
        doc = evaluate_job.read_evaluation(run_dir, model)
        if doc is None:
            self.status.setText(f"{Path(run_dir).name} has not been evaluated yet.")
            return False
        self.run_dir = Path(run_dir)
        self.set_evaluation(doc, evaluate_job.read_arrays(run_dir, doc))
        return True

    def evaluate_run(self, run_dir: str | Path, **kwargs: Any) -> None:
        """Evaluate in a child process (the window never waits), then show the result."""
        run_dir = Path(run_dir)
        self.status.setText(f"Evaluating {run_dir.name} …")
        self._set_enabled(False)

        def done(doc: dict) -> None:
            self.run_dir = run_dir
            self.set_evaluation(doc, evaluate_job.read_arrays(Path(doc["path"]).parent, doc))
            self.evaluated.emit(doc)

        def fail(exc: Exception) -> None:
            message = getattr(exc, "message", str(exc))
            self.status.setText(f"Evaluation failed: {message}")
            self.failed.emit(message)

        kwargs.setdefault("allow_code", code_trust.run_trusted(run_dir))  # its own optimizer, when trusted
        self._bg.submit(lambda: evaluate_job.evaluate(run_dir, **kwargs), done, fail)

    def set_evaluation(self, doc: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.doc, self.arrays = doc, arrays
        self.status.setText(f"{doc.get('title', '')}: {doc.get('task')} on the {doc.get('split')} split, "
                            f"{doc.get('samples', 0):,} samples ({doc.get('model')}, {doc.get('backend')})"
                            + (f"; baseline: {doc['baseline']}" if doc.get("baseline") else ""))
        per_class = doc.get("per_class") or []
        self.overall.setText(overall_text(doc, bool(per_class)))
        self._fill_table(per_class, doc.get("metrics", {}))
        while self.tabs.count():
            self.tabs.removeTab(0)
        for w in self.plots.values():
            w.clear()
        if doc.get("task") == "classification":
            self._draw_confusion()
            self._draw_roc()
            self.tabs.addTab(self.plots["confusion"], "Confusion matrix")
            self.tabs.addTab(self.plots["roc"], "ROC")  # short tab names: the plots carry the full titles
        else:
            self._draw_scatter()
            self.tabs.addTab(self.plots["scatter"], "Predicted vs actual")
            if "series" in arrays:
                self._draw_forecast()
                self.tabs.addTab(self.plots["forecast"], "Forecast")
        self._draw_gallery()
        self.tabs.addTab(self._gallery_scroll, "Mistakes" if doc.get("task") == "classification" else "Errors")
        self._set_enabled(True)

    def _fill_table(self, per_class: list[dict[str, Any]], metrics: dict[str, Any]) -> None:
        rows = [(str(c["class"]), c) for c in per_class]
        if per_class and "f1_macro" in metrics:
            total = sum(int(c.get("support", 0)) for c in per_class)
            for avg in ("macro", "weighted"):
                rows.append((f"{avg} avg", {**{k: metrics.get(f"{k}_{avg}") for k in ("precision", "recall", "f1")},
                                            "support": total}))
        self.table.setRowCount(len(rows))
        self.table.setVerticalHeaderLabels([name for name, _scores in rows])
        for i, (_name, scores) in enumerate(rows):
            for j, (key, _title) in enumerate(SCORES):
                item = QTableWidgetItem(_fmt(scores.get(key), 3))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, j, item)
        self._numbers.setVisible(bool(rows))  # a regression has no classes: its plots take the whole width
        self.table.resizeColumnsToContents()
        # exactly as wide as its columns: the plots beside it get the rest
        width = (self.table.verticalHeader().sizeHint().width() + self.table.horizontalHeader().length()
                 + self.table.verticalScrollBar().sizeHint().width() + 2 * self.table.frameWidth())
        self.table.setMinimumWidth(width)
        self.table.setMaximumWidth(width)
        height = (self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
                  + sum(self.table.rowHeight(i) for i in range(self.table.rowCount())))
        self.table.setMaximumHeight(height)  # taller tables scroll within what the view has

    def _set_enabled(self, on: bool) -> None:
        self.save_plot_btn.setEnabled(on)
        self.save_csv_btn.setEnabled(on)

    # ---------------------------------------------------------------------------------------- plots
    def _draw_confusion(self) -> None:
        w = self.plots["confusion"]
        cm = np.asarray(self.doc["confusion"], dtype=float)
        k = len(cm)
        names = self.doc.get("class_names") or [str(i) for i in range(k)]
        rows = cm.sum(axis=1, keepdims=True)
        share = np.divide(cm, rows, out=np.zeros_like(cm), where=rows > 0)  # colour: share of the true class
        img = pg.ImageItem(share.T[:, ::-1])  # x = predicted, y = true (first class at the top)
        img.setLookupTable(pg.colormap.get("viridis").getLookupTable(nPts=256))
        img.setLevels((0, 1))
        w.addItem(img)
        self.confusion_image = img
        self.confusion_labels = []
        if k <= 20:
            for t in range(k):
                for p in range(k):
                    label = pg.TextItem(str(int(cm[t, p])), color="w" if share[t, p] < 0.6 else "k",
                                        anchor=(0.5, 0.5))
                    label.setPos(p + 0.5, k - t - 0.5)
                    w.addItem(label)
                    self.confusion_labels.append(label)
        ticks = [(i + 0.5, names[i]) for i in range(k)]
        w.getAxis("bottom").setTicks([ticks])
        w.getAxis("left").setTicks([[(k - i - 0.5, names[i]) for i in range(k)]])
        w.setLabel("bottom", "predicted")
        w.setLabel("left", "true")
        w.setAspectLocked(True)
        w.setRange(xRange=(0, k), yRange=(0, k), padding=0.02)

    def _draw_roc(self) -> None:
        w = self.plots["roc"]
        w.addLegend(offset=(-10, 10))
        w.plot([0, 1], [0, 1], pen=pg.mkPen((150, 150, 150), style=Qt.PenStyle.DashLine))
        names = self.doc.get("roc_curves", [])
        per_class = {c["class"]: c.get("roc_auc") for c in self.doc.get("per_class", [])}
        self.roc_curves = []
        for i, name in enumerate(names):
            fpr, tpr = self.arrays.get(f"roc_fpr_{i}"), self.arrays.get(f"roc_tpr_{i}")
            if fpr is None:
                continue
            auc = per_class.get(name)
            curve = w.plot(fpr, tpr, pen=pg.mkPen(_COLORS[i % len(_COLORS)], width=2),
                           name=f"{name} (AUC {_fmt(auc)})")
            self.roc_curves.append(curve)
        w.setLabel("bottom", "false positive rate")
        w.setLabel("left", "true positive rate")
        w.setRange(xRange=(0, 1), yRange=(0, 1))

    def _draw_scatter(self) -> None:
        w = self.plots["scatter"]
        y = np.asarray(self.arrays.get("y_true", [])).reshape(-1)
        p = np.asarray(self.arrays.get("y_pred", [])).reshape(-1)
        if not len(y):
            return
        lo, hi = float(min(y.min(), p.min())), float(max(y.max(), p.max()))
        w.plot([lo, hi], [lo, hi], pen=pg.mkPen((150, 150, 150), style=Qt.PenStyle.DashLine))
        self.scatter = pg.ScatterPlotItem(y, p, size=5, brush=pg.mkBrush(31, 119, 180, 160), pen=None)
        w.addItem(self.scatter)
        w.setLabel("bottom", "actual")
        w.setLabel("left", "predicted")

    def _draw_forecast(self) -> None:
        w = self.plots["forecast"]
        w.addLegend()
        series = self.arrays["series"]
        w.plot(np.arange(len(series)), series, pen=pg.mkPen((120, 120, 120)), name="series")
        if "split_t" in self.arrays:
            w.plot(self.arrays["split_t"], self.arrays["y_pred"].reshape(-1), pen=pg.mkPen(_COLORS[0], width=2),
                   name=f"predicted ({self.doc.get('split')})")
        if "forecast_t" in self.arrays and len(self.arrays["forecast_t"]):
            t = np.r_[len(series) - 1, self.arrays["forecast_t"]]
            v = np.r_[series[-1], self.arrays["forecast_v"]]
            self.forecast_curve = w.plot(t, v, pen=pg.mkPen(_COLORS[1], width=2, style=Qt.PenStyle.DashLine),
                                         name="forecast")
        w.setLabel("bottom", "time step")

    def _draw_gallery(self) -> None:
        while self.gallery_layout.count():
            item = self.gallery_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        xs = self.arrays.get("worst_x")
        idx = self.arrays.get("worst_index")
        self.gallery_items = 0
        if xs is None or idx is None or not len(idx):
            self.gallery_layout.addWidget(QLabel("No mistakes on this split." if self.doc.get("task") ==
                                                 "classification" else "No samples."), 0, 0)
            return
        names = self.doc.get("class_names") or []
        y_true = self.arrays.get("y_true")
        y_pred = self.arrays.get("y_pred")
        probs = self.arrays.get("probabilities")
        assert y_true is not None and y_pred is not None  # written beside worst_x
        images = xs.ndim == 4 or (xs.ndim == 3 and self.doc.get("kind") == "image")
        if images:
            for n, (i, x) in enumerate(zip(idx, xs, strict=False)):
                view = pg.GraphicsLayoutWidget()
                view.setFixedSize(110, 110)
                box = view.addViewBox(lockAspect=True, invertY=True)
                img = x[..., 0] if x.shape[-1] == 1 else x
                box.addItem(pg.ImageItem(np.swapaxes(img, 0, 1)))
                t, p = int(y_true[i]), int(y_pred[i])
                conf = float(probs[i, p]) if probs is not None else float("nan")
                caption = QLabel(f"#{int(i)}: {names[t] if t < len(names) else t} → "
                                 f"{names[p] if p < len(names) else p} ({conf:.0%})")
                cell = QWidget()
                lay = QVBoxLayout(cell)
                lay.addWidget(view)
                lay.addWidget(caption)
                self.gallery_layout.addWidget(cell, n // 4, n % 4)
                self.gallery_items += 1
            return
        flat = xs.reshape(len(xs), -1)
        features = self.doc.get("feature_names") or [f"x{j + 1}" for j in range(flat.shape[1])]
        if len(features) != flat.shape[1]:
            features = [f"x{j + 1}" for j in range(flat.shape[1])]
        table = QTableWidget(len(idx), flat.shape[1] + 3)
        table.setHorizontalHeaderLabels(["sample", "true", "predicted"] + features)
        for r, i in enumerate(idx):
            if self.doc.get("task") == "classification":
                t, p = int(y_true[i]), int(y_pred[i])
                true, pred = (names[t] if t < len(names) else str(t)), (names[p] if p < len(names) else str(p))
                if probs is not None:
                    pred += f" ({float(probs[i, p]):.0%})"
            else:
                true, pred = _fmt(float(np.ravel(y_true[i])[0])), _fmt(float(np.ravel(y_pred[i])[0]))
            for c, text in enumerate([str(int(i)), true, pred] + [f"{v:.4g}" for v in flat[r]]):
                table.setItem(r, c, QTableWidgetItem(text))
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.resizeColumnsToContents()
        self.gallery_layout.addWidget(table, 0, 0)
        self.gallery_items = len(idx)

    # ---------------------------------------------------------------------------------------- export
    def current_plot(self) -> pg.PlotWidget | None:
        w = self.tabs.currentWidget()
        return w if isinstance(w, pg.PlotWidget) else None

    def save_plot(self, name: str, path: str | Path) -> Path:
        return export_plot(self.plots[name], path)

    def save_csv(self, path: str | Path) -> Path:
        """The metrics as CSV (the file dialog asked before replacing a file; a run's own files never are)."""
        if problem := output_file_problem(path, "The metrics file", force=True, own_run=self.run_dir):
            raise ValueError(problem)
        return write_text_atomic(path, metrics_csv(self.doc))

    def _save_plot_dialog(self) -> None:
        w = self.current_plot()
        if w is None:
            self.status.setText("Choose a plot tab first.")
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save plot", str(self.run_dir or Path.home()),
                                              "PNG image (*.png);;SVG drawing (*.svg)")
        if path:
            try:
                export_plot(w, path)
                self.status.setText(f"Saved {path}")
            except (OSError, ValueError) as exc:
                self.status.setText(f"Could not save the plot: {exc}")

    def _save_csv_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save metrics", str(self.run_dir or Path.home()),
                                              "CSV (*.csv)")
        if path:
            try:
                self.save_csv(path)
                self.status.setText(f"Saved {path}")
            except OSError as exc:
                self.status.setText(f"Could not save the metrics: {exc.strerror}")
            except ValueError as exc:
                self.status.setText(f"Not saved: {exc}")

    def shutdown(self, wait_ms: int = 5000) -> None:
        """Drop a pending result and wait for a running evaluation's thread."""
        self._bg.shutdown(wait_ms)
