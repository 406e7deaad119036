"""Detectors that read the inside of the model (studio.core.inspect_store): gradient scales per block for
vanishing or exploding gradients, and activation statistics for dead ReLUs and saturated sigmoid/tanh units.
They stay silent for runs that recorded nothing inside."""

from __future__ import annotations

import math

from studio.core.analysis import resolve_graph
from studio.core.coach import remedies
from studio.core.coach.detect_curves import STALL_SMOOTH_UPDATES, closed_share, epochs_holding
from studio.core.coach.diagnosis import Diagnosis, Severity
from studio.core.coach.history import RunHistory
from studio.core.spec import BlockSpec

VANISH_RATIO = 0.01  # the first block's gradients per weight 100× smaller than the head's: it learns 100× slower
VANISH_PROBLEM_RATIO = 1e-4  # 10,000× slower: within any run's epochs the first block stays at its initial weights
EXPLODE_RATIO = 100.0  # the reverse: the first blocks' updates dwarf the head's and grow through the stack
EXPLODE_GROWTH = 10.0  # a block's gradient scale grew 10× since the first snapshot; healthy ones shrink as it learns
EXPLODE_LOSS_FELL = 0.5  # … unless the training loss has halved meanwhile: a regression head's gradients grow as the
# network grows into its targets' scale (regression_mlp's head: 11× while its mean squared error kept falling)
DEAD_WARNING = 0.4  # 40 % of a ReLU layer's units give zero for every sample: that capacity is lost for good
DEAD_PROBLEM = 0.8  # most of the layer is dead: the signal hardly gets through it
DEAD_HARMLESS_FIT = 0.8  # a model that closed this share of the way to a perfect training score lost no capacity it
# needed: a note, not a warning (the lab fits its ten points with 8 of dense_1's 20 units dead)
SATURATION_WARNING = 0.5  # half of a sigmoid/tanh layer's outputs in the flat tails, where the gradient is ~0
SATURATION_PROBLEM = 0.9
SQUASHING = ("sigmoid", "tanh", "hard_sigmoid")  # activations that saturate


def _epoch(h: RunHistory, i: int) -> int | None:
    """The inspect snapshot i as a diagnosis epoch (0, the initial weights, is before training: None)."""
    e = h.inspect_epochs[i]
    return e if e > 0 else None


def _ordered(h: RunHistory, table: dict[str, list[float]]) -> list[str]:
    """The recorded blocks in the model's order (the spec's, else the recording's)."""
    if h.spec is None:
        return list(table)
    order = [b.id for b in h.spec.model.blocks if b.id in table]
    return order + [b for b in table if b not in order]


def _latest(values: list[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return finite[-1] if finite else math.nan


def _blocks(h: RunHistory, ids: list[str]) -> list[BlockSpec]:
    if h.spec is None:
        return []
    return [b for b in h.spec.model.blocks if b.id in ids]


def _weak(h: RunHistory, order: list[str], i: int) -> list[str]:
    """The blocks below the head whose gradient scale at snapshot i is under VANISH_RATIO × the head's; [] unless
    the first block is one (vanishing starts at the bottom of the stack, not at one odd block in the middle)."""
    head = h.grad_rms[order[-1]][i]
    if not head > 0:
        return []
    weak = [b for b in order[:-1] if h.grad_rms[b][i] < VANISH_RATIO * head]
    return weak if weak and weak[0] == order[0] else []


def detect_vanishing_gradients(h: RunHistory) -> Diagnosis | None:
    # a block of dead ReLUs passes no gradient at all: that zero is dead_relu's to report, not a fading signal
    dead = {b for b, s in h.stats.items() if _latest(s.get("dead", [])) >= DEAD_PROBLEM}
    order = [b for b in _ordered(h, h.grad_rms) if b not in dead]
    if len(order) < 2:
        return None
    last = len(h.inspect_epochs) - 1
    weak = _weak(h, order, last)
    if not weak:
        return None
    seen = next(i for i in range(last + 1) if _weak(h, order, i))
    head, first = h.grad_rms[order[-1]][last], h.grad_rms[order[0]][last]
    spec = h.spec
    fixes = []
    if spec is not None:
        squashing = [b for b in remedies.hidden_blocks(spec) if remedies.activation_of(b) in SQUASHING]
        hidden = remedies.hidden_blocks(spec)
        fixes = remedies.choose(remedies.set_activation(squashing, "relu"),
                                remedies.add_batch_norm(hidden[0]) if hidden else None)
    return Diagnosis(
        "vanishing_gradients", "problem" if head > 0 and first < VANISH_PROBLEM_RATIO * head else "warning",
        _epoch(h, seen),
        f"The gradient per weight of {order[0]} is {first:.3g}, {head / first if first > 0 else math.inf:.3g}× "
        f"smaller than that of {order[-1]} ({head:.3g}); {len(weak)} of {len(order) - 1} blocks below the head "
        f"are under {VANISH_RATIO:g}× the head's.",
        "The gradient shrinks on its way back through the layers, so the first layers barely learn. Saturating "
        "activations (sigmoid, tanh) are the usual cause: use ReLU in the hidden layers, or add batch "
        "normalisation to keep the signal in range.", blocks=weak, fixes=fixes)


def _loss_halved(h: RunHistory) -> bool:
    loss = [v for v in h.metric("loss") if math.isfinite(v)]
    return len(loss) >= 2 and loss[-1] <= EXPLODE_LOSS_FELL * loss[0]


def detect_exploding_gradients(h: RunHistory) -> Diagnosis | None:
    order = _ordered(h, h.grad_rms)
    if not order:
        return None
    evidence, blocks = "", []
    broken = [b for b in order if any(math.isinf(v) for v in h.grad_rms[b])]
    growing = []
    for b in order:
        finite = [v for v in h.grad_rms[b] if math.isfinite(v) and v > 0]
        if len(finite) >= 2 and finite[-1] > EXPLODE_GROWTH * finite[0] and not _loss_halved(h):
            growing.append((b, finite[0], finite[-1]))
    head = _latest(h.grad_rms[order[-1]])
    first = _latest(h.grad_rms[order[0]])
    if broken:
        blocks, evidence = broken, f"The gradients of {', '.join(broken)} became infinite."
    elif growing:
        blocks = [b for b, _, _ in growing]
        b, a, z = growing[0]
        evidence = f"The gradient per weight of {b} grew from {a:.3g} to {z:.3g} ({z / a:.3g}×) over the run."
    elif len(order) >= 2 and head > 0 and first > EXPLODE_RATIO * head:
        blocks = [order[0]]
        evidence = f"The gradient per weight of {order[0]} is {first / head:.3g}× that of the head {order[-1]}."
    else:
        return None
    spec = h.spec
    fixes = []
    if spec is not None:
        hidden = remedies.hidden_blocks(spec)
        fixes = remedies.choose(remedies.clip_gradients(spec), remedies.scale_learning_rate(spec, 0.1),
                                remedies.add_batch_norm(hidden[0]) if hidden else None)
    return Diagnosis(
        "exploding_gradients", "problem" if broken else "warning", _epoch(h, len(h.inspect_epochs) - 1), evidence,
        "The gradients grow as they flow back, so each update is bigger than the last until training blows up. "
        "Clip the gradient norm, lower the learning rate, and batch normalisation keeps activations in range.",
        blocks=blocks, settings=["optimizer.clipnorm", "optimizer.learning_rate"], fixes=fixes)


def _first_over(h: RunHistory, stat: str, threshold: float, skip: set[str]) -> tuple[list[str], int, float] | None:
    """Blocks whose latest `stat` is ≥ threshold, the first snapshot where any was, and the worst value."""
    flagged = [b for b, s in h.stats.items() if b not in skip and _latest(s.get(stat, [])) >= threshold]
    if not flagged:
        return None
    first = min(next(i for i, v in enumerate(h.stats[b][stat]) if math.isfinite(v) and v >= threshold)
                for b in flagged)
    return _ordered(h, {b: [] for b in flagged}), first, max(_latest(h.stats[b][stat]) for b in flagged)


def _outputs(h: RunHistory) -> set[str]:
    if h.spec is None:
        return set()
    return set(resolve_graph(h.spec.model, h.spec.data.augmentation)[1])


def detect_dead_relu(h: RunHistory) -> Diagnosis | None:
    found = _first_over(h, "dead", DEAD_WARNING, set())
    if found is None:
        return None
    blocks, first, worst = found
    spec = h.spec
    fixes = [] if spec is None else remedies.choose(remedies.set_activation(_blocks(h, blocks), "leaky_relu"),
                                                     remedies.scale_learning_rate(spec, 0.1),
                                                     *(remedies.add_batch_norm(b) for b in _blocks(h, blocks)[:1]))
    shares = ", ".join(f"{b} {_latest(h.stats[b]['dead']):.0%}" for b in blocks)
    severity: Severity = "problem" if worst >= DEAD_PROBLEM else "warning"
    fit = closed_share(h, epochs_holding(h, STALL_SMOOTH_UPDATES))
    spare = ""
    if severity == "warning" and fit is not None and fit[0] >= DEAD_HARMLESS_FIT:
        severity = "info"
        spare = f" The model still fits its training data ({fit[1]}): the layer has units to spare."
    return Diagnosis(
        "dead_relu", severity, _epoch(h, first),
        f"Share of ReLU units that output zero for every sample: {shares}.{spare}",
        "A ReLU unit whose input is negative for every sample gets no gradient and never recovers; big updates "
        "(a high learning rate) push units there. Lower the learning rate, or use leaky ReLU, whose negative side "
        "still passes a little gradient.", blocks=blocks, settings=["optimizer.learning_rate"], fixes=fixes)


def detect_saturation(h: RunHistory) -> Diagnosis | None:
    found = _first_over(h, "saturated", SATURATION_WARNING, _outputs(h))
    if found is None:
        return None
    blocks, first, worst = found
    spec = h.spec
    fixes = [] if spec is None else remedies.choose(
        remedies.set_activation(_blocks(h, blocks), "relu"),
        *(remedies.add_batch_norm(b) for b in _blocks(h, blocks)[:1]),
        remedies.normalize_inputs(spec) if h.data.kind in ("table", "series") else None)
    shares = ", ".join(f"{b} {_latest(h.stats[b]['saturated']):.0%}" for b in blocks)
    return Diagnosis(
        "saturation", "problem" if worst >= SATURATION_PROBLEM else "warning", _epoch(h, first),
        f"Share of sigmoid/tanh outputs in the flat tails (beyond 0.01…0.99 or ±0.99): {shares}.",
        "A saturated sigmoid or tanh has almost no slope, so almost no gradient passes back through it and the "
        "layers below stop learning. Use ReLU in hidden layers, or batch-normalise what feeds them.",
        blocks=blocks, fixes=fixes)
