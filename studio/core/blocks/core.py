"""Input and the core blocks: Dense, Activation, Embedding."""

from __future__ import annotations

from studio.core.blocks.base import Block, bias_start, kernel_regularizer, register
from studio.core.blocks.declare import (
    activation,
    bias_start as bias_start_param,
    choice,
    flag,
    initializer,
    integer,
    integers,
    kernel_penalties,
    use_bias,
)
from studio.core.shapes import ShapeError, fmt, last_dim


def _input(_inputs, p):
    return tuple(p["shape"]), 0, 0


def _dense(inputs, p):
    (x,) = inputs
    if not x:
        raise ShapeError(f"Dense needs samples with a feature axis but received a {fmt(x)}")
    n = last_dim(x, "Dense")
    params = n * p["units"] + (p["units"] if p["use_bias"] else 0)
    return (*x[:-1], p["units"]), params, 0


def same_shape(inputs, _p):
    """Element-wise blocks: the output has the input's shape and no weights."""
    return inputs[0], 0, 0


def _embedding(inputs, p):
    (x,) = inputs
    return (*x, p["output_dim"]), p["input_dim"] * p["output_dim"], 0


register(Block("Input", "Input", "Where data enters: the shape of one sample, without the batch", _input, (
    integers("shape", [28, 28, 1], "Shape of one sample; empty entries mean variable length", lo=1,
             extra={"none_items": True}),
    choice("dtype", "float32", ("float32", "int32"), "int32 for token ids feeding an Embedding", advanced=True),
), arity=0))

register(Block("Dense", "Core", "Fully connected layer: every output sees every input", _dense, (
    integer("units", 64, "Number of outputs"),
    activation("relu"),
    use_bias(),
    initializer(),
    bias_start_param(),
) + kernel_penalties(), adapters=(kernel_regularizer, bias_start)))

register(Block("Activation", "Core", "Apply a function element-wise", same_shape, (activation("relu"),)))

register(Block("Embedding", "Core", "Turn integer token ids into learned vectors", _embedding, (
    integer("input_dim", 1000, "Vocabulary size: largest token id + 1"),
    integer("output_dim", 32, "Size of each vector"),
    flag("mask_zero", False, "Treat id 0 as padding", advanced=True),
)))
