"""The spec changes the detectors offer, built once here so that every detector words and shapes a fix alike.
Each returns a Fix (or None when it does not apply to this spec); studio.core.coach.fixes applies them."""

from __future__ import annotations

from studio.core.analysis import resolve_graph
from studio.core.coach.diagnosis import Change, Fix
from studio.core.optimizers import OPTIMIZERS
from studio.core.spec import BlockSpec, RunSpec

WEIGHTED = ("Dense", "Conv1D", "Conv2D", "Conv3D", "SeparableConv2D", "DepthwiseConv2D", "Conv2DTranspose")
DROPOUT_RATE = 0.3  # a middle dropout rate: enough to regularise a hidden layer, little enough not to underfit
FIRST_L2 = 1e-4  # a first L2 penalty that regularises without dominating a cross-entropy of about 1
RATE_FAR_OFF = 10.0  # a learning rate 10× from its optimiser's usual default is the first suspect of a stuck run
EARLY_PATIENCE = 5  # epochs: outlasts the noise of a validation curve, stops before long over-fitting


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def hidden_blocks(spec: RunSpec) -> list[BlockSpec]:
    """The enabled blocks with weights before the head, in order (what Dropout, L2 or an activation act on)."""
    order, outputs = resolve_graph(spec.model, spec.data.augmentation)
    return [b for b, _ in order if b.type in WEIGHTED and b.id not in outputs]


def activation_of(block: BlockSpec) -> str:
    return str(block.resolved_params().get("activation", ""))


def scale_learning_rate(spec: RunSpec, factor: float) -> Fix:
    old = spec.optimizer.learning_rate
    new = float(f"{min(old * factor, 10.0):.3g}")
    verb = f"Divide the learning rate by {_fmt(1 / factor)}" if factor < 1 \
        else f"Multiply the learning rate by {_fmt(factor)}"
    return Fix(f"{verb} ({_fmt(old)} → {_fmt(new)})", [Change("optimizer.learning_rate", new)])


def rate_back_to_usual(spec: RunSpec) -> Fix | None:
    """A learning rate RATE_FAR_OFF or more from the optimiser's default, scaled by ten towards it."""
    usual = OPTIMIZERS[spec.optimizer.name][1]
    rate = spec.optimizer.learning_rate
    if rate >= usual * RATE_FAR_OFF:
        return scale_learning_rate(spec, 0.1)
    if rate <= usual / RATE_FAR_OFF:
        return scale_learning_rate(spec, 10.0)
    return None


def clip_gradients(spec: RunSpec, norm: float = 1.0) -> Fix | None:
    if spec.optimizer.clipnorm or spec.optimizer.global_clipnorm:
        return None
    return Fix(f"Clip each gradient to norm {_fmt(norm)} (clipnorm)", [Change("optimizer.clipnorm", norm)])


def normalize_inputs(spec: RunSpec, method: str = "standard") -> Fix | None:
    if spec.data.normalize != "none":
        return None
    words = {"standard": "Standardise the features (mean 0, std 1)", "minmax": "Scale the features to [0, 1]"}
    return Fix(words[method], [Change("data.normalize", method)])


def early_stopping(spec: RunSpec) -> Fix | None:
    es = spec.regularization.early_stopping
    monitor = "val_loss" if spec.data.validation_split > 0 else "loss"
    if es is None:
        return Fix(f"Stop early on {monitor} (patience {EARLY_PATIENCE}) and keep the best epoch's weights",
                   [Change("regularization.early_stopping", {"monitor": monitor, "patience": EARLY_PATIENCE,
                                                             "restore_best_weights": True})])
    if not es.restore_best_weights:
        return Fix("Keep the best epoch's weights when stopping early",
                   [Change("regularization.early_stopping.restore_best_weights", True)])
    return None


def add_dropout(spec: RunSpec, rate: float = DROPOUT_RATE) -> Fix | None:
    """Dropout right after the last hidden block with weights, unless a Dropout already follows it."""
    hidden = hidden_blocks(spec)
    if not hidden:
        return None
    last = hidden[-1]
    ids = [b.id for b in spec.model.blocks]
    after = spec.model.blocks[ids.index(last.id) + 1] if ids.index(last.id) + 1 < len(ids) else None
    if after is not None and after.type.endswith("Dropout") and after.enabled:
        rate_now = float(after.resolved_params().get("rate", 0))
        if rate_now >= 0.5:
            return None
        return Fix(f"Raise {after.id}'s dropout rate to 0.5", [Change(f"model.blocks.{after.id}.params.rate", 0.5)])
    return Fix(f"Add Dropout({rate}) after {last.id}",
               [Change("model.blocks", {"type": "Dropout", "params": {"rate": rate}}, insert_after=last.id)])


def raise_l2(spec: RunSpec) -> Fix:
    old = spec.regularization.l2
    new = FIRST_L2 if old == 0 else float(f"{min(old * 10, 1e3):.3g}")
    return Fix(f"Raise the L2 penalty ({_fmt(old)} → {_fmt(new)})", [Change("regularization.l2", new)])


def set_activation(blocks: list[BlockSpec], activation: str) -> Fix | None:
    if not blocks:
        return None
    ids = ", ".join(b.id for b in blocks)
    return Fix(f"Use {activation} in {ids}",
               [Change(f"model.blocks.{b.id}.params.activation", activation) for b in blocks])


def add_batch_norm(block: BlockSpec) -> Fix:
    return Fix(f"Add BatchNormalization after {block.id}",
               [Change("model.blocks", {"type": "BatchNormalization", "params": {}}, insert_after=block.id)])


def more_epochs(spec: RunSpec, factor: int = 2) -> Fix:
    new = min(spec.training.epochs * factor, 100_000)
    return Fix(f"Train for more epochs ({spec.training.epochs} → {new})", [Change("training.epochs", new)])


def widen(blocks: list[BlockSpec], factor: int = 2) -> Fix | None:
    dense = [b for b in blocks if b.type == "Dense"]
    if not dense:
        return None
    changes = [Change(f"model.blocks.{b.id}.params.units", int(b.resolved_params()["units"]) * factor)
               for b in dense]
    return Fix(f"Give {', '.join(b.id for b in dense)} {factor}× the units", changes)


def weaker_regularization(spec: RunSpec) -> Fix | None:
    changes = []
    if spec.regularization.l2 > 0:
        changes.append(Change("regularization.l2", 0.0))
    if spec.regularization.l1 > 0:
        changes.append(Change("regularization.l1", 0.0))
    if spec.optimizer.weight_decay:
        changes.append(Change("optimizer.weight_decay", None))
    for b in spec.model.blocks:
        if b.enabled and b.type.endswith("Dropout") and float(b.resolved_params().get("rate", 0)) > DROPOUT_RATE:
            changes.append(Change(f"model.blocks.{b.id}.params.rate", 0.1))
    return Fix("Weaken the regularisation (L1, L2 and weight decay off, dropout 0.1)", changes) if changes else None


def choose(*fixes: Fix | None) -> list[Fix]:
    """The fixes that apply, in the order given (best first)."""
    return [f for f in fixes if f is not None]
