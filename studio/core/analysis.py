"""Check a model spec without Keras: each block's output shape and parameter count, the totals, and a
message for every block that does not fit, with the repairs on offer (best first). The head is held to the data
and to the loss (studio.core.head_fit); a block below a misfit names the block it waits for.

This is what the GUI shows live while the user edits and what `keras-studio check` prints; it takes
milliseconds. The engine builds the real Keras model from the same graph (`resolve_graph`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from studio.core import catalog
from studio.core.head_fit import check_head
from studio.core.params import ParamError
from studio.core.shapes import REMOVE, Fix, Shape, ShapeError, fmt, insert, set_params
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
    fixes: list[Fix] = field(default_factory=list)  # repairs on offer, best first
    waiting_for: str = ""  # the upstream block whose misfit leaves this one without a shape

    @property
    def fix(self) -> Fix | None:
        return self.fixes[0] if self.fixes else None

    @property
    def shape_text(self) -> str:
        if self.output_shape is not None:
            return fmt(self.output_shape)
        return f"waiting for {self.waiting_for}" if self.waiting_for else "—"


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


def resolve_graph(model: ModelSpec, augmentation: Sequence[BlockSpec] = ()
                  ) -> tuple[list[tuple[BlockSpec, list[str]]], list[str]]:
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


def analyze(model: ModelSpec, data: DataShape | None = None, augmentation: Sequence[BlockSpec] = (),
            loss: str = "auto", label_smoothing: float = 0.0, graph_fixes: bool = True) -> ModelReport:
    """The report of `model` (against `data` and `loss` when given). `graph_fixes`: also offer repairs that
    move a block, each tried on a copy first (off for those trials themselves)."""
    report = ModelReport()
    order, outputs = resolve_graph(model, augmentation)
    report.outputs = outputs
    shapes: dict[str, Shape | None] = {}
    for block in model.blocks:
        if not block.enabled:
            report.blocks.append(BlockReport(block.id, block.type, [], enabled=False))
    reports: dict[str, BlockReport] = {}
    aug_ids = {f"{AUGMENT_PREFIX}{i + 1}" for i in range(len(augmentation))}
    needed_rank: dict[str, int] = {}
    for block, srcs in order:
        rep = BlockReport(block.id, block.type, srcs)
        reports[block.id] = rep
        if block.id not in aug_ids:
            report.blocks.append(rep)
        rank = _infer(rep, block, srcs, shapes, reports, order)
        if rank is not None and block.id not in aug_ids:
            needed_rank[block.id] = rank
        shapes[block.id] = rep.output_shape
    if graph_fixes:
        for bid, rank in needed_rank.items():
            move = _move_fix(model, bid, rank, shapes, reports)
            if move is not None:
                reports[bid].fixes.insert(0, move)
    # keep the report in spec order; augmentation reports are the data's, shown as model-wide problems
    position = {b.id: i for i, b in enumerate(model.blocks)}
    report.blocks.sort(key=lambda r: position[r.id])
    for aug_id, rep in reports.items():
        if aug_id in aug_ids and rep.error:
            report.problems.append(f"augmentation {rep.type}: {rep.error}")
    if data is not None:  # an Input the checker offers to insert takes the data's shape at once
        for rep in report.blocks:
            rep.fixes = [insert("Input", f.label, shape=list(data.input_shape))
                         if f.op == "insert_before" and f.block.get("type") == "Input" else f for f in rep.fixes]
    inputs = [b for b, _ in order if b.type == "Input"]
    if not model.blocks:
        report.problems.append("the model is empty; start with an Input block")
        return report
    if not inputs:
        report.problems.append("the model has no Input block; add one first and set the shape of a sample")
        return report
    if data is not None:
        _check_data(report, inputs, outputs, shapes, data, loss, label_smoothing, reports,
                    {b.id: b for b, _ in order})
    return report


def _infer(rep: BlockReport, block: BlockSpec, srcs: list[str], shapes: dict[str, Shape | None],
           reports: dict[str, BlockReport], order: list[tuple[BlockSpec, list[str]]]) -> int | None:
    """Fill in one block's shape, params, error and fixes from its sources' shapes. Returns the rank of sample
    the block needed when a different rank was its misfit (the caller may offer to move it)."""
    try:
        entry = catalog.get(block.type)
        params = entry.check_params(block.params)
    except ParamError as exc:
        rep.error = str(exc)
        return None
    if entry.arity == 1 and len(srcs) != 1:
        if not srcs:
            rep.error = "has no input; put an Input block first"
            later = next((b.id for b, _ in order if b.type == "Input"), None)
            if later:  # an Input further down: bring it up
                rep.fixes = [Fix(f"Move {later} before it", "move_before", {"id": later}, target=block.id)]
            else:
                rep.fixes = [insert("Input", "Insert an Input before it")]
        else:
            rep.error = f"takes one input but {len(srcs)} are connected; merge them with Add or Concatenate"
            rep.fixes = _merge_fixes([shapes.get(s) for s in srcs])
        return None
    if entry.arity is None and len(srcs) < 2:
        rep.error = f"needs two or more inputs but {len(srcs)} connected; connect another block to it"
        rep.fixes = [REMOVE]
        return None
    ins = [shapes.get(s) for s in srcs]
    if any(s is None for s in ins):
        # the real misfit is upstream: name it, so the user knows what this block waits for
        src = next(s for s, shape in zip(srcs, ins, strict=True) if shape is None)
        upstream = reports.get(src)
        rep.waiting_for = (upstream.waiting_for or src) if upstream is not None and not upstream.error else src
        if rep.waiting_for.startswith(AUGMENT_PREFIX):
            rep.waiting_for = "the augmentation"
        return None
    try:
        known = cast(list[Shape], ins)  # none is None: that case returned above
        rep.output_shape, rep.params, rep.non_trainable = entry.compute_output_shape(known, params)
    except ShapeError as exc:
        rep.error = f"{exc} (from {', '.join(srcs)})" if srcs else str(exc)
        rep.fixes = [*exc.fixes, REMOVE]
        if any(reports[s].type == "Dense" for s in srcs if s in reports):
            # a Dense's learned features are no picture or sequence to reshape into: taking the block out is
            # the sensible first offer (a Reshape of flattened pixels, say, stays first)
            rep.fixes = [REMOVE, *exc.fixes]
        return exc.rank
    return None


def _merge_fixes(shapes: list[Shape | None]) -> list[Fix]:
    """Insert a merge block in front, where the inputs' shapes let it merge them."""
    fixes = []
    for kind in ("Concatenate", "Add"):
        try:
            if all(s is not None for s in shapes):
                merge = catalog.get(kind)
                merge.compute_output_shape(cast(list[Shape], shapes), merge.defaults())
                fixes.append(insert(kind))
        except ShapeError:
            pass
    return fixes


def _move_fix(model: ModelSpec, block_id: str, rank: int, shapes: dict[str, Shape | None],
              reports: dict[str, BlockReport]) -> Fix | None:
    """A block that needs samples of `rank` axes but sits after the block that took them away (Conv2D after
    Flatten or Dense): offer to move it in front of that block, if the move makes it fit."""
    current, path = block_id, []
    while True:
        srcs = reports[current].inputs
        if len(srcs) != 1 or srcs[0] not in reports:
            return None
        src = srcs[0]
        shape = shapes.get(src)
        if shape is not None and len(shape) == rank:
            break
        path.append(src)
        current = src
    target = path[-1] if path else None  # the first block after the last one with samples of the right rank
    if target is None or target.startswith(AUGMENT_PREFIX):
        return None
    fix = Fix(f"Move it before {target}", "move_before", target=target)
    try:
        trial = analyze(apply_fix(model, block_id, fix), graph_fixes=False).by_id()[block_id]
    except (ValueError, KeyError):
        return None
    return fix if not trial.error and trial.output_shape is not None else None


def _check_data(report: ModelReport, inputs: list[BlockSpec], outputs: list[str], shapes: dict,
                data: DataShape, loss: str, label_smoothing: float, reports: dict[str, BlockReport],
                blocks: dict[str, BlockSpec]) -> None:
    first = inputs[0]
    declared = tuple(first.params.get("shape", catalog.get("Input").param("shape").default))
    fits = len(declared) == len(data.input_shape) and all(
        # None: any length (e.g. a series window)
        d is None or d == w for d, w in zip(declared, data.input_shape, strict=True))
    if len(inputs) == 1 and not fits:
        want = list(data.input_shape)
        reports[first.id].error = f"declares samples of shape {fmt(declared)} but the data has {fmt(tuple(want))}"
        reports[first.id].fixes = [set_params(f"Set the shape to {fmt(tuple(want))}", shape=want)]
    if len(inputs) > 1:
        widths = [b.resolved_params()["shape"] for b in inputs]
        if len(data.input_shape) != 1 or any(len(w) != 1 for w in widths) or \
                sum(w[0] or 0 for w in widths) != data.input_shape[0]:
            report.problems.append(
                f"the {len(inputs)} Input blocks take {' + '.join(fmt(tuple(w)) for w in widths)} but the data's "
                f"samples are {fmt(data.input_shape)}; several inputs split the columns of table data, so their "
                f"widths must add up to {data.input_shape[0] if len(data.input_shape) == 1 else 'the feature count'}")
    if len(outputs) != 1:
        return
    head = outputs[0]
    out = shapes.get(head)
    if out is None:
        return
    rep = reports[head]
    if data.task == "classification" and len(out) != 1:
        message = (f"the output has shape {fmt(out)} but classification needs one vector per sample; add Flatten "
                   f"or a global pooling block before the head")
        if rep.type == "Dense":  # a Dense keeps the axes before the last: flatten or pool what it reads
            pool = {2: "GlobalAveragePooling1D", 3: "GlobalAveragePooling2D"}.get(len(out))
            rep.error, rep.fixes = message, [insert(kind) for kind in ("Flatten", pool) if kind]
        else:
            report.problems.append(f"{head} ({rep.type}): {message}")
        return
    block = blocks[head]
    activation = block.resolved_params().get("activation", "linear") if rep.type in ("Dense", "Activation") \
        else None
    misfit = check_head(data.task, data.num_classes, data.target_width, loss, out[-1],
                        activation or "linear", label_smoothing)
    if misfit is None:
        return
    if rep.type == "Dense" or (rep.type == "Activation" and not any("units" in f.params for f in misfit.fixes)):
        rep.error = misfit.message
        rep.fixes = misfit.fixes
        report.head_fix = (rep.id, rep.fixes[0])
    else:  # no parameters to fix on this block: say what head to add
        n = data.num_classes
        dense = (f"a Dense of {data.target_width} linear unit{'s' * (data.target_width != 1)}"
                 if data.task == "regression" else "a Dense of 1 sigmoid unit" if n == 2 and out[-1] == 1
                 else f"a Dense of {n} softmax units")
        what = "gives raw scores, not probabilities" if activation is None and misfit.message.startswith("ends in") \
            else misfit.message
        report.problems.append(f"{rep.id} ({rep.type}): {what}; end the model with {dense}")


def apply_fix(model: ModelSpec, block_id: str, fix: Fix) -> ModelSpec:
    """The model with `fix` applied to block `block_id` (a new ModelSpec; the old one is untouched). A
    `set_loss` fix changes only the head here; `apply_run_fix` sets the loss as well."""
    data: dict[str, Any] = model.model_dump(mode="json")
    blocks = data["blocks"]
    idx = next(i for i, b in enumerate(blocks) if b["id"] == block_id)
    if fix.op in ("set", "set_loss"):
        blocks[idx]["params"].update(fix.params)
    elif fix.op == "remove":
        blocks.pop(idx)
    elif fix.op == "insert_before":
        new_id = model.new_id(fix.block["type"])
        new = {"id": new_id, "type": fix.block["type"], "params": dict(fix.block.get("params", {})),
               "inputs": blocks[idx].get("inputs"), "enabled": True}
        if blocks[idx].get("inputs") is not None:
            blocks[idx]["inputs"] = [new_id]
        blocks.insert(idx, new)
    elif fix.op == "move_before":
        _move_before(blocks, fix.block.get("id", block_id), fix.target)
    else:
        raise ValueError(f"unknown fix operation {fix.op!r}")
    return ModelSpec.model_validate(data)


def _move_before(blocks: list[dict], mover: str, target: str) -> None:
    """Take block `mover` out of its place (whoever named it reads its source instead) and put it in front of
    `target` (it reads what the target read; the target reads it)."""
    i = next(k for k, b in enumerate(blocks) if b["id"] == mover)
    row = blocks.pop(i)
    source = row.get("inputs") or ([blocks[i - 1]["id"]] if i > 0 else None)
    for b in blocks:
        if b.get("inputs") and mover in b["inputs"]:
            b["inputs"] = [s for name in b["inputs"] for s in (source or [] if name == mover else [name])] or None
    j = next(k for k, b in enumerate(blocks) if b["id"] == target)
    row["inputs"] = blocks[j].get("inputs")
    if blocks[j].get("inputs") is not None:
        blocks[j]["inputs"] = [mover]
    blocks.insert(j, row)


def apply_run_fix(spec: dict[str, Any], block_id: str, fix: Fix) -> None:
    """Apply `fix` to a run spec held as a dict (as the app edits it): the model, and the loss for `set_loss`."""
    spec["model"] = apply_fix(ModelSpec.model_validate(spec["model"]), block_id, fix).model_dump(mode="json")
    if fix.op == "set_loss":
        spec.setdefault("training", {})["loss"] = fix.value


def check_spec(spec: RunSpec, data: DataShape | None = None) -> ModelReport:
    report = analyze(spec.model, data, spec.data.augmentation, spec.training.loss,
                     spec.regularization.label_smoothing)
    if data is not None and data.task == "regression" and spec.training.class_weight != "none":
        report.problems.append(f"training.class_weight is {spec.training.class_weight}, but this data is a "
                               "regression: there are no classes to weigh; set it to none")
    return report
