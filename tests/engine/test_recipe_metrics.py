"""Metrics that apply only to a binary head are left out of a softmax run, every one of them: dropping the first
once let the next in (precision then recall on ten classes crashed the run on a shape mismatch). Imports keras
(seconds), so it is slow-marked and imports it in the test, not at collection."""

from __future__ import annotations

import warnings

import pytest

pytestmark = pytest.mark.slow


def test_binary_only_metrics_stay_out_of_a_softmax_run():
    from studio.engine.recipe import metric_objects

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        kept = metric_objects(["precision", "recall", "auc", "accuracy"], "sparse_categorical_crossentropy",
                              "classification", 10)
    assert kept == ["accuracy"]
    assert sum("binary classification only" in str(w.message) for w in seen) == 3


def test_a_binary_head_keeps_them():
    from studio.engine.recipe import metric_objects

    kept = metric_objects(["precision", "recall", "auc"], "binary_crossentropy", "classification", 2)
    assert [m.name for m in kept] == ["precision", "recall", "auc"]
