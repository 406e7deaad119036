"""What a model that learned nothing scores on this data: the accuracy of always answering the majority class,
the loss of predicting the class frequencies or the mean, and for a series the error of repeating the last value.
A run that does not beat these has learned nothing usable, whatever its curve looks like."""

from __future__ import annotations

import math

from studio.core.coach.history import RunHistory

CROSSENTROPY = ("sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy")


def head_classes(h: RunHistory) -> int:
    """Classes the model's head tells apart (a single sigmoid unit: 2), 0 when unknown."""
    if h.data.num_classes:
        return h.data.num_classes
    if h.spec is None or not h.spec.model.blocks:
        return 0
    units = int(h.spec.model.blocks[-1].params.get("units", 0) or 0)
    return 2 if units == 1 and h.loss() == "binary_crossentropy" else units if units > 1 else 0


def majority_accuracy(h: RunHistory) -> float | None:
    """The accuracy of always answering the most frequent training class (1/k when the counts are unknown)."""
    counts = h.data.class_counts
    if counts and sum(counts):
        return max(counts) / sum(counts)
    k = head_classes(h)
    return 1 / k if k >= 2 else None


def baseline_loss(h: RunHistory) -> tuple[float, str] | None:
    """The loss of a model that learned nothing, and how it was worked out; None when it cannot be known."""
    loss, d = h.loss(), h.data
    smoothing = h.spec.regularization.label_smoothing if h.spec is not None else 0.0
    if loss in CROSSENTROPY and d.class_counts and sum(d.class_counts) and not smoothing:
        total = sum(d.class_counts)
        entropy = -sum(c / total * math.log(c / total) for c in d.class_counts if c)
        return entropy, "predicting the class frequencies for every sample"
    if loss == "mean_squared_error" and d.target_var is not None:
        return d.target_var, "predicting the training mean for every sample"
    if loss == "mean_absolute_error" and d.target_mean_abs_dev is not None:
        return d.target_mean_abs_dev, "predicting the training median for every sample"
    return None


def naive_series_loss(h: RunHistory, split: str = "validation") -> float | None:
    """For a series: the loss of repeating the last value seen, in the loss's units (mse or mae)."""
    errors = h.data.naive_baseline.get(split) or {}
    key = {"mean_squared_error": "mse", "mean_absolute_error": "mae"}.get(h.loss())
    value = errors.get(key) if key else None
    return float(value) if value is not None else None
