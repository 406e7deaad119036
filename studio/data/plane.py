"""Data with exactly two numeric features lies on a plane: the app draws it as a scatter plot and the engine
predicts over a grid of that plane to show the decision boundary (or regression surface). NumPy only, so
the GUI process and the training child share these."""

from __future__ import annotations

import numpy as np

from studio.data.arrays import is_lazy
from studio.data.dataset import Dataset

MARGIN = 0.1  # the grid reaches this share of the data's range beyond its outermost points


def is_plane(ds: Dataset) -> bool:
    """In-memory table data with exactly two features."""
    x = ds.x_train
    return ds.kind == "table" and not is_lazy(x) and getattr(x, "ndim", 0) == 2 and x.shape[1] == 2


def original(ds: Dataset, x: np.ndarray) -> np.ndarray:
    """Features in the data's own units: undo the normalisation the loader applied (if any)."""
    norm = ds.extra.get("normalization")
    if not norm:
        return np.asarray(x, dtype=np.float32)
    return (np.asarray(x, dtype=np.float32) * np.asarray(norm["scale"], np.float32)
            + np.asarray(norm["shift"], np.float32))


def normalized(ds: Dataset, x: np.ndarray) -> np.ndarray:
    """Features in the units the model sees (the inverse of `original`)."""
    norm = ds.extra.get("normalization")
    if not norm:
        return np.asarray(x, dtype=np.float32)
    return ((np.asarray(x, dtype=np.float32) - np.asarray(norm["shift"], np.float32))
            / np.asarray(norm["scale"], np.float32)).astype(np.float32)


def extent(ds: Dataset) -> list[float]:
    """x_min, x_max, y_min, y_max around every split's points, in the data's own units, with a margin."""
    xs = np.concatenate([original(ds, a) for a in (ds.x_train, ds.x_val, ds.x_test) if a is not None and len(a)])
    lo, hi = xs.min(axis=0).astype(float), xs.max(axis=0).astype(float)
    span = np.where(hi > lo, hi - lo, 1.0)
    lo, hi = lo - MARGIN * span, hi + MARGIN * span
    return [float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])]


def grid(box: list[float], size: int) -> np.ndarray:
    """The (size·size, 2) cell centres of `box`, row-major with rows along y (row 0 at y_min)."""
    x0, x1, y0, y1 = box
    xs = x0 + (np.arange(size) + 0.5) * (x1 - x0) / size
    ys = y0 + (np.arange(size) + 0.5) * (y1 - y0) / size
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
