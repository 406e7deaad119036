"""Detectors that read the loss curves: divergence, a learning rate too high or too low, a plateau, over- and
under-fitting. Each is a pure function of a RunHistory and says at which epoch the trouble began."""

from __future__ import annotations

import math

from studio.core.coach import remedies
from studio.core.coach.baselines import CROSSENTROPY, baseline_loss, head_classes, majority_accuracy
from studio.core.coach.detect_data import inputs_far_out_of_scale
from studio.core.coach.diagnosis import Change, Diagnosis, Fix, Severity
from studio.core.coach.history import RunHistory

LR_HIGH_MIN_EPOCHS = 3  # fewer epochs cannot tell a rising loss from the noise of the first epochs
LR_HIGH_RISE = 1.3  # training loss 30 % above its best: dropout noise aside, a well-set rate never climbs that much
LR_HIGH_SEVERE_RISE = 2.0  # twice its best: the optimiser is throwing away what it learned
LR_HIGH_RISE_OF_BASE = 0.25  # … by a quarter of the loss of knowing nothing at least: the lab's dropout-noisy
# loss doubled from 0.04 to 0.09, where guessing costs 0.69, which throws away little of what it learned
ABOVE_BASELINE = 2.0  # cross-entropy at twice that of guessing the class frequencies: updates threw the model
# somewhere worse than knowing nothing, which any sane rate escapes within a few steps
# The baseline is never taken under the loss of guessing every class alike (ln k), where an untrained network
# starts: with a 95/5 split the class frequencies' entropy is 0.19 and ln 2 = 0.69 already 3.7× it, so a run
# still descending at Adam's usual rate in epoch 2 was called a learning rate too high.
ABOVE_BASELINE_EPOCHS = 2  # the first epoch's mean still holds the first, untrained batches
ABOVE_BASELINE_STEPS = 10  # updates before an epoch's batches are judged: "a few steps" counted in steps, since
# a full-batch run (the optimisation lab: one step an epoch) was called too high at epoch 2, after one update
OSCILLATION_WINDOW = 6  # epochs looked at for a zig-zag
OSCILLATION_TURNS = 0.75  # share of direction changes; a descending curve has few, even noise has ~2/3
OSCILLATION_AMPLITUDE = 0.1  # mean swing of 10 % of the loss: an epoch's mean over many batches is not that noisy
LR_LOW_MIN_EPOCHS = 4  # points needed to see the shape of the descent
LR_LOW_MIN_STEPS = 300  # updates after which a well-set rate has cut the loss by far more than a fifth
LR_LOW_MAX_DROP = 0.2  # the loss fell by less than a fifth of its first epoch's value
LR_LOW_PROBLEM_DROP = 0.05  # under a twentieth: at this pace the run would need over 20× its epochs
LR_LOW_STEADY = 0.75  # at least 3 epochs in 4 lower the loss: still descending, neither stuck nor bouncing
LR_LOW_KEEPING_PACE = 0.25  # the later half falls at least a quarter as fast as the first: not yet flat
PLATEAU_EPOCHS = 5  # epochs without progress before calling it a plateau (about ReduceLROnPlateau's patience)
PLATEAU_MIN_GAIN = 0.01  # under 1 % better than the best before is within an epoch's noise
PLATEAU_LONG = 15  # a plateau this long while epochs remain wastes the run: a warning, not a note
STALL_SMOOTH_UPDATES = 20  # a stall is judged on trailing means over epochs holding this many updates: the lab's
# one dropout-noisy full batch an epoch swings ±50 %, so one lucky epoch set a best that 15 later ones missed by 1 %
PLATEAU_MIN_UPDATES = 50  # … and must span this many updates as well as PLATEAU_EPOCHS epochs
PLATEAU_LONG_UPDATES = 150  # … and a warning this many as well as PLATEAU_LONG epochs
CONVERGED_ACCURACY = 0.995  # training accuracy this high: the loss is flat because there is nothing left to learn
OVERFIT_RISE = 0.1  # validation loss 10 % above its best: beyond the epoch-to-epoch noise of a few hundred samples
OVERFIT_SEVERE = 0.5  # 50 % above its best: the later epochs made the model clearly worse on new data
OVERFIT_PATIENCE = 2  # epochs past the best before it counts: one bad epoch is noise
UNDER_MIN_EPOCHS = 5  # the first epochs of any run look like under-fitting
UNDER_STALL_EPOCHS = 3  # epochs over which the training loss must have stalled
UNDER_STALL_GAIN = 0.02  # under 2 % better over those epochs: more of the same training will not help
UNDER_CLOSED = 0.5  # the model closed less than half the way from the baseline to a perfect score
UNDER_MIN_UPDATES = 100  # the lab (lr 0.01, one step an epoch) was called under-fitted after 14 updates, still at
# the loss it started from; by update 50 it was a fifth of it
UNDER_STALL_UPDATES = 30  # the stall must span this many updates as well as UNDER_STALL_EPOCHS epochs
UNDER_MIN_CLOSED = 0.05  # below this it learned nothing: no_better_than_baseline says so instead


def _finite(values: list[float]) -> list[tuple[int, float]]:
    return [(i, v) for i, v in enumerate(values) if math.isfinite(v)]


def epochs_holding(h: RunHistory, updates: int) -> int:
    """How many epochs hold at least `updates` updates (1 when the steps per epoch are not known)."""
    return math.ceil(updates / h.steps_per_epoch) if h.steps_per_epoch > 0 else 1


def trailing_means(values: list[float], window: int) -> list[float]:
    """Each finite value's mean with the window - 1 finite ones before it (fewer at the start)."""
    finite = [v for v in values if math.isfinite(v)]
    return [sum(finite[max(0, k - window + 1):k + 1]) / (k + 1 - max(0, k - window + 1)) for k in range(len(finite))]


def detect_diverging(h: RunHistory) -> Diagnosis | None:
    if h.nan_at is None:
        return None
    epoch, batch = h.nan_at
    steps = f" of {h.steps_per_epoch}" if h.steps_per_epoch else ""
    where = f"epoch {epoch}, batch {batch}{steps}" if batch else f"the end of epoch {epoch}"
    before = f"; the last finite batch loss was {h.batch_losses[-1][1]:.4g}" if h.batch_losses else ""
    rate = f" at learning rate {h.learning_rates[-1]:.3g}" if h.learning_rates else ""
    fixes = [] if h.spec is None else remedies.choose(
        remedies.scale_learning_rate(h.spec, 0.1), remedies.clip_gradients(h.spec),
        remedies.normalize_inputs(h.spec) if h.data.kind in ("table", "series") else None)
    return Diagnosis(
        "diverging", "problem", epoch, f"The loss became NaN or infinite at {where}{rate}{before}.",
        "The updates grew until the numbers overflowed: the learning rate is too high for this model and data, or "
        "the gradients exploded. Lower the learning rate, clip the gradients, and make sure the inputs are "
        "normalised.", settings=["optimizer.learning_rate", "optimizer.clipnorm"], fixes=fixes)


def _oscillation(loss: list[float]) -> tuple[float, float] | None:
    """(share of direction changes, mean swing relative to the loss) over the last epochs, when long enough."""
    tail = loss[-OSCILLATION_WINDOW:]
    if len(tail) < OSCILLATION_WINDOW or not all(math.isfinite(v) for v in tail):
        return None
    steps = [b - a for a, b in zip(tail, tail[1:], strict=False)]
    turns = sum(1 for a, b in zip(steps, steps[1:], strict=False) if a * b < 0) / (len(steps) - 1)
    mean = sum(abs(v) for v in tail) / len(tail)
    swing = sum(abs(s) for s in steps) / len(steps) / mean if mean else 0.0
    return turns, swing


def _over_updates(h: RunHistory, points: list[tuple[int, float]]) -> tuple[list[tuple[int, float]], int]:
    """The epochs' losses as trailing means over enough epochs to hold ABOVE_BASELINE_STEPS updates, and how many
    epochs that is: one epoch of a full-batch run is one dropout-noisy batch (the lab's swung 0.61 → 1.35)."""
    w = math.ceil(ABOVE_BASELINE_STEPS / h.steps_per_epoch) if h.steps_per_epoch > 0 else 1  # 0: not recorded
    if w <= 1:
        return points, 1
    return [(points[k][0], sum(v for _, v in points[k - w + 1:k + 1]) / w) for k in range(w - 1, len(points))], w


def detect_lr_too_high(h: RunHistory) -> Diagnosis | None:
    points, window = _over_updates(h, _finite(h.metric("loss")))
    if len(points) < ABOVE_BASELINE_EPOCHS or h.nan_at is not None:
        return None  # a NaN is `diverging`'s to report
    best_at, best = min(points, key=lambda p: p[1])
    last_at, last = points[-1]
    # raw features in the thousands make the first logits, and so the loss, huge whatever the rate: that is
    # unnormalized_inputs's to report; a loss rising from its best (below) still speaks of the rate
    base = baseline_loss(h) if h.loss() in CROSSENTROPY and not inputs_far_out_of_scale(h) else None
    if base is not None and (k := head_classes(h)) >= 2 and math.log(k) > base[0]:
        base = (math.log(k), f"guessing each of the {k} classes alike")
    severity: Severity
    evidence, epoch = "", 0
    judged = max(ABOVE_BASELINE_EPOCHS - 1, window)  # the first mean whose epochs all follow the first epoch
    if base is not None and last_at >= judged and last > ABOVE_BASELINE * base[0]:
        severity = "problem"
        epoch = next(i for i, v in points if i >= judged and v > ABOVE_BASELINE * base[0]) + 1
        evidence = f"The training loss is {last:.4g} at epoch {last_at + 1}, {last / base[0]:.3g}× the " \
                   f"{base[0]:.4g} of {base[1]}."
    elif len(points) < LR_HIGH_MIN_EPOCHS:
        return None
    elif best > 0 and last > best * LR_HIGH_RISE and last_at > best_at and (
            base is None or last - best >= LR_HIGH_RISE_OF_BASE * base[0]):
        severity = "problem" if last > best * LR_HIGH_SEVERE_RISE else "warning"
        epoch = next(i for i, v in points if i > best_at and v > best * LR_HIGH_RISE) + 1
        evidence = f"The training loss rose from its best, {best:.4g} at epoch {best_at + 1}, to {last:.4g} " \
                   f"at epoch {last_at + 1} ({last / best:.2f}×)."
    else:
        # trailing means overlap, so their zig-zag says nothing: a run of few updates an epoch is left out
        wobble = _oscillation([v for _, v in points]) if window == 1 else None
        if wobble is None or wobble[0] < OSCILLATION_TURNS or wobble[1] < OSCILLATION_AMPLITUDE:
            return None
        severity, epoch = "warning", points[-OSCILLATION_WINDOW][0] + 1
        evidence = f"The training loss zig-zags: over the last {OSCILLATION_WINDOW} epochs it changed direction " \
                   f"{wobble[0]:.0%} of the time, by {wobble[1]:.0%} of its size on average."
    if window > 1:
        evidence += f" (Each epoch's loss is the mean over the {window} epochs up to it: one epoch holds too few " \
                    "updates to judge.)"
    fixes = [] if h.spec is None else remedies.choose(remedies.scale_learning_rate(h.spec, 0.1),
                                                       remedies.scale_learning_rate(h.spec, 1 / 3),
                                                       remedies.clip_gradients(h.spec))
    return Diagnosis(
        "lr_too_high", severity, epoch, evidence,
        "Each step overshoots the valley of the loss, so training bounces or climbs instead of settling: lower "
        "the learning rate (ten times smaller is the usual first try), or decay it with a schedule.",
        settings=["optimizer.learning_rate"], fixes=fixes)


def detect_lr_too_low(h: RunHistory) -> Diagnosis | None:
    loss = [v for _, v in _finite(h.metric("loss"))]
    n = len(loss)
    steps = h.epochs_done * max(h.steps_per_epoch, 1)
    if n < LR_LOW_MIN_EPOCHS or steps < LR_LOW_MIN_STEPS or loss[0] <= 0 or h.nan_at is not None:
        return None
    drop = (loss[0] - loss[-1]) / loss[0]
    falling = sum(1 for a, b in zip(loss, loss[1:], strict=False) if b < a) / (n - 1)
    half = n // 2
    first, later = loss[0] - loss[half], loss[half] - loss[-1]
    if not (0 < drop < LR_LOW_MAX_DROP and falling >= LR_LOW_STEADY and first > 0
            and later >= LR_LOW_KEEPING_PACE * first * (n - 1 - half) / half):
        return None
    fixes: list[Fix] = []
    if h.spec is not None:
        fixes = remedies.choose(remedies.scale_learning_rate(h.spec, 10.0), remedies.scale_learning_rate(h.spec, 3.0))
        if h.spec.optimizer.name == "sgd" and not h.spec.optimizer.params.get("momentum"):
            fixes.append(Fix("Switch to Adam at its usual rate 0.001",
                             [Change("optimizer.name", "adam"), Change("optimizer.params", {}),
                              Change("optimizer.learning_rate", 0.001)]))
    rate = f" at learning rate {h.learning_rates[-1]:.3g}" if h.learning_rates else ""
    return Diagnosis(
        "lr_too_low", "problem" if drop < LR_LOW_PROBLEM_DROP else "warning", n,
        f"After {steps} updates{rate} the training loss fell only {drop:.0%} ({loss[0]:.4g} → {loss[-1]:.4g}), "
        "steadily and without levelling off.",
        "The loss goes down in tiny, regular steps: the learning rate is so small that training would need many "
        "times more epochs. Raise it (ten times is the usual first try) or use an adaptive optimiser like Adam.",
        settings=["optimizer.learning_rate"], fixes=fixes)


def _last_improvement(values: list[float], gain: float) -> int:
    """The index of the last epoch that beat the best before it by more than `gain` (relative)."""
    best, at = math.inf, 0
    for i, v in enumerate(values):
        if math.isfinite(v) and (best == math.inf or v < best - gain * abs(best)):
            best, at = v, i
    return at


def detect_plateau(h: RunHistory) -> Diagnosis | None:
    loss = [v for _, v in _finite(h.metric("loss"))]
    if len(loss) <= PLATEAU_EPOCHS or h.nan_at is not None:
        return None
    window = epochs_holding(h, STALL_SMOOTH_UPDATES)
    accuracy = trailing_means(h.metric("accuracy"), window)
    if (accuracy and accuracy[-1] >= CONVERGED_ACCURACY) or (loss[-1] < 1e-4):
        return None  # flat because it is done
    smooth = trailing_means(loss, window)
    at = _last_improvement(smooth, PLATEAU_MIN_GAIN)
    stalled = len(loss) - 1 - at
    if stalled < max(PLATEAU_EPOCHS, epochs_holding(h, PLATEAU_MIN_UPDATES)):
        return None
    long = max(PLATEAU_LONG, epochs_holding(h, PLATEAU_LONG_UPDATES))
    smoothed = f" (means over {window} epochs: one holds too few updates to judge)" if window > 1 else ""
    fixes: list[Fix] = []
    spec = h.spec
    if spec is not None:
        monitor = "val_loss" if h.has("val_loss") else "loss"
        if spec.optimizer.reduce_on_plateau is None and spec.optimizer.schedule.name == "constant":
            fixes.append(Fix(f"Halve the learning rate when {monitor} stalls for 3 epochs",
                             [Change("optimizer.reduce_on_plateau", {"monitor": monitor, "factor": 0.5,
                                                                    "patience": 3})]))
        fixes += remedies.choose(remedies.early_stopping(spec))
    return Diagnosis(
        "plateau", "warning" if stalled >= long else "info", at + 2,
        f"The training loss has not improved by {PLATEAU_MIN_GAIN:.0%} for {stalled} epochs (best "
        f"{min(smooth):.4g} at epoch {at + 1}){smoothed}.",
        "Training has stalled: a smaller learning rate often lets it settle further down the valley (reduce it on "
        "a plateau), and early stopping saves the epochs that no longer help.",
        settings=["optimizer.reduce_on_plateau", "regularization.early_stopping"], fixes=fixes)


def detect_overfitting(h: RunHistory) -> Diagnosis | None:
    val, loss = h.metric("val_loss"), h.metric("loss")
    points = _finite(val)
    if len(points) < OVERFIT_PATIENCE + 2:
        return None
    best_at, best = min(points, key=lambda p: p[1])
    last_at, last = points[-1]
    if best <= 0 or last_at - best_at < OVERFIT_PATIENCE or last < best * (1 + OVERFIT_RISE):
        return None
    if not (math.isfinite(loss[last_at]) and math.isfinite(loss[best_at]) and loss[last_at] < loss[best_at]):
        return None  # the training loss rose as well: not over-fitting but the optimiser (lr_too_high)
    epoch = next(i for i, v in points if i > best_at and v >= best * (1 + OVERFIT_RISE)) + 1
    gap = ""
    acc, val_acc = h.metric("accuracy"), h.metric("val_accuracy")
    if acc and val_acc and math.isfinite(acc[-1]) and math.isfinite(val_acc[-1]):
        gap = f" Training accuracy {acc[-1]:.1%}, validation {val_acc[-1]:.1%}."
    spec = h.spec
    fixes = [] if spec is None else remedies.choose(remedies.early_stopping(spec), remedies.add_dropout(spec),
                                                    remedies.raise_l2(spec))
    hidden = remedies.hidden_blocks(spec) if spec is not None else []
    severity: Severity = "problem" if last >= best * (1 + OVERFIT_SEVERE) else "warning"
    es = spec.regularization.early_stopping if spec is not None else None
    kept = ""
    if es is not None and es.restore_best_weights and es.monitor == "val_loss":
        severity = "info"  # the run's own early stopping ends it and hands back the best epoch's model
        kept = f" Early stopping (patience {es.patience}) keeps epoch {best_at + 1}'s weights."
    return Diagnosis(
        "overfitting", severity, epoch,
        f"Validation loss was best at epoch {best_at + 1} ({best:.4g}) and has risen to {last:.4g} by epoch "
        f"{last_at + 1} while the training loss kept falling ({loss[best_at]:.4g} → {loss[last_at]:.4g}).{gap}{kept}",
        "The model is memorising the training set instead of learning what generalises. Stop at the best "
        "epoch (early stopping with restore_best_weights), and regularise: dropout, an L2 penalty, more data or "
        "augmentation.", blocks=[hidden[-1].id] if hidden else [],
        settings=["regularization.early_stopping", "regularization.l2"], fixes=fixes)


def closed_share(h: RunHistory, window: int = 1) -> tuple[float, str] | None:
    """How far the training score got from knowing nothing (0) to perfect (1), and the words for it; the scores
    are means over the last `window` epochs."""
    acc = trailing_means(h.metric("accuracy"), window)
    chance = majority_accuracy(h)
    if acc and chance is not None and chance < 1:
        return (acc[-1] - chance) / (1 - chance), f"training accuracy {acc[-1]:.1%} against {chance:.1%} for " \
                                                   "always answering the most frequent class"
    base = baseline_loss(h)
    loss = trailing_means(h.metric("loss"), window)
    if base is not None and loss and base[0] > 0:
        return 1 - loss[-1] / base[0], f"training loss {loss[-1]:.4g} against {base[0]:.4g} for {base[1]}"
    return None


def detect_underfitting(h: RunHistory) -> Diagnosis | None:
    loss = [v for _, v in _finite(h.metric("loss"))]
    updates = len(loss) * max(h.steps_per_epoch, 1)
    if len(loss) < UNDER_MIN_EPOCHS or updates < UNDER_MIN_UPDATES or h.nan_at is not None:
        return None
    smooth_over = epochs_holding(h, STALL_SMOOTH_UPDATES)
    smooth = trailing_means(loss, smooth_over)
    span = max(UNDER_STALL_EPOCHS, epochs_holding(h, UNDER_STALL_UPDATES))
    window = smooth[-span - 1:]
    if len(window) <= span or window[0] <= 0 or (window[0] - min(window[1:])) / window[0] >= UNDER_STALL_GAIN:
        return None  # still improving: give it time
    share = closed_share(h, smooth_over)
    if share is None or not UNDER_MIN_CLOSED <= share[0] < UNDER_CLOSED:
        return None
    spec = h.spec
    fixes: list[Fix] = []
    hidden = remedies.hidden_blocks(spec) if spec is not None else []
    if spec is not None:
        fixes = remedies.choose(remedies.weaker_regularization(spec), remedies.widen(hidden),
                                remedies.more_epochs(spec))
    return Diagnosis(
        "underfitting", "warning", len(loss), f"The training loss has stalled at {smooth[-1]:.4g}, and the model "
        f"closed only {share[0]:.0%} of the way to a perfect score ({share[1]}).",
        "The model cannot even fit the training data: it is too small or too constrained (high bias). Give it "
        "more capacity (more units or layers), weaken the regularisation, or train longer.",
        blocks=[b.id for b in hidden], settings=["regularization.l2", "training.epochs"], fixes=fixes)
