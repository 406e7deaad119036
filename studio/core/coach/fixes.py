"""Apply a coach's Fix to a run spec held as a dict (as the app edits it and spec.json stores it), then validate
the result with RunSpec, so a fix that would make an invalid spec is refused with SpecError before it is used.
The change forms are described in studio.core.coach.diagnosis."""

from __future__ import annotations

import copy
from typing import Any

from studio.core import model_edits
from studio.core.run_names import run_title
from studio.core.coach.diagnosis import Change, Fix
from studio.core.spec import RunSpec, SpecError, parse_spec, set_path


def apply_fix(spec: dict[str, Any], fix: Fix) -> dict[str, Any]:
    """A new, validated spec dict with every change of `fix` applied (`spec` itself is untouched)."""
    data = copy.deepcopy(spec)
    for change in fix.changes:
        if change.insert_after is not None:
            _insert_after(data, change)
        else:
            set_path(data, change.path, copy.deepcopy(change.value), said=f"fix `{fix.label}`:")
    return checked(data, fix.label)


def checked(data: dict[str, Any], label: str = "") -> dict[str, Any]:
    spec: RunSpec = parse_spec(data, f"fix `{label}`" if label else "fix")
    return spec.to_dict()


def _insert_after(data: dict[str, Any], change: Change) -> None:
    if change.path != "model.blocks" or not isinstance(change.value, dict) or "type" not in change.value:
        raise SpecError([f"{change.path}: insert_after needs path model.blocks and a block with a type as value"])
    anchor = str(change.insert_after)
    try:
        at = model_edits.index_of(data, anchor)
    except (KeyError, TypeError):
        raise SpecError([f"model.blocks: no block `{anchor}` to insert after"]) from None
    new_id = model_edits.add_block(data, str(change.value["type"]), at + 1, dict(change.value.get("params", {})))
    for b in model_edits.blocks(data):  # the new block sits between the anchor and whoever read it by name
        if b["id"] != new_id and b.get("inputs"):
            b["inputs"] = [new_id if i == anchor else i for i in b["inputs"]]
    outputs = data["model"].get("outputs")
    if outputs:
        data["model"]["outputs"] = [new_id if o == anchor else o for o in outputs]


# sections whose changes leave the model's layers and their weights as they are: a fork may continue training
# the run's model under them (its data, its blocks and its input are as before)
WEIGHTS_KEEP_SECTIONS = ("optimizer", "regularization", "training")


def keeps_weights(fix: Fix) -> bool:
    """True when every change of `fix` is to the optimizer, the run-wide regularization or the training settings,
    so the run's trained weights still fit the changed spec; a change of blocks or data needs new weights."""
    return bool(fix.changes) and all(c.insert_after is None and c.path.split(".")[0] in WEIGHTS_KEEP_SECTIONS
                                     and c.path != "training.initial_model" for c in fix.changes)


def forked_spec(run_spec: dict[str, Any], fix: Fix, model_file: str | None) -> dict[str, Any]:
    """The spec of a new run: the run's own spec with `fix` applied, titled by what the fix changed, continuing
    from `model_file` (the run's trained model) when the fix keeps the weights and there is one, else from
    freshly initialised weights (an earlier run's weights may not fit the changed blocks)."""
    data = apply_fix(run_spec, fix)
    data.setdefault("meta", {})["title"] = run_title(run_spec, data)
    data["training"]["initial_model"] = model_file if model_file and keeps_weights(fix) else None
    return checked(data, fix.label)
