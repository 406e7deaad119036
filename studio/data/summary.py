"""The coach's DataSummary of a loaded dataset: sample and class counts, and each feature's mean and spread as
the model sees it (after the spec's normalisation). Reads at most SAMPLE_ROWS training samples, so a summary
stays cheap on large or lazily read data."""

from __future__ import annotations

from typing import Any

import numpy as np

from studio.core import datasets
from studio.core.analysis import DataShape
from studio.core.coach.data_summary import LEAK_SHARE, DataSummary
from studio.data.dataset import Dataset
from studio.data.loaders import data_shape, load

SAMPLE_ROWS = 5000  # enough rows for a mean and std to two digits; reading more costs time on image folders
MAX_FEATURES = 4096  # per-feature figures for at most this many (a 64×64×3 image has 12,288 values per sample)


def summarize(ds: Dataset, normalize: str = "none") -> DataSummary:
    n_train, n_val, n_test = ds.sizes()
    out = DataSummary(train_samples=n_train, val_samples=n_val, test_samples=n_test, task=ds.task, kind=ds.kind,
                      normalize=normalize, feature_names=list(ds.feature_names),
                      naive_baseline=dict(ds.extra.get("naive_baseline") or {}))
    y = np.asarray(ds.y_train)
    if ds.task == "classification" and y.ndim == 1 and len(y):
        out.class_counts = np.bincount(y.astype(np.int64), minlength=ds.num_classes).tolist()
    elif ds.task == "regression" and len(y):
        target = y.reshape(len(y), -1)[:, 0].astype(np.float64)
        out.target_mean, out.target_var = float(target.mean()), float(target.var())
        out.target_mean_abs_dev = float(np.mean(np.abs(target - np.median(target))))
    if n_train and ds.kind != "image":
        rows = np.linspace(0, n_train - 1, min(n_train, SAMPLE_ROWS)).astype(np.int64)
        x = np.asarray(ds.x_train[rows], dtype=np.float64)
        x = x.reshape(-1, x.shape[-1]) if x.ndim > 1 else x.reshape(-1, 1)
        if x.shape[1] <= MAX_FEATURES:
            out.feature_means = x.mean(axis=0).tolist()
            out.feature_stds = x.std(axis=0).tolist()
        if ds.kind == "table" and y.ndim == 1 and len(y) == n_train:
            out.leaky_features = _leaky(x, y[rows], ds.task, out.feature_names)
    return out


def _leaky(x: np.ndarray, y: np.ndarray, task: str, names: list[str]) -> list[str]:
    """The features that alone give the target away (a share of its variance of at least LEAK_SHARE)."""
    out = []
    y = y.astype(np.float64)
    for j in range(x.shape[1]):
        col = x[:, j]
        total = col.var()
        if not total > 0:
            continue
        if task == "classification":  # η²: how much of the feature's spread lies between the classes
            within = sum(col[y == c].var() * np.mean(y == c) for c in np.unique(y))
            share = 1 - within / total
        elif y.var() > 0:
            share = float(np.corrcoef(col, y)[0, 1] ** 2)
        else:
            continue
        if share >= LEAK_SHARE:
            out.append(names[j] if j < len(names) else f"feature {j}")
    return out


def shape_and_summary(data_spec: Any, seed: int | None = None) -> tuple[DataShape | None, DataSummary | None]:
    """What `loaders.data_shape` gives, and the coach's summary from the same single load; no summary for the
    Keras downloads, whose shape is known without loading them (and which need Keras to load)."""
    info = datasets.get(data_spec.source)
    if info.group == "Keras" and not data_spec.params.get("path"):
        return data_shape(data_spec, seed), None
    ds = load(data_spec, seed, keep_lazy=True)
    return DataShape(ds.input_shape, ds.task, ds.num_classes, ds.target_width), summarize(ds, data_spec.normalize)


def summary_for(spec: Any) -> DataSummary | None:
    """The coach's summary of a run spec's data, loaded once without Keras; None for a Keras download or data
    that fails to load (the training reports what is wrong with it; the coach then reads the curves alone)."""
    from studio.data.dataset import DataError

    try:
        summary = shape_and_summary(spec.data, spec.training.seed)[1]
    except (DataError, OSError, ValueError):
        return None
    if summary is not None:
        summary.normalize = spec.data.normalize
    return summary
