"""The in-memory dataset every loader returns, and the split/normalise step shared by all of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


class DataError(ValueError):
    """Data that cannot be used, with a message naming the file, column or row and what to do."""


@dataclass
class Dataset:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    task: str = "classification"  # classification | regression
    kind: str = "table"  # table | image | series
    class_names: list[str] = field(default_factory=list)
    feature_names: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. the series itself, the scaler statistics

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.x_train.shape[1:])

    @property
    def num_classes(self) -> int:
        return len(self.class_names) if self.task == "classification" else 0

    @property
    def target_width(self) -> int:
        return 1 if self.y_train.ndim == 1 else int(self.y_train.shape[-1])

    def sizes(self) -> tuple[int, int, int]:
        return tuple(0 if a is None else len(a) for a in (self.x_train, self.x_val, self.x_test))  # type: ignore


def check_finite(x: np.ndarray, where: str) -> None:
    if np.issubdtype(x.dtype, np.floating) and not np.isfinite(x).all():
        bad = np.argwhere(~np.isfinite(x))[0]
        raise DataError(f"{where} holds a NaN or infinite value at index {tuple(int(i) for i in bad)}; "
                        "clean the data or drop that row")


def split(x: np.ndarray, y: np.ndarray, fraction: float, rng: np.random.Generator | None,
          ordered: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hold out `fraction` of the samples: random ones, or the last ones for an `ordered` series."""
    n = len(x)
    k = int(round(n * fraction))
    if fraction > 0 and k == 0:
        k = 1
    if k >= n:
        raise DataError(f"holding out {fraction:.0%} of {n} samples leaves nothing to train on; "
                        "lower validation_split or test_split")
    idx = np.arange(n) if ordered or rng is None else rng.permutation(n)
    keep, held = idx[: n - k], idx[n - k:]
    return x[keep], y[keep], x[held], y[held]


def normalize(ds: Dataset, method: str) -> None:
    """Standardise or min-max scale the features with statistics of the training split only."""
    if method == "none" or ds.kind == "image":
        return
    axes = tuple(range(ds.x_train.ndim - 1))  # per feature (last axis)
    if method == "standard":
        shift = ds.x_train.mean(axis=axes)
        scale = ds.x_train.std(axis=axes)
    elif method == "minmax":
        shift = ds.x_train.min(axis=axes)
        scale = ds.x_train.max(axis=axes) - shift
    else:
        raise DataError(f"unknown normalisation {method!r}; use none, standard or minmax")
    scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
    for name in ("x_train", "x_val", "x_test"):
        arr = getattr(ds, name)
        if arr is not None:
            setattr(ds, name, ((arr - shift) / scale).astype(np.float32))
    ds.extra["normalization"] = {"method": method, "shift": np.asarray(shift).tolist(),
                                 "scale": np.asarray(scale).tolist()}


def finish(ds: Dataset, validation_split: float, test_split: float, method: str, seed: int | None,
           shuffle: bool = True) -> Dataset:
    """Carve the test and validation splits (unless the source ships them), then normalise."""
    rng = np.random.default_rng(seed) if shuffle else None
    ordered = ds.kind == "series"
    if ds.x_test is None and test_split > 0:
        ds.x_train, ds.y_train, ds.x_test, ds.y_test = split(ds.x_train, ds.y_train, test_split, rng, ordered)
    if ds.x_val is None and validation_split > 0:
        frac = validation_split / (1 - test_split) if ds.x_test is not None and test_split else validation_split
        ds.x_train, ds.y_train, ds.x_val, ds.y_val = split(ds.x_train, ds.y_train, min(frac, 0.95), rng, ordered)
    if ds.task == "classification" and len(np.unique(ds.y_train)) < 2:
        raise DataError("the training targets hold a single class; classification needs at least two")
    normalize(ds, method)
    return ds
