"""Does the model's last block fit the data's task and the loss? The loss `auto` resolves here, for the
checker and the engine alike, so the two can never disagree about which loss a run trains with.

The engine compiles losses as Keras' defaults (`from_logits=False`): a classifier's head must give
probabilities itself. A relu head can give all zeros (the cross-entropy then turns NaN at the first step), a
linear head gives negative numbers, a softmax over one unit is always 1, and sigmoids over several classes do
not sum to 1. Each misfit comes with the repairs that make the head fit: units and activation together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from studio.core.shapes import Fix, set_params

CATEGORICAL = ("sparse_categorical_crossentropy", "categorical_crossentropy")
BINARY = "binary_crossentropy"
CLASSIFICATION_LOSSES = (*CATEGORICAL, BINARY)

_WHY = {  # why an activation cannot end a classifier, in a few words
    "relu": "relu outputs can all be 0, and the loss turns NaN at the first step",
    "linear": "a linear head gives raw scores (logits), but the loss expects probabilities",
    "sigmoid": "sigmoid scores every class alone, so the outputs do not sum to 1",
}


def resolve_loss(loss: str, task: str, num_classes: int, head_units: int, label_smoothing: float = 0.0) -> str:
    """The loss a run trains with: `loss` itself, or for `auto` the one that fits the task and the head."""
    if loss != "auto":
        return loss
    if task == "regression":
        return "mean_squared_error"
    if num_classes == 2 and head_units == 1:
        return BINARY
    return "categorical_crossentropy" if label_smoothing else "sparse_categorical_crossentropy"


@dataclass
class HeadMisfit:
    message: str
    fixes: list[Fix] = field(default_factory=list)


def _softmax_fix(classes: int, units: int, activation: str) -> Fix:
    change: dict[str, int | str] = {}
    if units != classes:
        change["units"] = classes
    if activation != "softmax":
        change["activation"] = "softmax"
    return set_params(_label(change), **change)


def _sigmoid_fix(units: int, activation: str) -> Fix:
    change: dict[str, int | str] = {}
    if units != 1:
        change["units"] = 1
    if activation != "sigmoid":
        change["activation"] = "sigmoid"
    return set_params(_label(change), **change)


def _label(change: dict) -> str:
    parts = [f"units to {change['units']}"] if "units" in change else []
    if "activation" in change:
        parts.append(f"activation to {change['activation']}")
    return "Set " + " and ".join(parts)


def _use_loss(loss: str, head: dict | None = None) -> Fix:
    """Change the loss, and the head with it when given ({"units": n, "activation": a})."""
    how = f" with {head['units']} {head['activation']} unit{'s' * (head['units'] != 1)}" if head else ""
    return Fix(f"Use loss {loss}{how}", "set_loss", params=dict(head or {}), value=loss)


def check_head(task: str, num_classes: int, target_width: int, loss: str, units: int, activation: str,
               label_smoothing: float = 0.0) -> HeadMisfit | None:
    """What is wrong with a head of `units` outputs and `activation`, and its repairs; None when it fits."""
    if task == "classification":
        return _classifier(num_classes, loss, units, activation, label_smoothing)
    return _regressor(target_width, loss, units, activation)


def _classifier(n: int, loss: str, units: int, act: str, smoothing: float) -> HeadMisfit | None:
    if loss != "auto" and loss not in CLASSIFICATION_LOSSES:
        return HeadMisfit(f"`{loss}` is a regression loss but the data has {n} classes; use a cross-entropy",
                          [Fix("Use loss auto", "set_loss", value="auto")])
    resolved = resolve_loss(loss, "classification", n, units, smoothing)
    if resolved == BINARY:
        return _binary(n, loss, units, act)
    if units != n:
        msg = f"outputs {units} values per sample but the data has {n} classes"
        fixes = [_softmax_fix(n, units, act)]
        if n == 2:
            msg += " (binary: 2 softmax units, or 1 sigmoid unit)"
            fixes.append(_sigmoid_fix(units, act) if loss == "auto" else _use_loss(BINARY, {"units": 1,
                                                                                             "activation": "sigmoid"}))
        return HeadMisfit(msg, fixes)
    if act != "softmax":
        why = _WHY.get(act, f"{act} does not give probabilities that sum to 1")
        return HeadMisfit(f"ends in {act} but {resolved} needs softmax over the {n} classes: {why}",
                          [_softmax_fix(n, units, act)])
    return None


def _binary(n: int, loss: str, units: int, act: str) -> HeadMisfit | None:
    if n > 2:
        return HeadMisfit(f"{BINARY} is for two classes but the data has {n}",
                          [_use_loss("sparse_categorical_crossentropy", {"units": n, "activation": "softmax"}
                                     if (units, act) != (n, "softmax") else None)])
    if units != 1:
        if (units, act) == (2, "softmax"):  # a fine two-class head: the loss is what does not fit
            msg = (f"the loss {BINARY} needs 1 sigmoid unit but this head has 2 softmax units; "
                   "change the loss or the head")
        else:
            msg = f"outputs {units} values per sample but {BINARY} needs 1 (a sigmoid unit)"
        two_softmax = None if (units, act) == (2, "softmax") else {"units": 2, "activation": "softmax"}
        return HeadMisfit(msg, [_sigmoid_fix(units, act), _use_loss("sparse_categorical_crossentropy", two_softmax)])
    if act != "sigmoid":
        why = {"softmax": "a softmax over one unit is always 1, so nothing is learned",
               "linear": "a linear unit gives a raw score (a logit), but the loss expects a probability"
               }.get(act, f"{act} does not give a probability between 0 and 1")
        return HeadMisfit(f"ends in {act} but {BINARY} needs a sigmoid unit: {why}", [_sigmoid_fix(units, act)])
    return None


def _regressor(width: int, loss: str, units: int, act: str) -> HeadMisfit | None:
    if loss in CLASSIFICATION_LOSSES:
        return HeadMisfit(f"`{loss}` is a classification loss but the data's targets are numbers",
                          [Fix("Use loss auto", "set_loss", value="auto")])
    if units != width:
        return HeadMisfit(f"outputs {units} values per sample but the target has {width}",
                          [set_params(f"Set units to {width}", units=width)])
    if act == "softmax":
        return HeadMisfit("ends in softmax, which makes the outputs sum to 1 (one softmax unit is always 1); "
                          "a regression head needs linear",
                          [set_params("Set activation to linear", activation="linear")])
    return None
