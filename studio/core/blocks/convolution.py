"""Convolution blocks over sequences and images."""

from __future__ import annotations

import math

from studio.core.blocks.base import Block, kernel_regularizer, register
from studio.core.blocks.declare import (
    PADDING,
    activation,
    choice,
    initializer,
    integer,
    integers,
    kernel_penalties,
    use_bias,
)
from studio.core.shapes import image_fix, last_dim, need_rank, sequence_fix, spatial


def _conv_params(dims: int, padding=PADDING):
    return (
        integer("filters", 32, "Number of filters"),
        integers("kernel_size", [3] * dims, "Size of the sliding window", length=dims),
        integers("strides", [1] * dims, "Step of the window", length=dims),
        choice("padding", "valid", padding, "valid: no padding (output shrinks); same: pad to keep the size"),
        activation(),
        integers("dilation_rate", [1] * dims, "Spacing between kernel taps", length=dims, advanced=True),
        use_bias(),
        initializer(),
    ) + kernel_penalties()


def _conv_rule(dims: int, name: str):
    what = "steps×channels" if dims == 1 else "height×width×channels"

    def conv(inputs, p):
        (x,) = inputs
        fix = sequence_fix(x) if dims == 1 else image_fix(x)
        need_rank(x, dims + 1, name, what, fix)
        cin = last_dim(x, name)
        out = spatial(x[:-1], p["kernel_size"], p["strides"], p["padding"], p["dilation_rate"], name)
        params = math.prod(p["kernel_size"]) * cin * p["filters"] + (p["filters"] if p["use_bias"] else 0)
        return (*out, p["filters"]), params, 0

    return conv


def _separable(inputs, p):
    (x,) = inputs
    need_rank(x, 3, "SeparableConv2D", "height×width×channels", image_fix(x))
    cin = last_dim(x, "SeparableConv2D")
    out = spatial(x[:-1], p["kernel_size"], p["strides"], p["padding"], (1, 1), "SeparableConv2D")
    dm = p["depth_multiplier"]
    params = math.prod(p["kernel_size"]) * cin * dm + cin * dm * p["filters"]
    params += p["filters"] if p["use_bias"] else 0
    return (*out, p["filters"]), params, 0


def _transpose(inputs, p):
    (x,) = inputs
    need_rank(x, 3, "Conv2DTranspose", "height×width×channels", image_fix(x))
    cin = last_dim(x, "Conv2DTranspose")
    out = []
    for n, k, s in zip(x[:-1], p["kernel_size"], p["strides"], strict=True):
        out.append(None if n is None else (n * s if p["padding"] == "same" else n * s + max(k - s, 0)))
    params = math.prod(p["kernel_size"]) * cin * p["filters"] + (p["filters"] if p["use_bias"] else 0)
    return (*out, p["filters"]), params, 0


register(Block("Conv1D", "Convolution", "1-D convolution over sequences (time, features)",
               _conv_rule(1, "Conv1D"), _conv_params(1, ("valid", "same", "causal")),
               adapters=(kernel_regularizer,)))
register(Block("Conv2D", "Convolution", "2-D convolution over images (height, width, channels)",
               _conv_rule(2, "Conv2D"), _conv_params(2), adapters=(kernel_regularizer,)))
register(Block("SeparableConv2D", "Convolution", "Depthwise then pointwise 2-D convolution: fewer weights",
               _separable, (
                   integer("filters", 32, "Number of output filters"),
                   integers("kernel_size", [3, 3], "Size of the sliding window", length=2),
                   integers("strides", [1, 1], "Step of the window", length=2),
                   choice("padding", "valid", PADDING, "valid: no padding; same: keep the size"),
                   activation(),
                   integer("depth_multiplier", 1, "Depthwise channels per input channel", advanced=True),
                   use_bias(),
               )))
register(Block("Conv2DTranspose", "Convolution", "Transposed 2-D convolution: learned up-sampling", _transpose, (
    integer("filters", 32, "Number of filters"),
    integers("kernel_size", [3, 3], "Size of the sliding window", length=2),
    integers("strides", [1, 1], "Up-sampling factor", length=2),
    choice("padding", "valid", PADDING, "same: output = input × stride"),
    activation(),
    use_bias(),
) + kernel_penalties(), adapters=(kernel_regularizer,)))
