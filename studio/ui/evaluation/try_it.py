"""Try a trained model by hand: draw a digit, open an image, fill in a table row, or forecast a series; with
"Look inside", see where the model looked for that input and what each block made of it.

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
from PySide6.QtWidgets import (QCheckBox, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QPushButton,
                               QScrollArea, QSpinBox, QStackedWidget, QVBoxLayout, QWidget)

from studio.jobs.evaluate_job import JobError
from studio.jobs.predictor import Predictor
from studio.ui import theme
from studio.ui.evaluation.try_inside import TryInside


CANVAS = 280  # the drawing square, in screen pixels


def pen_width_for(grid: tuple[int, int]) -> int:
    """A stroke as thick, relative to the picture, as the training digits' strokes: about 2 of MNIST's 28
    pixels, and more than one of the 8×8 digits' pixels (a thin line would vanish when shrunk to 8×8)."""
    return int(round(CANVAS * max(0.08, 1.4 / max(min(grid), 1))))


def fill_fraction(grid: tuple[int, int]) -> float:
    """How much of the picture a digit spans: MNIST puts a 20×20 digit in 28×28; the scikit-learn digits
    (8×8, and their 3× upscale) fill the whole square."""
    return 20 / 28 if min(grid) >= 28 else 1.0


def centre_by_mass(ink: np.ndarray, grid: tuple[int, int]) -> np.ndarray:
    """A drawing (H, W floats, any size) as the training digits are made: the inked box scaled to fit the
    digit size, keeping its aspect, and moved so its centre of mass sits in the middle of a `grid` picture."""
    h, w = grid
    rows, cols = np.nonzero(ink > 0.05)
    if not len(rows):
        return np.zeros(grid, dtype=np.float32)
    box = ink[rows.min(): rows.max() + 1, cols.min(): cols.max() + 1]
    scale = fill_fraction(grid) * min(h, w) / max(box.shape)
    bh, bw = max(1, round(box.shape[0] * scale)), max(1, round(box.shape[1] * scale))
    small = _resize(box, bh, bw)
    out = np.zeros(grid, dtype=np.float32)
    mass = small.sum() or 1.0
    cy = (small.sum(axis=1) * np.arange(bh)).sum() / mass
    cx = (small.sum(axis=0) * np.arange(bw)).sum() / mass
    top = int(round((h - 1) / 2 - cy))
    left = int(round((w - 1) / 2 - cx))
    top, left = min(max(top, 0), max(h - bh, 0)), min(max(left, 0), max(w - bw, 0))  # never cut the digit
    out[top: top + bh, left: left + bw] = small[: h - top, : w - left]
    return np.clip(out, 0.0, 1.0)


def _resize(a: np.ndarray, h: int, w: int) -> np.ndarray:
    """Area-average resize of a 2-D float array (QImage's smooth scaling, through an 8-bit image)."""
    img = QImage(np.ascontiguousarray((np.clip(a, 0, 1) * 255).astype(np.uint8)).data, a.shape[1], a.shape[0],
                 a.shape[1], QImage.Format.Format_Grayscale8).copy()
    img = img.scaled(w, h, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)
    return _pixels(img)


def _pixels(img: QImage) -> np.ndarray:
    img = img.convertToFormat(QImage.Format.Format_Grayscale8)
    h, w, bpl = img.height(), img.width(), img.bytesPerLine()
    data = np.frombuffer(img.constBits(), dtype=np.uint8, count=bpl * h).reshape(h, bpl)
    return data[:, :w].astype(np.float32) / 255.0


class DrawingCanvas(QWidget):
    """A square to draw on with the mouse; `array()` is the drawing as the model's (H, W) input: floats in
    [0, 1] (white ink), scaled and centred by mass like the training digits. The pen follows the grid."""

    changed = Signal()

    def __init__(self, height: int = 28, width: int = 28, parent: QWidget | None = None):
        super().__init__(parent)
        self.image = QImage(CANVAS, CANVAS, QImage.Format.Format_Grayscale8)
        self.image.fill(0)
        self.grid = (height, width)
        self._last: QPointF | None = None
        self.setFixedSize(CANVAS, CANVAS)
        self.setCursor(Qt.CursorShape.CrossCursor)

    @property
    def grid(self) -> tuple[int, int]:
        return self._grid

    @grid.setter
    def grid(self, value: tuple[int, int]) -> None:
        self._grid = (int(value[0]), int(value[1]))
        self.pen_width = pen_width_for(self._grid)

    def clear(self, quiet: bool = False) -> None:
        self.image.fill(0)
        self.update()
        if not quiet:
            self.changed.emit()

    def stroke(self, points: list[tuple[float, float]]) -> None:
        """Draw a line through points given in canvas pixels (0..280); used by the mouse and by tests."""
        painter = QPainter(self.image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(255, 255, 255), self.pen_width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                            Qt.PenJoinStyle.RoundJoin))
        if len(points) == 1:
            painter.drawPoint(QPointF(*points[0]))
        for a, b in zip(points, points[1:], strict=False):
            painter.drawLine(QPointF(*a), QPointF(*b))
        painter.end()
        self.update()
        self.changed.emit()

    def ink(self) -> np.ndarray:
        """The drawing itself, (280, 280) floats in [0, 1]."""
        return _pixels(self.image)

    def array(self) -> np.ndarray:
        return centre_by_mass(self.ink(), self.grid)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.drawImage(0, 0, self.image)
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._last = event.position()
        self.stroke([(self._last.x(), self._last.y())])

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._last is None:
            return
        pos = event.position()
        self.stroke([(self._last.x(), self._last.y()), (pos.x(), pos.y())])
        self._last = pos

    def mouseReleaseEvent(self, _event: QMouseEvent) -> None:  # noqa: N802
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
        self._owns_predictor = False
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
        self.series_plot.setLabel("bottom", "time step")
        self.series_plot.setLabel("left", "value")
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
        self.answer.setWordWrap(True)  # a long regression answer must not widen the window
        self.inside = TryInside()
        self.inside.hide()
        answer_box = QVBoxLayout()  # looking inside, the picture takes the bars' place: no wider at 1280×720
        answer_box.addWidget(self.answer)
        answer_box.addWidget(self.bars_plot, 1)
        answer_box.addWidget(self.inside, 1)
        # looking inside: off by default, since each answer then costs a backward pass as well
        self.look_inside = QCheckBox("Look inside")
        self.look_inside.setToolTip("Also show where the model looked for this input (saliency, Grad-CAM) and "
                                    "what each block made of it")
        self.look_inside.setEnabled(False)
        self.look_inside.toggled.connect(self._look_inside_toggled)
        row = QHBoxLayout()  # the input on the left, the model's answer beside it
        row.addWidget(self.pages, 3)
        row.addLayout(answer_box, 2)
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.look_inside)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(row, 1)
        self._last_sample: np.ndarray | None = None
        self._shows_bars = False  # the model is a classifier: its probabilities are drawn as bars
        self.timer = QTimer(self)
        self.timer.setInterval(30)
        self.timer.timeout.connect(self._poll)

    def apply_theme(self) -> None:
        for plot in (self.series_plot, self.bars_plot):
            theme.style_plot(plot)
        self.inside.apply_theme()

    # ------------------------------------------------------------------------------------ model
    def open_model(self, model_path: str | Path, spec: dict | None, backend: str, device: str = "cpu") -> None:
        """Start a predictor for the model; the panel fills in when it is loaded (no waiting here)."""
        predictor = Predictor(model_path, spec, backend, device)
        predictor.launch()
        self.use(predictor, own=True)

    def use(self, predictor: Predictor, own: bool = False) -> None:
        """Answer from a launched predictor; one the panel does not `own` (the results area's) is let go, not
        ended, when the panel closes its model."""
        self.close_model()
        self.predictor, self._owns_predictor = predictor, own
        self.status.setText(f"Loading {Path(predictor.model_path).name} on {predictor.backend} …")
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
        if self.predictor is not None and self._owns_predictor:
            self.predictor.close()
        self.predictor = None
        self.info = {}
        self._last_sample = None
        self.look_inside.setEnabled(False)
        self.inside.clear()

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
        self._shows_bars = task == "classification"
        # a forecast has no single sample to explain; a model of several inputs is not drawn here
        self.look_inside.setEnabled(kind != "series" and int(info.get("inputs", 1)) == 1)
        self._look_inside_toggled(self.looking_inside)  # the bars, or the inside picture in their place
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
            self._last_sample = np.asarray(x, dtype=np.float32)
            op = "inside" if self.looking_inside else "predict"
            self.predictor.submit(self._last_sample[None], op=op)

    @property
    def looking_inside(self) -> bool:
        return self.look_inside.isEnabled() and self.look_inside.isChecked()

    def _look_inside_toggled(self, on: bool) -> None:
        self.inside.setVisible(on)
        self.bars_plot.setVisible(not on and self._shows_bars)
        if on and self._last_sample is not None:  # explain what is already on show
            self.predict(self._last_sample)

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
        self.canvas.clear(quiet=True)  # the answer is about the image now, not an earlier drawing
        self.answer.setText("")
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
            # the last window the model saw and what it forecast; the whole series is a zoom-out away
            window = int((self.info.get("input_shape") or [len(series)])[0] or len(series))
            lo = max(len(series) - 1 - window, 0)
            self.series_plot.setXRange(lo, float(t[-1]), padding=0.03)
            seen = np.r_[series[lo:], v]
            self.series_plot.setYRange(float(np.min(seen)), float(np.max(seen)), padding=0.1)
            self.answer.setText(f"forecast of {len(answer['t'])} steps")
            self.answered.emit(answer)
            return
        if "layers" in answer and self.looking_inside:
            self.inside.show_answer(answer)
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
