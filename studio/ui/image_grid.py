"""A grid of sample images drawn as one pyqtgraph ImageItem: the Data and Augmentation previews."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from studio.ui import theme


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
