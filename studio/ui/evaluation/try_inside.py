"""Try it, looking inside: where the final model looked for the user's own input (saliency, Grad-CAM) and what
each block made of it (activations), drawn by studio.core.inside_pictures exactly as the Inside tab draws a
recorded probe. The answers come from Try it's predictor (its "inside" request); no backend here.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from studio.core import inside_pictures as pictures
from studio.ui import theme

VIEWS = {"saliency": "Saliency", "gradcam": "Grad-CAM", "activations": "Activations"}
CAPTIONS = {
    "saliency": "Where a small change of this input moves the predicted class's score most (bright: most)",
    "gradcam": "Grad-CAM: the regions the last convolution used for the predicted class",
    "activations": "What {layer} outputs for this input",
}


class TryInside(QWidget):
    """The picture of one "inside" answer; `show_answer(answer)` keeps the chosen view and layer."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.answer: dict[str, Any] | None = None
        self.view = QComboBox()
        self.view.setToolTip("What to draw for this input")
        for key, title in VIEWS.items():
            self.view.addItem(title, key)
        self.layer = QComboBox()
        self.layer.setToolTip("The block whose output is drawn (Activations)")
        self.caption = QLabel(wordWrap=True)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setMinimumSize(160, 120)
        self.box = self.canvas.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.box.addItem(self.image)
        controls = QHBoxLayout()
        controls.addWidget(self.view, 1)
        controls.addWidget(self.layer, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.caption)
        layout.addWidget(self.canvas, 1)
        self.view.currentIndexChanged.connect(lambda _i: self.redraw())
        self.layer.currentIndexChanged.connect(lambda _i: self.redraw())
        self.apply_theme()

    def apply_theme(self) -> None:
        self.canvas.setBackground(theme.colors().background)

    def clear(self) -> None:
        self.answer = None
        self.image.clear()
        self.caption.setText("")

    def show_answer(self, answer: dict[str, Any]) -> None:
        self.answer = _arrays(answer)
        layers = [str(name) for name in answer.get("layers", [])]
        if layers != [self.layer.itemText(i) for i in range(self.layer.count())]:
            keep = self.layer.currentText()
            self.layer.blockSignals(True)
            self.layer.clear()
            self.layer.addItems(layers)
            self.layer.setCurrentIndex(max(0, self.layer.findText(keep)) if keep in layers else 0)
            self.layer.blockSignals(False)
        gradcam = cast(QStandardItemModel, self.view.model()).item(self.view.findData("gradcam"))
        gradcam.setEnabled("gradcam" in answer)  # only a model with a convolution has one
        if self.view.currentData() == "gradcam" and "gradcam" not in answer:
            self.view.setCurrentIndex(self.view.findData("saliency"))
        self.redraw()

    def values(self) -> np.ndarray | None:
        """The array drawn for the current view (None when the answer has none)."""
        if self.answer is None:
            return None
        view = self.view.currentData()
        if view == "activations":
            return self.answer.get("maps", {}).get(self.layer.currentText())
        if view == "gradcam":
            return self.answer.get("gradcam")
        saliency = self.answer.get("saliency") or []
        return saliency[0] if saliency else None

    def redraw(self) -> None:
        view = self.view.currentData()
        self.layer.setEnabled(view == "activations")
        values = self.values()
        if self.answer is None or values is None:
            self.image.clear()
            return
        try:
            rgb = pictures.sample_picture(view, self.answer.get("x"), values)
        except (ValueError, IndexError) as exc:
            self.caption.setText(f"{VIEWS[view]} cannot be drawn for this input: {exc}")
            self.image.clear()
            return
        self.image.setImage(rgb, levels=(0, 255))
        self.box.autoRange(padding=0.02)
        self.caption.setText(CAPTIONS[view].format(layer=self.layer.currentText()))


def _arrays(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer with its nested lists (as they cross the pipe) as arrays."""
    out = dict(answer)
    for key in ("x", "y", "gradcam"):
        if key in out:
            out[key] = np.asarray(out[key], dtype=np.float32)
    out["maps"] = {name: np.asarray(m, dtype=np.float32) for name, m in (answer.get("maps") or {}).items()}
    out["saliency"] = [np.asarray(s, dtype=np.float32) for s in answer.get("saliency") or []]
    return out
