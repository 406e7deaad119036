"""Reshaping blocks: Flatten, Reshape."""

from __future__ import annotations

import math

from studio.core.blocks.base import Block, register
from studio.core.blocks.declare import integers
from studio.core.shapes import Fix, ShapeError, fmt, insert, set_params


def _flatten(inputs, _p):
    (x,) = inputs
    if any(d is None for d in x):
        pool = {2: "GlobalAveragePooling1D", 3: "GlobalAveragePooling2D"}.get(len(x))
        raise ShapeError(f"Flatten needs every dimension known but received {fmt(x)}; "
                         "use a global pooling block for variable-length input",
                         insert(pool) if pool else None)
    return (math.prod(x),), 0, 0


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


register(Block("Flatten", "Reshaping", "Flatten each sample to one vector", _flatten))
register(Block("Reshape", "Reshaping", "Give each sample a new shape with the same number of values", _reshape, (
    integers("target_shape", [-1], "New shape; one entry may be -1 to infer it", lo=-1),
)))
