"""Edits of the model section as plain functions on a spec dict (no Qt), so every editor and the core document
share them and the tests can check them directly. Each changes `spec` in place; the document validates."""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

from studio.core.spec import ModelSpec


def blocks(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return spec["model"]["blocks"]


def index_of(spec: dict[str, Any], block_id: str) -> int:
    for i, b in enumerate(blocks(spec)):
        if b["id"] == block_id:
            return i
    raise KeyError(f"no block `{block_id}`")


def new_id(spec: dict[str, Any], block_type: str) -> str:
    # ModelSpec.new_id only reads the ids, so a shell with the same ids is enough (no validation needed)
    shell = SimpleNamespace(blocks=[SimpleNamespace(id=b["id"]) for b in blocks(spec)])
    return ModelSpec.new_id(shell, block_type)


def add_block(spec: dict[str, Any], block_type: str, index: int | None = None,
              params: dict[str, Any] | None = None) -> str:
    bid = new_id(spec, block_type)
    row = {"id": bid, "type": block_type, "params": dict(params or {}), "inputs": None, "enabled": True}
    bl = blocks(spec)
    bl.insert(len(bl) if index is None else max(0, min(index, len(bl))), row)
    return bid


def remove_blocks(spec: dict[str, Any], ids: list[str]) -> None:
    gone = set(ids)
    spec["model"]["blocks"] = [b for b in blocks(spec) if b["id"] not in gone]
    for b in blocks(spec):
        if b.get("inputs") is not None:
            kept = [i for i in b["inputs"] if i not in gone]
            b["inputs"] = kept or None
    outs = spec["model"].get("outputs")
    if outs is not None:
        spec["model"]["outputs"] = [o for o in outs if o not in gone] or None


def rename_block(spec: dict[str, Any], old: str, new: str) -> None:
    """Give a block a new id, and every connection and output that names it (the document checks the id)."""
    blocks(spec)[index_of(spec, old)]["id"] = new
    for b in blocks(spec):
        if b.get("inputs") is not None:
            b["inputs"] = [new if i == old else i for i in b["inputs"]]
    outs = spec["model"].get("outputs")
    if outs is not None:
        spec["model"]["outputs"] = [new if o == old else o for o in outs]


def move_block(spec: dict[str, Any], block_id: str, to: int) -> None:
    """Move to position `to` (counted in the list before the move, as a drop indicator shows it)."""
    bl = blocks(spec)
    i = index_of(spec, block_id)
    row = bl.pop(i)
    if to > i:
        to -= 1
    bl.insert(max(0, min(to, len(bl))), row)


def move_blocks(spec: dict[str, Any], ids: list[str], to: int) -> None:
    """Move several blocks, keeping their order, to row `to` of the list as it was before the move."""
    bl = blocks(spec)
    picked = set(ids)
    rows = [b for b in bl if b["id"] in picked]
    to -= sum(1 for i, b in enumerate(bl) if b["id"] in picked and i < to)
    rest = [b for b in bl if b["id"] not in picked]
    to = max(0, min(to, len(rest)))
    spec["model"]["blocks"] = rest[:to] + rows + rest[to:]


def duplicate_blocks(spec: dict[str, Any], ids: list[str]) -> list[str]:
    rows = [copy.deepcopy(blocks(spec)[index_of(spec, i)]) for i in ids]
    return paste_blocks(spec, rows, index_of(spec, ids[-1]) + 1)


def paste_blocks(spec: dict[str, Any], rows: list[dict[str, Any]], index: int | None = None) -> list[str]:
    """Insert copies of `rows` with fresh ids; links between pasted rows follow the new ids, links to blocks
    that are not there fall back to 'the previous block'."""
    at = len(blocks(spec)) if index is None else index
    renamed: dict[str, str] = {}
    out = []
    for row in rows:
        row = copy.deepcopy(row)
        old = row.get("id", "")
        row["id"] = new_id(spec, row["type"])
        renamed[old] = row["id"]
        existing = {b["id"] for b in blocks(spec)}
        if row.get("inputs") is not None:
            links = [renamed.get(i, i) for i in row["inputs"]]
            links = [i for i in links if i in existing]
            row["inputs"] = links or None
        row.setdefault("params", {})
        row.setdefault("enabled", True)
        blocks(spec).insert(at, row)
        at += 1
        out.append(row["id"])
    return out


def set_param(spec: dict[str, Any], block_id: str, name: str, value: Any, default: Any = None) -> None:
    params = blocks(spec)[index_of(spec, block_id)].setdefault("params", {})
    params[name] = value


def set_enabled(spec: dict[str, Any], ids: list[str], enabled: bool) -> None:
    for i in ids:
        blocks(spec)[index_of(spec, i)]["enabled"] = enabled


def effective_inputs(spec: dict[str, Any], block_id: str) -> list[str]:
    """The ids a block reads: its explicit inputs, else the previous block."""
    bl = blocks(spec)
    i = index_of(spec, block_id)
    b = bl[i]
    if b["type"] == "Input":
        return []
    if b.get("inputs") is not None:
        return list(b["inputs"])
    return [bl[i - 1]["id"]] if i > 0 else []


def connect(spec: dict[str, Any], source: str, target: str) -> None:
    """Make `target` read `source` as well (a skip connection, a second input of a merge)."""
    if index_of(spec, source) >= index_of(spec, target):
        raise ValueError(f"`{source}` comes after `{target}`; a block can only read blocks above it")
    links = effective_inputs(spec, target)
    if source in links:
        return
    blocks(spec)[index_of(spec, target)]["inputs"] = links + [source]


def disconnect(spec: dict[str, Any], source: str, target: str) -> None:
    links = effective_inputs(spec, target)
    if source not in links:
        raise ValueError(f"`{target}` does not read `{source}`")
    links.remove(source)
    # an explicit empty list would cut the block off; fall back to 'the previous block' like a new block
    blocks(spec)[index_of(spec, target)]["inputs"] = links or None
