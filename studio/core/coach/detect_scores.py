"""Detectors that hold the scores against what a model that learned nothing would get: no better than the
baseline, and a validation score too good to be true from the first epoch (a leak of the answer into the inputs)."""

from __future__ import annotations

import math

from studio.core.coach import remedies
from studio.core.coach.baselines import baseline_loss, majority_accuracy, naive_series_loss
from studio.core.coach.data_summary import LEAK_SHARE
from studio.core.coach.diagnosis import Change, Diagnosis, Fix
from studio.core.coach.history import RunHistory

BASELINE_MIN_EPOCHS = 3  # a first epoch or two near chance is normal
BASELINE_PROBLEM_EPOCHS = 10  # still at chance after this many epochs: nothing is being learned
BASELINE_MARGIN = 0.02  # within two accuracy points of the majority class counts as no better
BASELINE_LOSS_SHARE = 0.98  # a loss at least 98 % of the baseline's is under 2 % better: nothing learned
LEAK_ACCURACY = 0.99  # near-perfect validation accuracy after one epoch is rare on any honest task …
LEAK_MAX_MAJORITY = 0.9  # … unless one class is already 90 % of the data (then it is class_imbalance's)
LEAK_LOSS_SHARE = 0.01  # regression: after one epoch a validation loss under 1 % of the baseline's (R² ≥ 0.99)


def _best(values: list[float], highest: bool) -> tuple[int, float] | None:
    points = [(i, v) for i, v in enumerate(values) if math.isfinite(v)]
    if not points:
        return None
    return (max if highest else min)(points, key=lambda p: p[1])


def detect_no_better_than_baseline(h: RunHistory) -> Diagnosis | None:
    if h.epochs_done < BASELINE_MIN_EPOCHS or h.nan_at is not None:
        return None
    prefix = "val_" if h.has("val_loss") else ""
    split = "validation" if prefix else "training"
    evidence = ""
    chance = majority_accuracy(h)
    accuracy = _best(h.metric(prefix + "accuracy"), highest=True)
    if accuracy is not None and chance is not None:
        if accuracy[1] > chance + BASELINE_MARGIN:
            return None
        evidence = f"The best {split} accuracy is {accuracy[1]:.1%}; always answering the most frequent class " \
                   f"scores {chance:.1%}."
    else:
        loss = _best(h.metric(prefix + "loss"), highest=False)
        naive = naive_series_loss(h, split)
        base = (naive, "repeating the last value of the window") if naive is not None else baseline_loss(h)
        if loss is None or base is None or loss[1] < BASELINE_LOSS_SHARE * base[0]:
            return None
        evidence = f"The best {split} loss is {loss[1]:.4g}; {base[1]} gives {base[0]:.4g}."
    spec = h.spec
    fixes: list[Fix] = []
    if spec is not None:
        fixes = remedies.choose(remedies.rate_back_to_usual(spec),
                                remedies.normalize_inputs(spec) if h.data.kind in ("table", "series") else None)
        if spec.optimizer.name != "adam" or spec.optimizer.learning_rate != 0.001:
            fixes.append(Fix("Use Adam at its usual rate 0.001", [Change("optimizer.name", "adam"),
                                                                 Change("optimizer.params", {}),
                                                                 Change("optimizer.learning_rate", 0.001)]))
    return Diagnosis(
        "no_better_than_baseline", "problem" if h.epochs_done >= BASELINE_PROBLEM_EPOCHS else "warning",
        BASELINE_MIN_EPOCHS, evidence,  # the best score so far only rises: it was no better from the start
        "The model does no better than a rule that ignores the inputs, so it has learned nothing usable yet. "
        "Check that the inputs are normalised, that the learning rate is neither tiny nor huge, and that the "
        "head and loss fit the task.", settings=["optimizer.learning_rate", "data.normalize"], fixes=fixes)


def _too_good(h: RunHistory) -> str:
    """The evidence of a validation score after the first epoch that is too good to be true ("" when it is not)."""
    if not h.epoch_logs:
        return ""
    first = h.epoch_logs[0]
    chance = majority_accuracy(h)
    val_acc, val_loss = first.get("val_accuracy"), first.get("val_loss")
    if val_acc is not None and math.isfinite(val_acc):
        if val_acc < LEAK_ACCURACY or (chance is not None and chance >= LEAK_MAX_MAJORITY):
            return ""
        return f"Validation accuracy was {val_acc:.1%} after the first epoch."
    base = baseline_loss(h)
    if val_loss is None or not math.isfinite(val_loss) or base is None or val_loss > LEAK_LOSS_SHARE * base[0]:
        return ""
    return f"Validation loss was {val_loss:.4g} after the first epoch, under {LEAK_LOSS_SHARE:.0%} of " \
           f"{base[0]:.4g} for {base[1]}."


def _leave_out(h: RunHistory, leaky: list[str]) -> Fix | None:
    """Read every column but the leaky ones: possible where the source lets the features be chosen (a CSV)."""
    spec = h.spec
    if spec is None or spec.data.source != "csv" or spec.data.params.get("mode", "table") != "table":
        return None
    kept = [f for f in (spec.data.params.get("features") or h.data.feature_names) if f not in leaky]
    if not kept:
        return None
    changes = [Change("data.params.features", kept)]
    width = len(spec.data.params.get("features") or h.data.feature_names)
    changes += [Change(f"model.blocks.{b.id}.params.shape", [len(kept)]) for b in spec.model.blocks
                if b.type == "Input" and list(b.params.get("shape") or []) == [width]]  # one feature fewer in
    return Fix(f"Leave out {', '.join(f'`{f}`' for f in leaky)}", changes)


def detect_label_leak(h: RunHistory) -> Diagnosis | None:
    too_good, leaky = _too_good(h), list(h.data.leaky_features)
    if not too_good and not leaky:
        return None
    evidence = [too_good] if too_good else []
    if leaky:
        evidence.append(f"{', '.join(f'`{f}`' for f in leaky)} alone explain{'s' if len(leaky) == 1 else ''} "
                        f"over {LEAK_SHARE:.0%} of the target's variation in the training split.")
    fix = _leave_out(h, leaky) if leaky else None
    return Diagnosis(
        # both signs at once, a column that is the answer and a model that scores as if it read it, make a leak
        # all but certain; either alone may be an easy task
        "label_leak", "problem" if too_good and leaky else "warning", 1 if too_good else None, " ".join(evidence),
        "A near-perfect score after one pass is rarely real: a feature may give the answer away (an id, a "
        "column computed from the target) or the same samples may sit in both splits. Check the features and "
        "the split before trusting the model; on a known easy task this is fine.",
        settings=["data.params", "data.validation_split"], fixes=[fix] if fix else [])
