"""NumPy/SciPy stand-ins for the Keras augmentation layers, for the preview grid only (the GUI must not
import Keras). They draw from the same parameter ranges as the Keras layers; the training itself uses Keras."""

from __future__ import annotations

from typing import Any

import numpy as np

_MODE = {"reflect": "reflect", "wrap": "wrap", "constant": "constant", "nearest": "nearest"}


def _each(images: np.ndarray, fn) -> np.ndarray:
    return np.stack([fn(img) for img in images])


def augment(images: np.ndarray, blocks: list[dict[str, Any]], rng: np.random.Generator) -> np.ndarray:
    """Apply each augmentation block (type + resolved params) in order to images (n, h, w, c)."""
    from scipy import ndimage  # on first use: importing it costs the window's start about 0.15 s

    x: np.ndarray = np.array(images, dtype=np.float32)
    for b in blocks:
        kind, p = b["type"], b["params"]
        if kind == "RandomFlip":
            h = p["mode"] in ("horizontal", "horizontal_and_vertical")
            v = p["mode"] in ("vertical", "horizontal_and_vertical")
            x = _each(x, lambda im: (im[:, ::-1] if h and rng.random() < 0.5 else im))
            x = _each(x, lambda im: (im[::-1] if v and rng.random() < 0.5 else im))
        elif kind == "RandomRotation":
            f = p["factor"]
            x = _each(x, lambda im: ndimage.rotate(im, rng.uniform(-f, f) * 360, axes=(1, 0), reshape=False,
                                                   mode=_MODE[p["fill_mode"]], order=1))
        elif kind == "RandomTranslation":
            hf, wf = p["height_factor"], p["width_factor"]
            x = _each(x, lambda im: ndimage.shift(im, (rng.uniform(-hf, hf) * im.shape[0],
                                                       rng.uniform(-wf, wf) * im.shape[1], 0),
                                                  mode=_MODE[p["fill_mode"]], order=1))
        elif kind == "RandomZoom":
            hf = p["height_factor"]
            wf = p["width_factor"] if p.get("width_factor") is not None else None
            x = _each(x, lambda im: _zoom(im, rng, hf, wf, _MODE[p["fill_mode"]]))
        elif kind == "RandomCrop":
            x = _each(x, lambda im: _crop(im, rng, p["height"], p["width"]))
        elif kind == "RandomContrast":
            f = p["factor"]
            x = _each(x, lambda im: (im - im.mean()) * rng.uniform(1 - f, 1 + f) + im.mean())
            x = np.clip(x, 0, p["value_max"])
        elif kind == "RandomBrightness":
            f = p["factor"] * p["value_max"]
            x = _each(x, lambda im: im + rng.uniform(-f, f))
            x = np.clip(x, 0, p["value_max"])
        elif kind == "RandomSaturation" and x.shape[-1] == 3:
            f = p["factor"]
            grey = x.mean(axis=-1, keepdims=True)
            s = rng.uniform(1 - f, 1 + f, size=(len(x), 1, 1, 1))
            x = np.clip(grey + (x - grey) * s, 0, p["value_max"])
        elif kind == "RandomHue" and x.shape[-1] == 3:
            f = p["factor"]
            x = _each(x, lambda im: np.roll(im, 1, axis=-1) * (rng.random() < f) + im * (1 - (rng.random() < f)))
        elif kind == "GaussianNoise":
            x = x + rng.normal(0, p["stddev"], size=x.shape)
    return x


def _zoom(im: np.ndarray, rng, hf: float, wf: float | None, mode: str) -> np.ndarray:
    zh = 1 + rng.uniform(-abs(hf), abs(hf))
    zw = zh if wf is None else 1 + rng.uniform(-abs(wf), abs(wf))
    h, w = im.shape[:2]
    matrix = np.diag([1 / zh, 1 / zw, 1.0])
    offset = [(h - h / zh) / 2, (w - w / zw) / 2, 0]
    from scipy import ndimage

    return ndimage.affine_transform(im, matrix, offset=offset, mode=mode, order=1)


def _crop(im: np.ndarray, rng, height: int, width: int) -> np.ndarray:
    h, w = im.shape[:2]
    height, width = min(height, h), min(width, w)
    top = int(rng.integers(0, h - height + 1))
    left = int(rng.integers(0, w - width + 1))
    return im[top:top + height, left:left + width]
