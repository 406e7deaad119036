"""Check a model spec without Keras: each block's output shape and parameter count, the totals, and a
message (with a fix where one is obvious) for every block that does not fit.

This is what the GUI shows live while the user edits and what `keras-studio check` prints; it takes
milliseconds. The engine builds the real Keras model from the same graph (`resolve_graph`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from studio.core import catalog
from studio.core.params import ParamError
from studio.core.shapes import RULES, Fix, Shape, ShapeError, fmt
from studio.core.spec import BlockSpec, ModelSpec, RunSpec


@dataclass(frozen=True)
class DataShape:
    """What the data says the model must take and give."""

    input_shape: Shape
    task: str  # classification | regression
    num_classes: int = 0  # for classification
    target_width: int = 1  # for regression: values predicted per sample


@dataclass
class BlockReport:
    id: str
    type: str
    inputs: list[str]
    output_shape: Shape | None = None
    params: int = 0
    non_trainable: int = 0
    enabled: bool = True
    error: str = ""
    fix: Fix | None = None

    @property
    def shape_text(self) -> str:
        return fmt(self.output_shape) if self.output_shape is not None else "—"


@dataclass
class ModelReport:
    blocks: list[BlockReport] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # model-wide problems (no input, head mismatch …)
    head_fix: tuple[str, Fix] | None = None  # (block id, fix) for a head that does not match the data

    @property
    def total_params(self) -> int:
        return sum(b.params for b in self.blocks if b.enabled)

    @property
    def non_trainable_params(self) -> int:
        return sum(b.non_trainable for b in self.blocks if b.enabled)

    @property
    def trainable_params(self) -> int:
        return self.total_params - self.non_trainable_params

    @property
    def ok(self) -> bool:
        return not self.problems and not any(b.error for b in self.blocks)

    def errors(self) -> list[str]:
        out = [f"{b.id} ({b.type}): {b.error}" for b in self.blocks if b.error]
        return out + self.problems

    def by_id(self) -> dict[str, BlockReport]:
        return {b.id: b for b in self.blocks}


AUGMENT_PREFIX = "augment_"


def resolve_graph(model: ModelSpec, augmentation: list[BlockSpec] = ()) -> tuple[list[tuple[BlockSpec, list[str]]], list[str]]:
    """Enabled blocks in order, each with the ids it reads from, and the output ids.

    A block without `inputs` reads the previous enabled block. A disabled block is bypassed: whoever reads
    it reads its input instead. Augmentation blocks (ids `augment_N`) follow the first Input, and every
    block that reads that Input reads the augmented data.
    """
    alias: dict[str, str | None] = {}
    order: list[tuple[BlockSpec, list[str]]] = []
    previous: str | None = None
    augmented = False
    for b in model.blocks:
        if b.type == "Input":
            srcs: list[str] = []
        elif b.inputs is None:
            srcs = [previous] if previous else []
        else:
            srcs = [s for s in (alias.get(s, s) for s in b.inputs) if s]
        if not b.enabled:
            alias[b.id] = previous = srcs[0] if srcs else None
            continue
        order.append((b, srcs))
        previous = b.id
        if b.type == "Input" and augmentation and not augmented:
            for i, a in enumerate(augmentation):
                aug_id = f"{AUGMENT_PREFIX}{i + 1}"
                order.append((a.model_copy(update={"id": aug_id, "inputs": None}), [previous]))
                previous = aug_id
            alias[b.id] = previous
            augmented = True
    if model.outputs:
        outputs = [o for o in (alias.get(o, o) for o in model.outputs) if o]
    else:
        outputs = [previous] if previous else []
    return order, outputs


def analyze(model: ModelSpec, data: DataShape | None = None, augmentation: list[BlockSpec] = (),
            loss: str = "auto") -> ModelReport:
    report = ModelReport()
    order, outputs = resolve_graph(model, augmentation)
    report.outputs = outputs
    shapes: dict[str, Shape | None] = {}
    for block in model.blocks:
        if not block.enabled:
            report.blocks.append(BlockReport(block.id, block.type, [], enabled=False))
    reports: dict[str, BlockReport] = {}
    aug_ids = {f"{AUGMENT_PREFIX}{i + 1}" for i in range(len(augmentation))}
    for block, srcs in order:
        rep = BlockReport(block.id, block.type, srcs)
        reports[block.id] = rep
        if block.id not in aug_ids:
            report.blocks.append(rep)
        shape, rep.params, rep.non_trainable, rep.error, rep.fix = _infer(block, srcs, shapes)
        rep.output_shape = shapes[block.id] = shape
    # keep the report in spec order; augmentation reports are the data's, shown as model-wide problems
    position = {b.id: i for i, b in enumerate(model.blocks)}
    report.blocks.sort(key=lambda r: position[r.id])
    for aug_id, rep in reports.items():
        if aug_id in aug_ids and rep.error:
            report.problems.append(f"augmentation {rep.type}: {rep.error}")
    inputs = [b for b, _ in order if b.type == "Input"]
    if not model.blocks:
        report.problems.append("the model is empty; start with an Input block")
        return report
    if not inputs:
        report.problems.append("the model has no Input block; add one first and set the shape of a sample")
        return report
    if data is not None:
        _check_data(report, inputs, outputs, shapes, data, loss, reports)
    return report


def _infer(block: BlockSpec, srcs: list[str], shapes: dict[str, Shape | None]
           ) -> tuple[Shape | None, int, int, str, Fix | None]:
    """(output shape, params, non-trainable, error, fix) of one block given its sources' shapes."""
    try:
        entry = catalog.get(block.type)
        params = entry.check_params(block.params)
    except ParamError as exc:
        return None, 0, 0, str(exc), None
    if entry.arity == 1 and len(srcs) != 1:
        return None, 0, 0, ("has no input; put an Input block first" if not srcs else
                            f"takes one input but {len(srcs)} are connected; merge them with Add or Concatenate"), None
    if entry.arity is None and len(srcs) < 2:
        return None, 0, 0, f"needs two or more inputs but {len(srcs)} connected; connect another block to it", None
    ins = [shapes.get(s) for s in srcs]
    if any(s is None for s in ins):
        return None, 0, 0, "", None  # the real error is upstream; this block stays quiet but shapeless
    try:
        out, n, frozen = RULES[block.type](ins, params)
    except ShapeError as exc:
        return None, 0, 0, (f"{exc} (from {', '.join(srcs)})" if srcs else str(exc)), exc.fix
    return out, n, frozen, "", None


def _check_data(report: ModelReport, inputs: list[BlockSpec], outputs: list[str], shapes: dict,
                data: DataShape, loss: str, reports: dict[str, BlockReport]) -> None:
    first = inputs[0]
    declared = tuple(first.params.get("shape", catalog.get("Input").param("shape").default))
    fits = len(declared) == len(data.input_shape) and all(
        d is None or d == w for d, w in zip(declared, data.input_shape))  # None: any length (e.g. a series window)
    if len(inputs) == 1 and not fits:
        want = list(data.input_shape)
        reports[first.id].error = f"declares samples of shape {tuple(declared)} but the data has {tuple(want)}"
        reports[first.id].fix = Fix(f"Set the shape to {tuple(want)}", "set", param="shape", value=want)
    if len(inputs) > 1:
        widths = [b.resolved_params()["shape"] for b in inputs]
        if len(data.input_shape) != 1 or any(len(w) != 1 for w in widths) or \
                sum(w[0] or 0 for w in widths) != data.input_shape[0]:
            report.problems.append(
                f"the {len(inputs)} Input blocks take {' + '.join(str(tuple(w)) for w in widths)} but the data's "
                f"samples are {tuple(data.input_shape)}; several inputs split the columns of table data, so their "
                f"widths must add up to {data.input_shape[0] if len(data.input_shape) == 1 else 'the feature count'}")
    if len(outputs) != 1:
        return
    head = outputs[0]
    out = shapes.get(head)
    if out is None:
        return
    rep = reports[head]
    if data.task == "classification":
        if len(out) != 1:
            report.problems.append(
                f"{head} ({rep.type}): the output has shape {fmt(out)} but classification needs one vector per "
                f"sample; add Flatten or a global pooling block before the head")
            return
        accepted = {data.num_classes}
        if data.num_classes == 2 and loss in ("auto", "binary_crossentropy"):
            accepted = {1} if loss == "binary_crossentropy" else {1, 2}
        want = 1 if accepted == {1} else data.num_classes
        if out[-1] not in accepted:
            _head_problem(report, rep, f"outputs {out[-1]} values per sample but the data has "
                                       f"{data.num_classes} classes" + (" (binary: 1 sigmoid unit)" if want == 1 else ""),
                          want)
    elif data.task == "regression" and out[-1] != data.target_width:
        _head_problem(report, rep, f"outputs {out[-1]} values per sample but the target has {data.target_width}",
                      data.target_width)


def _head_problem(report: ModelReport, rep: BlockReport, message: str, units: int) -> None:
    """Mark the head; a Dense head gets a one-click fix, any other head a model-wide problem."""
    if rep.type == "Dense":
        rep.error = message
        rep.fix = Fix(f"Set units to {units}", "set", param="units", value=units)
        report.head_fix = (rep.id, rep.fix)
    else:
        report.problems.append(f"{rep.id} ({rep.type}): {message}; end the model with a Dense of {units} units")


def apply_fix(model: ModelSpec, block_id: str, fix: Fix) -> ModelSpec:
    """The model with `fix` applied to block `block_id` (a new ModelSpec; the old one is untouched)."""
    data: dict[str, Any] = model.model_dump(mode="json")
    blocks = data["blocks"]
    idx = next(i for i, b in enumerate(blocks) if b["id"] == block_id)
    if fix.op == "set":
        blocks[idx]["params"][fix.param] = fix.value
    elif fix.op == "remove":
        blocks.pop(idx)
    elif fix.op == "insert_before":
        new_id = model.new_id(fix.block["type"])
        new = {"id": new_id, "type": fix.block["type"], "params": dict(fix.block.get("params", {})),
               "inputs": blocks[idx].get("inputs"), "enabled": True}
        if blocks[idx].get("inputs") is not None:
            blocks[idx]["inputs"] = [new_id]
        blocks.insert(idx, new)
    else:
        raise ValueError(f"unknown fix operation {fix.op!r}")
    return ModelSpec.model_validate(data)


def check_spec(spec: RunSpec, data: DataShape | None = None) -> ModelReport:
    return analyze(spec.model, data, spec.data.augmentation, spec.training.loss)
