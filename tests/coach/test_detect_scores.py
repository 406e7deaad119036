"""Scores held against a model that learned nothing: no better than the majority class or the mean, and a
validation score too good after one epoch."""

from __future__ import annotations

from studio.core.coach import detect_scores as ds
from studio.core.coach.fixes import apply_fix
from tests.coach.histories import history, iris_data, mlp_spec


def test_accuracy_at_the_majority_class_is_no_better_than_baseline():
    data = iris_data(class_counts=[600, 200, 160])  # the majority answer scores 62.5 %
    h = history([1.0, 0.95, 0.94], [1.0, 0.96, 0.95], [0.6, 0.62, 0.63], [0.6, 0.63, 0.64], data=data,
                spec=mlp_spec(optimizer={"name": "sgd", "learning_rate": 0.5}))
    d = ds.detect_no_better_than_baseline(h)
    assert d is not None and d.severity == "warning" and d.epoch == 3
    assert "best validation accuracy is 64.0%" in d.evidence and "62.5%" in d.evidence
    # SGD's usual rate is 0.01: 0.5 is the first suspect, then the optimiser itself
    assert [f.label for f in d.fixes] == ["Divide the learning rate by 10 (0.5 → 0.05)",
                                          "Use Adam at its usual rate 0.001"]
    assert apply_fix(h.spec.to_dict(), d.fixes[1])["optimizer"]["name"] == "adam"
    better = history([1.0, 0.8, 0.6], [1.0, 0.8, 0.6], [0.6, 0.7, 0.8], [0.6, 0.7, 0.8], data=data)
    assert ds.detect_no_better_than_baseline(better) is None


def test_a_regression_loss_at_the_targets_variance_is_no_better_than_the_mean():
    spec = mlp_spec(training={"loss": "mean_squared_error", "metrics": ["mae"]})
    data = iris_data(task="regression", class_counts=[], target_var=2.0)
    losses = [2.1, 2.0, 1.99] + [1.98] * 8
    d = ds.detect_no_better_than_baseline(history(losses, losses, spec=spec, data=data))
    assert d is not None and d.severity == "problem" and "predicting the training mean" in d.evidence
    assert ds.detect_no_better_than_baseline(history([2.0, 1.0, 0.5], [2.0, 1.0, 0.5], spec=spec, data=data)) is None


def test_a_series_is_held_against_repeating_the_last_value():
    spec = mlp_spec(training={"loss": "mean_squared_error", "metrics": ["mae"]})
    data = iris_data(task="regression", kind="series", class_counts=[], target_var=4.0,
                     naive_baseline={"validation": {"mse": 0.5, "mae": 0.6}})
    d = ds.detect_no_better_than_baseline(history([1.0, 0.8, 0.7], [0.9, 0.7, 0.6], spec=spec, data=data))
    assert d is not None and "repeating the last value" in d.evidence and "0.5" in d.evidence


def test_near_perfect_validation_after_one_epoch_is_a_possible_leak():
    d = ds.detect_label_leak(history([0.3, 0.1], [0.01, 0.01], [0.9, 0.99], [1.0, 1.0]))
    assert d is not None and d.kind == "label_leak" and d.epoch == 1 and "100.0%" in d.evidence
    assert ds.detect_label_leak(history([0.3, 0.1], [0.3, 0.1], [0.9, 0.99], [0.9, 0.995])) is None  # earned later
    skewed = iris_data(class_counts=[950, 50])
    assert ds.detect_label_leak(history([0.3], [0.01], [0.95], [0.995], data=skewed)) is None  # imbalance's to say
