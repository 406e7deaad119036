"""The spec- and data-only detectors: unnormalised inputs, imbalanced classes, a validation split too small to
trust; they run before training (epoch None) and their fixes apply to the spec."""

from __future__ import annotations

from studio.core.coach import detect_data as dd
from studio.core.coach.detectors import before_training
from studio.core.coach.fixes import apply_fix
from tests.coach.histories import history, iris_data, mlp_spec


def test_large_features_ask_for_standardisation_before_training():
    spec = mlp_spec(data={"source": "iris", "validation_split": 0.2})  # normalize none
    data = iris_data(normalize="none", feature_means=[5.8, 3.0, 750.0, 1.2], feature_stds=[0.8, 0.4, 300.0, 0.7],
                     feature_names=["sepal", "width", "proline", "petal"])
    found = {d.kind: d for d in before_training(spec, data)}
    d = found["unnormalized_inputs"]
    assert d.epoch is None and d.severity == "warning" and "`proline` has a typical size of 808" in d.evidence
    assert "differ by 750×" in d.evidence
    assert [c.value for f in d.fixes for c in f.changes] == ["standard", "minmax"]
    assert apply_fix(spec.to_dict(), d.fixes[0])["data"]["normalize"] == "standard"


def test_standardised_features_and_images_raise_nothing():
    assert dd.detect_unnormalized_inputs(history([1.0], data=iris_data())) is None
    pixels = iris_data(kind="image", normalize="none", feature_means=[120.0], feature_stds=[80.0])
    assert dd.detect_unnormalized_inputs(history([1.0], data=pixels)) is None


def test_features_of_very_different_spreads_alone_are_unnormalised():
    data = iris_data(normalize="none", feature_means=[0.0, 0.0], feature_stds=[0.01, 2.0])
    d = dd.detect_unnormalized_inputs(history([1.0], data=data))
    assert d is not None and "differ by 200×" in d.evidence and "typical size" not in d.evidence


def test_a_small_class_is_an_imbalance_and_a_binary_one_gets_precision_and_recall():
    spec = mlp_spec(training={"loss": "binary_crossentropy"})
    d = dd.detect_class_imbalance(history([1.0], spec=spec, data=iris_data(class_counts=[900, 100])))
    assert d is not None and d.severity == "warning" and "9× the samples" in d.evidence and "90%" in d.evidence
    assert apply_fix(spec.to_dict(), d.fixes[0])["training"]["class_weight"] == "balanced"
    assert apply_fix(spec.to_dict(), d.fixes[1])["training"]["metrics"] == ["accuracy", "precision", "recall", "auc"]
    softmax = dd.detect_class_imbalance(history([1.0], data=iris_data(class_counts=[900, 100])))
    assert softmax is not None and [f.label for f in softmax.fixes] == [d.fixes[0].label]  # no binary metrics
    weighted = mlp_spec(training={"class_weight": "balanced"})
    d = dd.detect_class_imbalance(history([1.0], spec=weighted, data=iris_data(class_counts=[900, 100])))
    assert d is not None and [c.path for f in d.fixes for c in f.changes] == []  # weighted already
    mild = dd.detect_class_imbalance(history([1.0], data=iris_data(class_counts=[300, 300, 100])))
    assert mild is not None and mild.severity == "info" and len(mild.fixes) == 1  # multi-class: no binary metrics
    assert dd.detect_class_imbalance(history([1.0], data=iris_data(class_counts=[300, 250, 200]))) is None


def test_a_tiny_validation_split_offers_a_larger_one():
    spec = mlp_spec(data={"source": "iris", "validation_split": 0.1, "normalize": "standard"})
    d = dd.detect_tiny_validation(history([1.0], spec=spec, data=iris_data(train_samples=135, val_samples=15)))
    assert d is not None and d.severity == "warning" and "15 samples" in d.evidence
    assert d.fixes[0].changes[0].path == "data.validation_split" and d.fixes[0].changes[0].value == 0.3
    apply_fix(spec.to_dict(), d.fixes[0])
    info = dd.detect_tiny_validation(history([1.0], data=iris_data(train_samples=300, val_samples=60)))
    assert info is not None and info.severity == "info"
    assert dd.detect_tiny_validation(history([1.0], data=iris_data(val_samples=0))) is None  # no validation at all
    assert dd.detect_tiny_validation(history([1.0], data=iris_data(val_samples=240))) is None
    assert "one sample is 1.7 accuracy points" in info.evidence


def test_a_tiny_regression_split_is_not_counted_in_accuracy_points():
    """regression_mlp on diabetes (66 validation samples) was told of accuracy points it has no accuracy for."""
    d = dd.detect_tiny_validation(history([1.0], data=iris_data(task="regression", class_counts=[],
                                                                val_samples=66)))
    assert d is not None and "accuracy" not in d.evidence and "66" in d.evidence
