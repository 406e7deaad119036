"""The in-memory dataset every loader returns, and the split/normalise step shared by all of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from studio.data.arrays import check_finite_lazy, is_lazy, stats_lazy
from studio.data.errors import DataError

__all__ = ["DataError", "Dataset", "check_finite", "finish", "impute_missing", "naive_baseline", "normalize", "split"]


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


def check_finite(x: Any, where: str, allow_nan: bool = False) -> None:
    """Refuse NaN (unless `allow_nan`: missing values imputed later) and infinite values, naming the row."""
    if is_lazy(x):
        check_finite_lazy(x, where)
        return
    if not np.issubdtype(x.dtype, np.floating):
        return
    bad_mask = np.isinf(x) if allow_nan else ~np.isfinite(x)
    if bad_mask.any():
        bad = tuple(int(i) for i in np.argwhere(bad_mask)[0])
        what = "an infinite" if allow_nan or np.isinf(x[bad]) else "a NaN"
        at = f"row {bad[0]}" + (f", position {bad[1:]}" if len(bad) > 2 else f", column {bad[1]}" if len(bad) == 2
                                 else "")
        raise DataError(f"{where} holds {what} value at {at}; clean the data or drop that row")


def split(x: np.ndarray, y: np.ndarray, fraction: float, rng: np.random.Generator | None,
          ordered: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hold out `fraction` of the samples: random ones, or the last ones for an `ordered` series."""
    n = len(x)
    k = int(round(n * fraction))
    if fraction > 0 and k == 0:
        k = 1
    if k >= n or n - k < 1:
        raise DataError(f"holding out {fraction:.0%} of {n} samples leaves nothing to train on; "
                        "lower validation_split or test_split")
    idx = np.arange(n) if ordered or rng is None else rng.permutation(n)
    keep, held = idx[: n - k], idx[n - k:]
    return x[keep], y[keep], x[held], y[held]


def normalize(ds: Dataset, method: str) -> None:
    """Standardise or min-max scale the features with statistics of the training split only.

    Images are left as they are (their loaders already scale pixels to [0, 1]). For a series the target is
    the same quantity as the inputs, so it is scaled with the same statistics (a change-from-last-value
    target only by the scale); `extra["target_scale"]` says how to turn predictions back.
    """
    if method == "none" or ds.kind == "image":
        return
    if method not in ("standard", "minmax"):
        raise DataError(f"unknown normalisation {method!r}; use none, standard or minmax")
    if is_lazy(ds.x_train):
        shift, scale = stats_lazy(ds.x_train, method)
    else:
        axes = tuple(range(ds.x_train.ndim - 1))  # per feature (last axis)
        if ds.kind == "series":
            axes = tuple(range(ds.x_train.ndim))  # one statistic for the whole series
        if method == "standard":
            shift, scale = ds.x_train.mean(axis=axes), ds.x_train.std(axis=axes)
        else:
            shift = ds.x_train.min(axis=axes)
            scale = ds.x_train.max(axis=axes) - shift
    scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
    shift = np.asarray(shift, dtype=np.float32)
    for name in ("x_train", "x_val", "x_test"):
        arr = getattr(ds, name)
        if arr is None:
            continue
        if is_lazy(arr):
            setattr(ds, name, arr.with_transform(shift, scale))
        else:
            setattr(ds, name, ((arr - shift) / scale).astype(np.float32))
    ds.extra["normalization"] = {"method": method, "shift": shift.tolist(), "scale": scale.tolist()}
    if ds.kind == "series" and ds.task == "regression":
        y_shift = 0.0 if ds.extra.get("relative") else float(np.ravel(shift)[0])
        y_scale = float(np.ravel(scale)[0])
        for name in ("y_train", "y_val", "y_test"):
            arr = getattr(ds, name)
            if arr is not None:
                setattr(ds, name, ((arr - y_shift) / y_scale).astype(np.float32))
        ds.extra["target_scale"] = {"shift": y_shift, "scale": y_scale}


def impute_missing(ds: Dataset) -> None:
    """Fill missing feature values (NaN) with the column's mean over the training split only."""
    if not ds.extra.get("missing"):
        return
    means = np.nanmean(ds.x_train, axis=0) if len(ds.x_train) else None
    names = ds.feature_names or [f"column {i}" for i in range(ds.x_train.shape[1])]
    filled = {}
    for j in np.flatnonzero(np.isnan(means)):
        raise DataError(f"{ds.extra.get('file', 'the data')}: column `{names[j]}` has no value in the training "
                        "split; leave the column out or fill it")
    for name in ("x_train", "x_val", "x_test"):
        arr = getattr(ds, name)
        if arr is None:
            continue
        rows, cols = np.nonzero(np.isnan(arr))
        arr[rows, cols] = means[cols]
    for j in range(len(means)):
        filled[names[j]] = float(means[j])
    ds.extra["imputed_means"] = filled


def naive_baseline(ds: Dataset) -> dict[str, dict[str, float]]:
    """Errors of "repeat the last value" on each split of a series, in the units the model trains on.

    The prediction for `horizon` steps ahead is the last value of the window (after scaling), or a change
    of zero when the target is the change from that value.
    """
    out: dict[str, dict[str, float]] = {}
    if ds.kind != "series" or ds.task != "regression":
        return out
    for split_name, x, y in (("train", ds.x_train, ds.y_train), ("validation", ds.x_val, ds.y_val),
                             ("test", ds.x_test, ds.y_test)):
        if x is None or len(x) == 0:
            continue
        x = np.asarray(x)
        guess = np.zeros(len(y), dtype=np.float64) if ds.extra.get("relative") else x[:, -1, 0].astype(np.float64)
        err = np.asarray(y, dtype=np.float64).reshape(len(y), -1)[:, 0] - guess
        out[split_name] = {"mse": float(np.mean(err ** 2)), "mae": float(np.mean(np.abs(err)))}
    return out


def finish(ds: Dataset, validation_split: float, test_split: float, method: str, seed: int | None,
           shuffle: bool = True) -> Dataset:
    """Carve the test and validation splits (unless the source ships them), impute, normalise, and for a
    series compute the naive baseline."""
    rng = np.random.default_rng(seed) if shuffle else None
    ordered = ds.kind == "series"
    if ds.x_test is None and test_split > 0:
        ds.x_train, ds.y_train, ds.x_test, ds.y_test = split(ds.x_train, ds.y_train, test_split, rng, ordered)
    if ds.x_val is None and validation_split > 0:
        frac = validation_split / (1 - test_split) if ds.x_test is not None and test_split else validation_split
        ds.x_train, ds.y_train, ds.x_val, ds.y_val = split(ds.x_train, ds.y_train, min(frac, 0.95), rng, ordered)
    if ds.task == "classification" and len(np.unique(ds.y_train)) < 2:
        where = ds.extra.get("target_label", "the training targets")
        only = ds.class_names[int(ds.y_train[0])] if len(ds.y_train) and ds.class_names else "?"
        raise DataError(f"{where} hold a single class ({only!r}) in the training split; classification needs at "
                        "least two classes — add samples of another class or choose another target")
    impute_missing(ds)
    normalize(ds, method)
    if ds.kind == "series" and ds.task == "regression":
        ds.extra["naive_baseline"] = naive_baseline(ds)
    return ds
