"""Detectors that read only the spec and the data summary, so they run before training too (epoch None)."""

from __future__ import annotations

import math

from studio.core.coach import remedies
from studio.core.coach.diagnosis import Change, Diagnosis, Fix, Severity
from studio.core.coach.history import RunHistory

UNNORMALIZED_RMS = 10.0  # features of typical size over 10 swamp first-layer weights initialised for unit inputs
UNNORMALIZED_PROBLEM_RMS = 1000.0  # at this size the first updates saturate or blow up the first layer outright
UNNORMALIZED_SPREAD = 100.0  # spreads 100× apart: one learning rate is too big for some weights, too small for others
TINY_VALIDATION_WARNING = 30  # under 30 samples one sample moves the accuracy by over 3 points: the curve is noise
TINY_VALIDATION_INFO = 100  # under 100 the standard error of an accuracy near 0.8 is still about 4 points
VALIDATION_TARGET = 200  # samples that bring that error to under 3 points
MAX_VALIDATION_SPLIT = 0.3  # holding out more than this starves the training split
IMBALANCE_WARNING = 5.0  # largest/smallest class 5×: a model that ignores the small class still scores high accuracy
IMBALANCE_INFO = 3.0  # 3×: accuracy starts to flatter the model; worth watching precision and recall


def _feature_rms(h: RunHistory) -> list[float]:
    d = h.data
    if d.kind not in ("table", "series") or not d.feature_stds:
        return []  # images come scaled to [0, 1] by their loaders
    return [math.sqrt(m * m + s * s) for m, s in zip(d.feature_means, d.feature_stds, strict=False)]


def inputs_far_out_of_scale(h: RunHistory) -> bool:
    """Whether some feature is so large that the first layer's outputs, and so the loss, are huge whatever the
    learning rate (unnormalized_inputs at problem level)."""
    return max(_feature_rms(h), default=0.0) > UNNORMALIZED_PROBLEM_RMS


def detect_unnormalized_inputs(h: RunHistory) -> Diagnosis | None:
    d = h.data
    rms = _feature_rms(h)
    if not rms:
        return None
    spreads = [s for s in d.feature_stds if s > 0]
    ratio = max(spreads) / min(spreads) if spreads else 1.0
    worst = max(range(len(rms)), key=rms.__getitem__) if rms else 0
    if (not rms or rms[worst] <= UNNORMALIZED_RMS) and ratio <= UNNORMALIZED_SPREAD:
        return None
    name = d.feature_names[worst] if worst < len(d.feature_names) else f"feature {worst}"
    parts = []
    if rms and rms[worst] > UNNORMALIZED_RMS:
        parts.append(f"`{name}` has a typical size of {rms[worst]:.3g} (mean {d.feature_means[worst]:.3g}, "
                     f"std {d.feature_stds[worst]:.3g}) as the model sees it")
    if ratio > UNNORMALIZED_SPREAD:
        parts.append(f"the features' standard deviations differ by {ratio:.3g}×")
    severe = bool(rms) and rms[worst] > UNNORMALIZED_PROBLEM_RMS
    fixes = [] if h.spec is None else remedies.choose(remedies.normalize_inputs(h.spec, "standard"),
                                                       remedies.normalize_inputs(h.spec, "minmax"))
    return Diagnosis(
        "unnormalized_inputs", "problem" if severe else "warning", None, "; ".join(parts) + f" (data.normalize is "
        f"{d.normalize}).",
        "Gradient descent works best on features of similar, unit scale: large or uneven features make the loss "
        "surface a long narrow valley where any single learning rate zig-zags. Standardise the inputs.",
        settings=["data.normalize"], fixes=fixes)


def detect_tiny_validation(h: RunHistory) -> Diagnosis | None:
    n = h.data.val_samples
    if n <= 0 or n >= TINY_VALIDATION_INFO:
        return None
    severity: Severity = "warning" if n < TINY_VALIDATION_WARNING else "info"
    fixes: list[Fix] = []
    total = h.data.train_samples + h.data.val_samples + h.data.test_samples
    if h.spec is not None and total:
        test = h.spec.data.test_split
        wanted = min(MAX_VALIDATION_SPLIT, math.ceil(100 * VALIDATION_TARGET / total) / 100)
        if wanted > h.spec.data.validation_split and wanted + test < 1:
            fixes.append(Fix(f"Hold out {wanted:.0%} for validation (about {round(wanted * total)} samples)",
                             [Change("data.validation_split", wanted)]))
    return Diagnosis(
        "tiny_validation", severity, None,
        f"The validation split holds {n} samples: " + (f"one sample is {100 / n:.1f} accuracy points." if
                                                        h.data.task == "classification" else
                                                        f"its loss is the mean of {n} errors, which a few unusual "
                                                        "samples move."),
        "A validation curve from so few samples jumps by chance, so over-fitting, plateaus and early stopping "
        "read from it are unreliable; hold out more data, or judge the model by cross-validation.",
        settings=["data.validation_split"], fixes=fixes)


def detect_class_imbalance(h: RunHistory) -> Diagnosis | None:
    counts = list(h.data.class_counts)
    if h.data.task != "classification" or len(counts) < 2 or sum(counts) <= 0:
        return None
    ratio = max(counts) / max(min(counts), 1)
    if ratio < IMBALANCE_INFO:
        return None
    total = sum(counts)
    majority = max(counts) / total
    fixes: list[Fix] = []
    if h.spec is not None and h.spec.training.class_weight == "none":
        fixes.append(Fix("Weigh each class by its rarity (class weights: balanced)",
                         [Change("training.class_weight", "balanced")]))
    if h.spec is not None and len(counts) == 2 and h.loss() == "binary_crossentropy":  # the only loss that
        # logs them (studio.engine.recipe.metric_objects leaves them out of a softmax head's run)
        extra = [m for m in ("precision", "recall", "auc") if m not in h.spec.training.metrics]
        if extra:
            fixes.append(Fix(f"Also log {', '.join(extra)}",
                             [Change("training.metrics", [*h.spec.training.metrics, *extra])]))
    smallest = counts.index(min(counts))
    return Diagnosis(
        "class_imbalance", "warning" if ratio >= IMBALANCE_WARNING else "info", None,
        f"The largest class has {ratio:.3g}× the samples of the smallest (class {smallest}: {min(counts)} of "
        f"{total}); always answering the majority class already scores {majority:.0%} accuracy.",
        "With imbalanced classes accuracy flatters the model: judge it by precision, recall and the confusion "
        "matrix, and weigh the classes (training.class_weight) or resample the small class.",
        settings=["training.class_weight", "training.metrics"], fixes=fixes)
