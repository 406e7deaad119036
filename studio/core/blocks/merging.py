"""Merging blocks: two or more inputs into one."""

from __future__ import annotations

from studio.core.blocks.base import Block, register
from studio.core.blocks.declare import integer
from studio.core.shapes import ShapeError, fmt


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


register(Block("Add", "Merging", "Sum several inputs of the same shape (residual connections)", _add, arity=None))
register(Block("Concatenate", "Merging", "Join several inputs along an axis", _concatenate, (
    integer("axis", -1, "Axis to join along", lo=None),
), arity=None))
