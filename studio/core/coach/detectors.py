"""Every detector, in the order their messages are best read, and the ones that need no training (they read the
spec and the data only, so `check` and the app can run them before a run starts)."""

from __future__ import annotations

from collections.abc import Callable

from studio.core.coach.data_summary import DataSummary
from studio.core.coach.detect_curves import (detect_diverging, detect_lr_too_high, detect_lr_too_low,
                                             detect_overfitting, detect_plateau, detect_underfitting)
from studio.core.coach.detect_data import detect_class_imbalance, detect_tiny_validation, detect_unnormalized_inputs
from studio.core.coach.detect_inside import (detect_dead_relu, detect_exploding_gradients, detect_saturation,
                                             detect_vanishing_gradients)
from studio.core.coach.detect_scores import detect_label_leak, detect_no_better_than_baseline
from studio.core.coach.diagnosis import Diagnosis
from studio.core.coach.history import RunHistory
from studio.core.spec import RunSpec

Detector = Callable[[RunHistory], Diagnosis | None]

BEFORE_TRAINING: tuple[Detector, ...] = (detect_unnormalized_inputs, detect_class_imbalance, detect_tiny_validation)
DURING_TRAINING: tuple[Detector, ...] = (
    detect_diverging, detect_exploding_gradients, detect_lr_too_high, detect_no_better_than_baseline,
    detect_label_leak, detect_overfitting, detect_underfitting, detect_vanishing_gradients, detect_dead_relu,
    detect_saturation, detect_lr_too_low, detect_plateau)
ALL: tuple[Detector, ...] = DURING_TRAINING + BEFORE_TRAINING


def run_detectors(history: RunHistory, detectors: tuple[Detector, ...] = ALL) -> list[Diagnosis]:
    return [d for d in (detect(history) for detect in detectors) if d is not None]


def before_training(spec: RunSpec, data: DataSummary) -> list[Diagnosis]:
    """What the spec and the data alone say, before any epoch (every epoch is None)."""
    data.normalize = spec.data.normalize
    return run_detectors(RunHistory(spec=spec, data=data), BEFORE_TRAINING)
