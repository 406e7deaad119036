"""Try a trained model by hand: draw a digit, open an image, fill in a table row, or forecast a series.

Predictions come from a long-lived child (`studio.jobs.predictor.Predictor`); a QTimer polls it, so the
probabilities follow the pen while the window stays responsive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import (QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QPushButton,
                               QScrollArea, QSpinBox, QStackedWidget, QVBoxLayout, QWidget)

from studio.jobs.evaluate_job import JobError
from studio.jobs.predictor import Predictor
from studio.ui import theme


class DrawingCanvas(QWidget):
    """A square to draw on with the mouse; `array()` is the drawing as (H, W) floats in [0, 1] (white ink)."""

    changed = Signal()

    def __init__(self, height: int = 28, width: int = 28, parent: QWidget | None = None):
        super().__init__(parent)
        self.grid = (height, width)
        self.image = QImage(280, 280, QImage.Format.Format_Grayscale8)
        self.image.fill(0)
        self.pen_width = 22
        self._last: QPointF | None = None
        self.setFixedSize(280, 280)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def clear(self) -> None:
        self.image.fill(0)
        self.update()
        self.changed.emit()

    def stroke(self, points: list[tuple[float, float]]) -> None:
        """Draw a line through points given in canvas pixels (0..280); used by the mouse and by tests."""
        painter = QPainter(self.image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(255, 255, 255), self.pen_width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                            Qt.PenJoinStyle.RoundJoin))
        if len(points) == 1:
            painter.drawPoint(QPointF(*points[0]))
        for a, b in zip(points, points[1:]):
            painter.drawLine(QPointF(*a), QPointF(*b))
        painter.end()
        self.update()
        self.changed.emit()

    def array(self) -> np.ndarray:
        h, w = self.grid
        small = self.image.scaled(w, h, Qt.AspectRatioMode.IgnoreAspectRatio,
                                  Qt.TransformationMode.SmoothTransformation)
        small = small.convertToFormat(QImage.Format.Format_Grayscale8)
        ptr = small.constBits()
        data = np.frombuffer(ptr, dtype=np.uint8, count=small.bytesPerLine() * h).reshape(h, small.bytesPerLine())
        return data[:, :w].astype(np.float32) / 255.0

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.drawImage(0, 0, self.image)
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._last = event.position()
        self.stroke([(self._last.x(), self._last.y())])

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._last is None:
            return
        pos = event.position()
        self.stroke([(self._last.x(), self._last.y()), (pos.x(), pos.y())])
        self._last = pos

    def mouseReleaseEvent(self, _event: QMouseEvent) -> None:
        self._last = None


def image_to_input(image: QImage, shape: list[int | None]) -> np.ndarray:
    """An image file's picture as one model input of `shape` (H, W, C), pixels in [0, 1]."""
    h, w, c = (shape + [1])[:3] if len(shape) == 2 else shape[:3]
    h, w, c = h or image.height(), w or image.width(), c or 1
    fmt = QImage.Format.Format_Grayscale8 if c == 1 else QImage.Format.Format_RGB888
    img = image.convertToFormat(fmt).scaled(w, h, Qt.AspectRatioMode.IgnoreAspectRatio,
                                            Qt.TransformationMode.SmoothTransformation)
    bpl = img.bytesPerLine()
    data = np.frombuffer(img.constBits(), dtype=np.uint8, count=bpl * h).reshape(h, bpl)[:, : w * c]
    arr = data.reshape(h, w, c).astype(np.float32) / 255.0
    return arr if len(shape) == 3 else arr[..., 0]


class TryItPanel(QWidget):
    """Try one model: `open_model(model_path, spec_dict, backend)` starts its predictor child."""

    answered = Signal(object)  # the raw model output of the latest request

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.predictor: Predictor | None = None
        self.info: dict[str, Any] = {}
        self.last_output: np.ndarray | None = None
        self.status = QLabel("Open a trained model to try it.")
        self.status.setWordWrap(True)
        self.pages = QStackedWidget()
        # drawing / image page
        self.canvas = DrawingCanvas()
        self.canvas.changed.connect(self._canvas_changed)
        clear = QPushButton("Clear")
        clear.clicked.connect(self.canvas.clear)
        open_image = QPushButton("Open image…")
        open_image.clicked.connect(self._open_image_dialog)
        self.preview = pg.ImageView()
        self.preview.ui.histogram.hide()
        self.preview.ui.roiBtn.hide()
        self.preview.ui.menuBtn.hide()
        self.preview.setFixedSize(120, 120)  # what the model sees, beside the canvas; leaves room for the answer
        draw_page = QWidget()
        dl = QVBoxLayout(draw_page)
        row = QHBoxLayout()
        row.addWidget(self.canvas)
        row.addWidget(self.preview)
        dl.addLayout(row)
        bl = QHBoxLayout()
        bl.addWidget(clear)
        bl.addWidget(open_image)
        bl.addStretch(1)
        dl.addLayout(bl)
        # form page
        self.form_page = QWidget()
        self.form = QFormLayout(self.form_page)
        form_scroll = QScrollArea(widgetResizable=True)  # many columns scroll; the answer stays in view
        form_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        form_scroll.setWidget(self.form_page)
        self.inputs: list[QDoubleSpinBox] = []
        # series page
        series_page = QWidget()
        sl = QVBoxLayout(series_page)
        self.steps = QSpinBox()
        self.steps.setRange(1, 1000)
        self.steps.setValue(50)
        go = QPushButton("Forecast from the last window")
        go.clicked.connect(self.forecast)
        srow = QHBoxLayout()
        srow.addWidget(QLabel("steps"))
        srow.addWidget(self.steps)
        srow.addWidget(go)
        srow.addStretch(1)
        self.series_plot = pg.PlotWidget()
        theme.style_plot(self.series_plot, "Series and forecast")
        sl.addLayout(srow)
        sl.addWidget(self.series_plot)
        self.series_curve = self.series_plot.plot(pen=pg.mkPen((120, 120, 120)))
        self.forecast_curve = self.series_plot.plot(pen=pg.mkPen((255, 127, 14), width=2))
        self.pages.addWidget(draw_page)
        self.pages.addWidget(form_scroll)
        self.pages.addWidget(series_page)
        # the answer
        self.bars_plot = pg.PlotWidget()
        self.bars_plot.setMinimumWidth(180)
        theme.style_plot(self.bars_plot, "Class probabilities")
        self.bars_plot.setYRange(0, 1)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=(31, 119, 180))
        self.bars_plot.addItem(self.bars)
        self.answer = QLabel("")
        answer_box = QVBoxLayout()
        answer_box.addWidget(self.answer)
        answer_box.addWidget(self.bars_plot, 1)
        row = QHBoxLayout()  # the input on the left, the model's answer beside it
        row.addWidget(self.pages, 3)
        row.addLayout(answer_box, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(row, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(30)
        self.timer.timeout.connect(self._poll)

    # ------------------------------------------------------------------------------------ model
    def open_model(self, model_path: str | Path, spec: dict | None, backend: str, device: str = "cpu") -> None:
        """Start a predictor for the model; the panel fills in when it is loaded (no waiting here)."""
        self.close_model()
        self.predictor = Predictor(model_path, spec, backend, device)
        self.predictor.launch()
        self.status.setText(f"Loading {Path(model_path).name} on {backend} …")
        self.timer.start()

    def open_run(self, run_dir: str | Path, checkpoint: str = "model") -> None:
        from studio.jobs.evaluate_job import resolve_target

        target = resolve_target(run_dir, checkpoint=checkpoint)
        self.open_model(target.model, target.spec_dict, target.backend)

    @property
    def ready(self) -> bool:
        return bool(self.info)

    def close_model(self) -> None:
        self.timer.stop()
        if self.predictor is not None:
            self.predictor.close()
        self.predictor = None
        self.info = {}

    def shutdown(self) -> None:
        self.close_model()

    def _loaded(self, info: dict[str, Any]) -> None:
        self.info = info
        shape = info["input_shape"]
        names = info.get("class_names") or []
        task = info.get("task") or ("classification" if names else "")
        kind = info.get("kind") or ("image" if len(shape) >= 2 else "table")
        self.status.setText(f"Model loaded: input {tuple(shape)}, output {tuple(info['output_shape'])}"
                            + (f", {len(names)} classes" if names else ""))
        if kind == "series":
            self.pages.setCurrentIndex(2)
            series = np.asarray(info.get("series", []))
            self.series_curve.setData(np.arange(len(series)), series)
        elif kind == "image" or len(shape) >= 2:
            self.pages.setCurrentIndex(0)
            self.canvas.grid = (int(shape[0] or 28), int(shape[1] or 28))
        else:
            self.pages.setCurrentIndex(1)
            self._build_form(info)
        self.bars_plot.setVisible(task == "classification")
        if names:
            self.bars_plot.getAxis("bottom").setTicks([[(i, n) for i, n in enumerate(names)]])

    def _build_form(self, info: dict[str, Any]) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.inputs = []
        width = int(info["input_shape"][0] or 1)
        names = info.get("feature_names") or []
        ranges = info.get("feature_ranges") or []
        for j in range(width):
            box = QDoubleSpinBox()
            box.setDecimals(4)
            lo, hi, mid = ranges[j] if j < len(ranges) else (-1e6, 1e6, 0.0)
            span = (hi - lo) or 1.0
            box.setRange(lo - 10 * span, hi + 10 * span)
            box.setSingleStep(span / 100)
            box.setValue(mid)
            box.valueChanged.connect(self._form_changed)
            self.inputs.append(box)
            self.form.addRow(names[j] if j < len(names) else f"x{j + 1}", box)
        self._form_changed()

    # ------------------------------------------------------------------------------------ requests
    def predict(self, x: np.ndarray) -> None:
        """Ask for a prediction of one sample (shape of one input, no batch axis)."""
        if self.predictor is not None and self.ready:
            self.predictor.submit(np.asarray(x, dtype=np.float32)[None])

    def _canvas_changed(self) -> None:
        x = self.canvas.array()
        self.preview.setImage(x.T, levels=(0, 1))
        self.predict(self._fit_image(x[..., None]))

    def _fit_image(self, x: np.ndarray) -> np.ndarray:
        shape = self.info.get("input_shape") or list(x.shape)
        if len(shape) == 3 and shape[2] and shape[2] > 1:
            x = np.repeat(x, shape[2], axis=2)
        return x if len(shape) == 3 else x[..., 0]

    def open_image(self, path: str | Path) -> None:
        image = QImage(str(path))
        if image.isNull():
            self.status.setText(f"Cannot read {Path(path).name} as an image")
            return
        x = image_to_input(image, list(self.info.get("input_shape") or [28, 28, 1]))
        self.preview.setImage(np.asarray(x)[..., 0].T if np.ndim(x) == 3 else np.asarray(x).T, levels=(0, 1))
        self.predict(x)

    def _open_image_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open an image", str(Path.home()),
                                              "Images (*.png *.jpg *.jpeg *.bmp *.gif)")
        if path:
            self.open_image(path)

    def form_values(self) -> np.ndarray:
        raw = np.array([b.value() for b in self.inputs], dtype=np.float64)
        norm = self.info.get("normalization")
        if norm:
            raw = (raw - np.asarray(norm["shift"])) / np.asarray(norm["scale"])
        return raw.astype(np.float32)

    def _form_changed(self) -> None:
        if self.inputs:
            self.predict(self.form_values())

    def forecast(self) -> None:
        if self.predictor is not None and self.ready:
            self.predictor.submit(None, op="forecast", steps=int(self.steps.value()))

    def _poll(self) -> None:
        if self.predictor is None:
            return
        if not self.ready:
            try:
                if self.predictor.ready(0):
                    self._loaded(self.predictor.info)
            except JobError as exc:
                self.status.setText(f"Cannot try this model: {exc.message}")
                self.close_model()
            return
        answer = self.predictor.poll()
        if answer is None:
            return
        if "error" in answer:
            self.status.setText(f"Prediction failed: {answer['error']}")
            if not self.predictor.alive:
                self.close_model()
            return
        if "t" in answer:
            series = np.asarray(answer["series"])
            self.series_curve.setData(np.arange(len(series)), series)
            t = np.r_[len(series) - 1, answer["t"]]
            v = np.r_[series[-1], answer["v"]]
            self.forecast_curve.setData(t, v)
            self.answer.setText(f"forecast of {len(answer['t'])} steps")
            self.answered.emit(answer)
            return
        self._show_output(np.asarray(answer["y"])[0])

    def _show_output(self, y: np.ndarray) -> None:
        self.last_output = y
        names = self.info.get("class_names") or []
        if names:
            y = np.ravel(y)
            probs = np.array([1 - y[0], y[0]]) if len(y) == 1 else y
            if probs.min() < 0 or abs(probs.sum() - 1) > 1e-3:
                e = np.exp(probs - probs.max())
                probs = e / e.sum()
            self.bars.setOpts(x=np.arange(len(probs)), height=probs)
            best = int(np.argmax(probs))
            self.answer.setText(f"{names[best] if best < len(names) else best}  ({probs[best]:.1%})")
            self.probabilities = probs
        else:
            self.answer.setText("prediction: " + ", ".join(f"{v:.4g}" for v in np.ravel(y)))
        self.answered.emit(y)
