"""The curve detectors: each fires on a history made to show its trouble, names the epoch it began and offers
fixes that apply to the spec; none fires on a healthy run."""

from __future__ import annotations

import math

import pytest

from studio.core.coach import detect_curves as dc
from studio.core.coach.detectors import DURING_TRAINING
from studio.core.coach.fixes import apply_fix
from studio.core.events import BatchEnd
from tests.coach.histories import HEALTHY_ACC, HEALTHY_LOSS, HEALTHY_VAL, healthy, history, mlp_spec


@pytest.mark.parametrize("detect", DURING_TRAINING, ids=lambda d: d.__name__)
def test_no_detector_fires_on_a_healthy_run(detect):
    assert detect(healthy()) is None


def _applies(d, h):
    assert d.fixes, d
    for fix in d.fixes:
        apply_fix(h.spec.to_dict(), fix)  # raises SpecError if the fix made an invalid spec


def test_diverging_names_the_nan_batch_and_lowers_the_rate():
    h = history([1.0, 0.9], lr=0.5, spec=mlp_spec(optimizer={"learning_rate": 0.5}))
    h.feed(BatchEnd(epoch=2, step=7, steps=30, global_step=67, logs={"loss": math.nan}, samples_per_s=1.0))
    d = dc.detect_diverging(h)
    assert d is not None and d.severity == "problem" and d.epoch == 3
    assert "epoch 3, batch 7 of 30" in d.evidence and "learning rate 0.5" in d.evidence
    assert d.fixes[0].changes[0].path == "optimizer.learning_rate" and d.fixes[0].changes[0].value == 0.05
    _applies(d, h)
    assert dc.detect_lr_too_high(h) is None  # the NaN is diverging's alone


def test_a_rising_training_loss_is_a_learning_rate_too_high():
    h = history([1.0, 0.7, 0.6, 0.8, 1.3], lr=0.1, spec=mlp_spec(optimizer={"learning_rate": 0.1}))
    d = dc.detect_lr_too_high(h)
    assert d is not None and d.severity == "problem" and d.epoch == 4  # 0.8 > 1.3 × 0.6
    assert "0.6 at epoch 3" in d.evidence
    assert d.fixes[0].changes[0].value == pytest.approx(0.01)
    _applies(d, h)


def test_a_cross_entropy_far_above_guessing_the_class_frequencies_is_a_rate_too_high():
    # three balanced classes: guessing their frequencies costs ln 3 ≈ 1.099; a real run at SGD rate 10 sat at 14.5
    h = history([14.0, 14.5], spec=mlp_spec(optimizer={"name": "sgd", "learning_rate": 10}))
    d = dc.detect_lr_too_high(h)
    assert d is not None and d.severity == "problem" and d.epoch == 2 and "13.2× the 1.099" in d.evidence
    assert d.fixes[0].changes[0].value == 1.0
    assert dc.detect_lr_too_high(history([1.5, 1.0])) is None  # above ln 3 at first, but not twice it


def test_a_zig_zagging_loss_is_a_learning_rate_too_high():
    d = dc.detect_lr_too_high(history([1.0, 0.6, 0.8, 0.55, 0.75, 0.5, 0.72, 0.52]))
    assert d is not None and d.severity == "warning" and "zig-zags" in d.evidence


def test_small_wobbles_of_a_converged_loss_are_no_oscillation():
    assert dc.detect_lr_too_high(history([0.2, 0.101, 0.1, 0.101, 0.1, 0.101, 0.1, 0.101])) is None


def test_a_slow_steady_descent_is_a_learning_rate_too_low():
    loss = [2.30 - 0.02 * e for e in range(12)]
    h = history(loss, steps=50, lr=1e-5, spec=mlp_spec(optimizer={"name": "sgd", "learning_rate": 1e-5}))
    d = dc.detect_lr_too_low(h)
    assert d is not None and d.epoch == 12 and "600 updates" in d.evidence
    assert d.fixes[0].changes[0].value == pytest.approx(1e-4)
    assert d.fixes[-1].label == "Switch to Adam at its usual rate 0.001"  # plain SGD without momentum
    _applies(d, h)
    assert dc.detect_lr_too_low(history(loss, steps=5)) is None  # 60 updates: too early to tell


def test_a_loss_that_levels_off_is_not_too_low_a_rate():
    loss = [2.0, 1.95, 1.92, 1.905, 1.9, 1.899, 1.898, 1.8975]
    assert dc.detect_lr_too_low(history(loss, steps=100)) is None


def test_a_stalled_loss_is_a_plateau_from_the_epoch_after_its_best():
    loss = [1.0, 0.8, 0.7] + [0.699] * 6
    h = history(loss, accuracy=[0.5] * 9)
    d = dc.detect_plateau(h)
    assert d is not None and d.severity == "info" and d.epoch == 4
    assert d.fixes[0].changes[0].path == "optimizer.reduce_on_plateau"
    _applies(d, h)


def test_a_flat_loss_at_full_accuracy_is_no_plateau():
    assert dc.detect_plateau(history([0.5, 0.1] + [0.05] * 8, accuracy=[0.9] + [1.0] * 9)) is None


def test_a_rising_validation_loss_under_a_falling_training_loss_is_overfitting():
    loss = [1.0, 0.7, 0.5, 0.4, 0.3, 0.2, 0.15]
    val = [1.0, 0.8, 0.6, 0.62, 0.7, 0.8, 0.95]
    h = history(loss, val, [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99], [0.5, 0.6, 0.7, 0.7, 0.68, 0.66, 0.65])
    d = dc.detect_overfitting(h)
    assert d is not None and d.severity == "problem" and d.epoch == 5  # 0.7 ≥ 0.6 × 1.1 first at epoch 5
    assert "best at epoch 3" in d.evidence and "99.0%" in d.evidence and d.blocks == ["dense_2"]
    paths = [c.path for f in d.fixes for c in f.changes]
    assert paths[0] == "regularization.early_stopping" and "model.blocks" in paths and "regularization.l2" in paths
    _applies(d, h)


def test_overfitting_that_the_runs_own_early_stopping_will_undo_is_a_note():
    loss = [1.0, 0.7, 0.5, 0.4, 0.3, 0.2, 0.15]
    val = [1.0, 0.8, 0.6, 0.62, 0.7, 0.8, 0.95]
    spec = mlp_spec(regularization={"early_stopping": {"monitor": "val_loss", "patience": 20}})
    d = dc.detect_overfitting(history(loss, val, spec=spec))
    assert d is not None and d.severity == "info" and "keeps epoch 3's weights" in d.evidence
    assert [c.path for f in d.fixes for c in f.changes][0] == "model.blocks"  # dropout first: stopping is set


def test_validation_noise_around_its_best_is_not_overfitting():
    assert dc.detect_overfitting(history(HEALTHY_LOSS, [v * (1.04 if i % 2 else 1) for i, v in
                                                         enumerate(HEALTHY_VAL)])) is None


def test_a_stalled_model_far_from_perfect_is_underfitting():
    loss = [1.2, 1.0, 0.95, 0.94, 0.94, 0.94, 0.94]
    h = history(loss, accuracy=[0.4, 0.5, 0.55, 0.58, 0.6, 0.6, 0.6], spec=mlp_spec(regularization={"l2": 0.1}))
    d = dc.detect_underfitting(h)
    assert d is not None and d.epoch == 7 and "40%" in d.evidence  # (0.6 - 1/3) / (2/3)
    assert d.fixes[0].changes[0].path == "regularization.l2" and d.blocks == ["dense_1", "dense_2"]
    _applies(d, h)
    assert dc.detect_underfitting(history(loss, accuracy=[0.9] * 7)) is None  # fits the training set well


def test_a_model_still_improving_is_not_underfitting_yet():
    assert dc.detect_underfitting(history(HEALTHY_LOSS[:6], accuracy=HEALTHY_ACC[:6])) is None
