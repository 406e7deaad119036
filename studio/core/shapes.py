"""Output shape and parameter count of every catalogue block, computed without Keras.

Shapes exclude the batch axis; `None` is a length unknown until data arrives. Each rule receives the
input shapes and the block's checked parameters and returns `(output_shape, params, non_trainable)`, or
raises `ShapeError` naming what it received, what it needs and, where one is obvious, a `Fix`.
Tests hold these rules to Keras' own numbers on every backend.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Shape = tuple[int | None, ...]


@dataclass(frozen=True)
class Fix:
    """A one-click repair of one block. `op` is
    set (`params` of this block) | insert_before (`block`: {"type":..., "params":...}) | remove |
    move_before (move this block in front of block `target`) | set_loss (the training loss `value`, and `params`
    of this block when the head must change with it)."""

    label: str
    op: str
    block: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    target: str = ""
    value: Any = None


def set_params(label: str, **params: Any) -> Fix:
    return Fix(label, "set", params=params)


def insert(block_type: str, label: str = "", **params: Any) -> Fix:
    """Put a new block of `block_type` in front of this one."""
    return Fix(label or f"Insert {block_type} before it", "insert_before", {"type": block_type, "params": params})


REMOVE = Fix("Remove it", "remove")


class ShapeError(ValueError):
    """`fixes`: the repairs on offer, best first. `rank`: the rank of sample the block needed, when that is
    what was wrong (the checker then offers graph-level repairs too)."""

    def __init__(self, message: str, *fixes: Fix | None, rank: int | None = None):
        super().__init__(message)
        self.fixes = [f for f in fixes if f is not None]
        self.rank = rank


def fmt(shape: Shape | None) -> str:
    """A sample's shape as people write it, without the batch axis: 28×28×1, 64; `?` for a length known only
    when data arrives."""
    if shape is None:
        return "?"
    if not shape:
        return "scalar"
    return "×".join("?" if d is None else str(d) for d in shape)


Rule = Callable[[list[Shape], dict[str, Any]], tuple[Shape, int, int]]
RULES: dict[str, Rule] = {}


def rule(*names: str):
    def register(fn: Rule) -> Rule:
        for n in names:
            RULES[n] = fn
        return fn

    return register


_KIND = {2: "sequences", 3: "images"}  # what a sample of that many axes is to the blocks that need it


def _rank(shape: Shape, rank: int, block: str, what: str, fix: Fix | None = None) -> None:
    if len(shape) != rank:
        raise ShapeError(f"{block} needs {_KIND[rank]} ({what}) but received {fmt(shape)}", fix, rank=rank)


def _last(shape: Shape, block: str) -> int:
    if not shape or shape[-1] is None:
        raise ShapeError(f"{block} needs a known last dimension but received {fmt(shape)}")
    return shape[-1]


def _window(n: int | None, k: int, s: int, padding: str, d: int = 1) -> int | None:
    if n is None:
        return None
    if padding in ("same", "causal"):
        return math.ceil(n / s)
    span = d * (k - 1) + 1
    return (n - span) // s + 1


def _spatial(shape: Shape, kernel, strides, padding, dilation, block: str) -> tuple[int | None, ...]:
    out = []
    for n, k, s, d in zip(shape, kernel, strides, dilation, strict=False):
        m = _window(n, k, s, padding, d)
        if m is not None and m < 1:
            raise ShapeError(
                f"{block} window {fmt(tuple(kernel))} does not fit input {fmt(shape)} with padding '{padding}'",
                set_params("Use padding 'same'", padding="same"))
        out.append(m)
    return tuple(out)


def _image_fix(shape: Shape) -> Fix | None:
    """For flat vectors that are square images (784 → 28×28×1), offer a Reshape."""
    if len(shape) == 1 and shape[0]:
        side = math.isqrt(shape[0])
        if side * side == shape[0]:
            return Fix(f"Insert Reshape to {side}×{side}×1", "insert_before",
                       {"type": "Reshape", "params": {"target_shape": [side, side, 1]}})
    return None


def _sequence_fix(shape: Shape) -> Fix | None:
    if len(shape) == 1 and shape[0]:
        return Fix(f"Insert Reshape to {shape[0]}×1: one feature per step", "insert_before",
                   {"type": "Reshape", "params": {"target_shape": [shape[0], 1]}})
    return None


# ----------------------------------------------------------------------------------------- rules
@rule("Input")
def _input(_inputs, p):
    return tuple(p["shape"]), 0, 0


@rule("Dense")
def _dense(inputs, p):
    (x,) = inputs
    if not x:
        raise ShapeError(f"Dense needs samples with a feature axis but received a {fmt(x)}")
    n = _last(x, "Dense")
    params = n * p["units"] + (p["units"] if p["use_bias"] else 0)
    return (*x[:-1], p["units"]), params, 0


@rule("Activation", "Dropout", "GaussianNoise", "Rescaling")
def _same(inputs, _p):
    return inputs[0], 0, 0


@rule("Embedding")
def _embedding(inputs, p):
    (x,) = inputs
    return (*x, p["output_dim"]), p["input_dim"] * p["output_dim"], 0


def _conv_rule(dims: int, name: str):
    what = "steps×channels" if dims == 1 else "height×width×channels"

    def conv(inputs, p):
        (x,) = inputs
        fix = _sequence_fix(x) if dims == 1 else _image_fix(x)
        _rank(x, dims + 1, name, what, fix)
        cin = _last(x, name)
        out = _spatial(x[:-1], p["kernel_size"], p["strides"], p["padding"], p["dilation_rate"], name)
        params = math.prod(p["kernel_size"]) * cin * p["filters"] + (p["filters"] if p["use_bias"] else 0)
        return (*out, p["filters"]), params, 0

    return conv


RULES["Conv1D"] = _conv_rule(1, "Conv1D")
RULES["Conv2D"] = _conv_rule(2, "Conv2D")


@rule("SeparableConv2D")
def _separable(inputs, p):
    (x,) = inputs
    _rank(x, 3, "SeparableConv2D", "height×width×channels", _image_fix(x))
    cin = _last(x, "SeparableConv2D")
    out = _spatial(x[:-1], p["kernel_size"], p["strides"], p["padding"], (1, 1), "SeparableConv2D")
    dm = p["depth_multiplier"]
    params = math.prod(p["kernel_size"]) * cin * dm + cin * dm * p["filters"]
    params += p["filters"] if p["use_bias"] else 0
    return (*out, p["filters"]), params, 0


@rule("Conv2DTranspose")
def _transpose(inputs, p):
    (x,) = inputs
    _rank(x, 3, "Conv2DTranspose", "height×width×channels", _image_fix(x))
    cin = _last(x, "Conv2DTranspose")
    out = []
    for n, k, s in zip(x[:-1], p["kernel_size"], p["strides"], strict=False):
        out.append(None if n is None else (n * s if p["padding"] == "same" else n * s + max(k - s, 0)))
    params = math.prod(p["kernel_size"]) * cin * p["filters"] + (p["filters"] if p["use_bias"] else 0)
    return (*out, p["filters"]), params, 0


def _pool_rule(dims: int, name: str):
    what = "steps×channels" if dims == 1 else "height×width×channels"

    def pool(inputs, p):
        (x,) = inputs
        _rank(x, dims + 1, name, what, _sequence_fix(x) if dims == 1 else _image_fix(x))
        strides = p["strides"] or p["pool_size"]
        out = _spatial(x[:-1], p["pool_size"], strides, p["padding"], (1,) * dims, name)
        return (*out, x[-1]), 0, 0

    return pool


for _name, _dims in (("MaxPooling1D", 1), ("AveragePooling1D", 1), ("MaxPooling2D", 2), ("AveragePooling2D", 2)):
    RULES[_name] = _pool_rule(_dims, _name)


def _global_rule(dims: int, name: str):
    what = "steps×channels" if dims == 1 else "height×width×channels"

    def pool(inputs, p):
        (x,) = inputs
        _rank(x, dims + 1, name, what, _sequence_fix(x) if dims == 1 else _image_fix(x))
        return ((1,) * dims + (x[-1],) if p["keepdims"] else (x[-1],)), 0, 0

    return pool


for _name, _dims in (("GlobalAveragePooling1D", 1), ("GlobalMaxPooling1D", 1),
                     ("GlobalAveragePooling2D", 2), ("GlobalMaxPooling2D", 2)):
    RULES[_name] = _global_rule(_dims, _name)


_GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}


def _rnn_params(kind: str, features: int, units: int) -> int:
    gates = _GATES[kind]
    biases = 2 * gates * units if kind == "GRU" else gates * units  # GRU's reset_after keeps two biases
    return gates * units * (features + units) + biases


def _rnn_rule(kind: str):
    def rnn(inputs, p):
        (x,) = inputs
        _rank(x, 2, kind, "steps×features", _sequence_fix(x))
        f = _last(x, kind)
        out = (x[0], p["units"]) if p["return_sequences"] else (p["units"],)
        return out, _rnn_params(kind, f, p["units"]), 0

    return rnn


for _kind in _GATES:
    RULES[_kind] = _rnn_rule(_kind)


@rule("Bidirectional")
def _bidirectional(inputs, p):
    (x,) = inputs
    _rank(x, 2, "Bidirectional", "steps×features", _sequence_fix(x))
    f = _last(x, "Bidirectional")
    units = p["units"] * (2 if p["merge_mode"] == "concat" else 1)
    out = (x[0], units) if p["return_sequences"] else (units,)
    return out, 2 * _rnn_params(p["layer"], f, p["units"]), 0


@rule("BatchNormalization")
def _batchnorm(inputs, p):
    (x,) = inputs
    c = _last(x, "BatchNormalization")
    trainable = c * (int(p["center"]) + int(p["scale"]))
    return x, trainable + 2 * c, 2 * c


@rule("LayerNormalization")
def _layernorm(inputs, p):
    (x,) = inputs
    c = _last(x, "LayerNormalization")
    return x, c * (int(p["center"]) + int(p["scale"])), 0


def _spatial_dropout(rank: int, name: str, what: str):
    def drop(inputs, _p):
        (x,) = inputs
        _rank(x, rank, name, what)
        return x, 0, 0

    return drop


RULES["SpatialDropout1D"] = _spatial_dropout(2, "SpatialDropout1D", "steps×channels")
RULES["SpatialDropout2D"] = _spatial_dropout(3, "SpatialDropout2D", "height×width×channels")


@rule("Flatten")
def _flatten(inputs, _p):
    (x,) = inputs
    if any(d is None for d in x):
        pool = {2: "GlobalAveragePooling1D", 3: "GlobalAveragePooling2D"}.get(len(x))
        raise ShapeError(f"Flatten needs every dimension known but received {fmt(x)}; "
                         "use a global pooling block for variable-length input",
                         insert(pool) if pool else None)
    return (math.prod(x),), 0, 0


@rule("Reshape")
def _reshape(inputs, p):
    (x,) = inputs
    target = list(p["target_shape"])
    if any(d is None for d in x):
        raise ShapeError(f"Reshape needs every input dimension known but received {fmt(x)}")
    total = math.prod(x)
    if target.count(-1) > 1 or any(d == 0 for d in target):
        raise ShapeError(f"Reshape target {fmt(tuple(target))} may hold at most one -1 and no 0")
    if -1 in target:
        known = math.prod(d for d in target if d != -1)
        if total % known:
            raise ShapeError(f"Reshape cannot fit {total} values from {fmt(x)} into {fmt(tuple(target))}")
        target[target.index(-1)] = total // known
    if math.prod(target) != total:
        raise ShapeError(f"Reshape cannot turn {fmt(x)} ({total} values) into {fmt(tuple(target))} "
                         f"({math.prod(target)} values); the counts must match", _reshape_fix(target, total))
    return tuple(target), 0, 0


def _reshape_fix(target: list[int], total: int) -> Fix | None:
    """Let one axis of the target take whatever is left (-1), the first one that divides evenly."""
    for i in range(len(target)):
        rest = math.prod(d for j, d in enumerate(target) if j != i)
        if rest and total % rest == 0:
            fitted = [total // rest if j == i else d for j, d in enumerate(target)]
            return set_params(f"Set the target shape to {fmt(tuple(fitted))}", target_shape=fitted)
    return None


@rule("Add")
def _add(inputs, _p):
    if len(inputs) < 2:
        raise ShapeError(f"Add needs two or more inputs but received {len(inputs)}; connect another block to it")
    first = inputs[0]
    for other in inputs[1:]:
        if len(other) != len(first) or any(a is not None and b is not None and a != b
                                           for a, b in zip(first, other, strict=True)):
            raise ShapeError("Add needs inputs of the same shape but received "
                             + " and ".join(fmt(s) for s in inputs))
    return first, 0, 0


@rule("Concatenate")
def _concatenate(inputs, p):
    if len(inputs) < 2:
        raise ShapeError(f"Concatenate needs two or more inputs but received {len(inputs)}; "
                         "connect another block to it")
    rank = len(inputs[0])
    axis = p["axis"]
    if not -rank <= axis < rank + 1 or axis == 0:
        raise ShapeError(f"Concatenate axis {axis} is out of range for inputs {fmt(inputs[0])}")
    ax = axis - 1 if axis > 0 else rank + axis  # index without the batch axis
    if any(len(s) != rank for s in inputs) or any(
            a != b for s in inputs for i, (a, b) in enumerate(zip(inputs[0], s, strict=True)) if i != ax):
        raise ShapeError(f"Concatenate needs inputs equal except along axis {axis} but received "
                         + " and ".join(fmt(s) for s in inputs))
    joined = None if any(s[ax] is None for s in inputs) else sum(s[ax] for s in inputs)
    out = list(inputs[0])
    out[ax] = joined
    return tuple(out), 0, 0


def _image_aug(name: str):
    def aug(inputs, _p):
        (x,) = inputs
        _rank(x, 3, name, "height×width×channels", _image_fix(x))
        return x, 0, 0

    return aug


for _name in ("RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast",
              "RandomBrightness"):
    RULES[_name] = _image_aug(_name)


def _colour_aug(name: str):
    def aug(inputs, _p):
        (x,) = inputs
        _rank(x, 3, name, "height×width×channels", _image_fix(x))
        if x[-1] != 3:
            raise ShapeError(f"{name} needs RGB images (3 channels) but received {fmt(x)}; "
                             "use RandomContrast or RandomBrightness for grey images")
        return x, 0, 0

    return aug


RULES["RandomSaturation"] = _colour_aug("RandomSaturation")
RULES["RandomHue"] = _colour_aug("RandomHue")


@rule("RandomCrop")
def _crop(inputs, p):
    (x,) = inputs
    _rank(x, 3, "RandomCrop", "height×width×channels", _image_fix(x))
    return (p["height"], p["width"], x[-1]), 0, 0
