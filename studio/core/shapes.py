"""The vocabulary of the blocks' shape rules, computed without Keras: shapes, `ShapeError`, one-click `Fix`es.

Shapes exclude the batch axis; `None` is a length unknown until data arrives. Each block's rule (beside its
parameters in `studio.core.blocks`) receives the input shapes and the block's checked parameters and returns
`(output_shape, params, non_trainable)`, or raises `ShapeError` naming what it received, what it needs and,
where one is obvious, a `Fix`. Tests hold these rules to Keras' own numbers on every backend.
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


_KIND = {2: "sequences", 3: "images"}  # what a sample of that many axes is to the blocks that need it


def need_rank(shape: Shape, rank: int, block: str, what: str, fix: Fix | None = None) -> None:
    if len(shape) != rank:
        raise ShapeError(f"{block} needs {_KIND[rank]} ({what}) but received {fmt(shape)}", fix, rank=rank)


def last_dim(shape: Shape, block: str) -> int:
    if not shape or shape[-1] is None:
        raise ShapeError(f"{block} needs a known last dimension but received {fmt(shape)}")
    return shape[-1]


def window(n: int | None, k: int, s: int, padding: str, d: int = 1) -> int | None:
    if n is None:
        return None
    if padding in ("same", "causal"):
        return math.ceil(n / s)
    span = d * (k - 1) + 1
    return (n - span) // s + 1


def spatial(shape: Shape, kernel, strides, padding, dilation, block: str) -> tuple[int | None, ...]:
    out = []
    for n, k, s, d in zip(shape, kernel, strides, dilation, strict=True):
        m = window(n, k, s, padding, d)
        if m is not None and m < 1:
            raise ShapeError(
                f"{block} window {fmt(tuple(kernel))} does not fit input {fmt(shape)} with padding '{padding}'",
                set_params("Use padding 'same'", padding="same"))
        out.append(m)
    return tuple(out)


def image_fix(shape: Shape) -> Fix | None:
    """For flat vectors that are square images (784 → 28×28×1), offer a Reshape."""
    if len(shape) == 1 and shape[0]:
        side = math.isqrt(shape[0])
        if side * side == shape[0]:
            return Fix(f"Insert Reshape to {side}×{side}×1", "insert_before",
                       {"type": "Reshape", "params": {"target_shape": [side, side, 1]}})
    return None


def sequence_fix(shape: Shape) -> Fix | None:
    if len(shape) == 1 and shape[0]:
        return Fix(f"Insert Reshape to {shape[0]}×1: one feature per step", "insert_before",
                   {"type": "Reshape", "params": {"target_shape": [shape[0], 1]}})
    return None
