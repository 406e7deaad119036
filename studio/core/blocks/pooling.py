"""Pooling blocks: windowed and global, over sequences and images."""

from __future__ import annotations

from studio.core.blocks.base import Block, register
from studio.core.blocks.declare import PADDING, choice, flag, integers
from studio.core.shapes import image_fix, need_rank, sequence_fix, spatial


def _what(dims: int) -> str:
    return "steps×channels" if dims == 1 else "height×width×channels"


def _fix(dims: int, x):
    return sequence_fix(x) if dims == 1 else image_fix(x)


def _pool_rule(dims: int, name: str):
    def pool(inputs, p):
        (x,) = inputs
        need_rank(x, dims + 1, name, _what(dims), _fix(dims, x))
        strides = p["strides"] or p["pool_size"]
        out = spatial(x[:-1], p["pool_size"], strides, p["padding"], (1,) * dims, name)
        return (*out, x[-1]), 0, 0

    return pool


def _global_rule(dims: int, name: str):
    def pool(inputs, p):
        (x,) = inputs
        need_rank(x, dims + 1, name, _what(dims), _fix(dims, x))
        return ((1,) * dims + (x[-1],) if p["keepdims"] else (x[-1],)), 0, 0

    return pool


def _pool_params(dims: int):
    return (
        integers("pool_size", [2] * dims, "Size of the pooling window", length=dims),
        integers("strides", None, "Step of the window (empty: the pool size)", length=dims, optional=True),
        choice("padding", "valid", PADDING, "valid: drop the border; same: pad to keep ceil(size / stride)"),
    )


for _name, _dims, _help in (
        ("MaxPooling1D", 1, "Keep the largest value of each window along time"),
        ("MaxPooling2D", 2, "Keep the largest value of each window"),
        ("AveragePooling1D", 1, "Average each window along time"),
        ("AveragePooling2D", 2, "Average each window")):
    register(Block(_name, "Pooling", _help, _pool_rule(_dims, _name), _pool_params(_dims)))

for _name, _dims, _help in (
        ("GlobalAveragePooling1D", 1, "Average over all time steps"),
        ("GlobalMaxPooling1D", 1, "Maximum over all time steps"),
        ("GlobalAveragePooling2D", 2, "Average over height and width"),
        ("GlobalMaxPooling2D", 2, "Maximum over height and width")):
    register(Block(_name, "Pooling", _help, _global_rule(_dims, _name),
                   (flag("keepdims", False, "Keep the pooled axes with length 1", advanced=True),)))
