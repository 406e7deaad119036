"""Names for runs by what sets them apart: a run started from a preset after switching its optimizer is
"… — sgd, lr 0.01", not the preset's title again; runs compared together are told apart by the settings in
which their specs differ. Plain dicts in, words out (no Qt, no keras)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.core.optimizers import CUSTOM
from studio.core.runs import SPEC_FILE, read_json, write_json_atomic

SEPARATOR = " — "
MAX_PHRASES = 3  # more differences than this read as "…, and 2 more"
# The sections in the order their differences are named: what people change most comes first.
ORDER = ("optimizer", "training", "data", "regularization", "model")
IGNORED = ("meta", "version")
# where it ran is not what it is: the Runs panel shows the backend beside the title anyway
NOT_NAMED = ("training.backend", "training.device")
SHORT = {"optimizer.learning_rate": "lr", "training.batch_size": "batch", "training.epochs": "epochs",
         "data.validation_split": "validation", "data.test_split": "test split"}


def flatten(spec: dict[str, Any]) -> dict[str, Any]:
    """{"optimizer.name": "sgd", "model.dense_1.params.units": 64, "model.dense_1": "Dense", …}; blocks are keyed
    by id (so a block moved in the list is not a difference) and lists are compared whole."""
    out: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        else:
            out[prefix] = value

    for section, value in spec.items():
        if section in IGNORED:
            continue
        if section == "model" and isinstance(value, dict):
            for block in value.get("blocks") or []:
                bid = block.get("id", "?")
                out[f"model.{bid}"] = block.get("type", "")
                walk(f"model.{bid}.params", block.get("params") or {})
                out[f"model.{bid}.enabled"] = block.get("enabled", True)
                out[f"model.{bid}.inputs"] = block.get("inputs")
            out["model.outputs"] = value.get("outputs")
        else:
            walk(section, value)
    if out.get("optimizer.name") == CUSTOM:  # your own optimizer goes by its class, as Keras' own by theirs
        out["optimizer.name"] = out.get("optimizer.class_name") or CUSTOM
    out.pop("optimizer.path", None)  # where the file lies is no setting (the same file moved, or made absolute)
    out.pop("optimizer.class_name", None)
    return out


def _value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]" if v else "none"
    return "none" if v is None else str(v)


def phrase(key: str, value: Any, present: bool = True) -> str:
    """One setting in words: "sgd", "lr 0.01", "batch 64", "dense_1 units 32", "+dropout_1", "no dropout_1"."""
    parts = key.split(".")
    if parts[0] == "model" and len(parts) == 2 and parts[1] != "outputs":
        return f"+{parts[1]}" if present else f"no {parts[1]}"
    if not present:
        return f"no {parts[-1].replace('_', ' ')}"
    if parts[0] == "model" and len(parts) >= 3:
        bid, rest = parts[1], parts[-1]
        if rest == "enabled":
            return f"{bid} {'on' if value else 'off'}"
        return f"{bid} {rest.replace('_', ' ')} {_value(value)}"
    if key in SHORT:
        name = SHORT[key]
        return f"{_value(value)} epochs" if name == "epochs" else f"{name} {_value(value)}"
    if parts[-1] in ("name", "source", "backend") and isinstance(value, str):
        return value if parts[-2] != "schedule" else f"{value} schedule"
    if isinstance(value, bool):
        return parts[-1].replace("_", " ") if value else f"no {parts[-1].replace('_', ' ')}"
    return f"{parts[-1].replace('_', ' ')} {_value(value)}"


def _rank(key: str) -> tuple[int, int, str]:
    parts = key.split(".")
    first = 0 if parts[-1] in ("name", "source", "backend") else 1  # "sgd, lr 0.01", not "lr 0.01, sgd"
    return (ORDER.index(parts[0]) if parts[0] in ORDER else len(ORDER), first, key)


def differing_keys(specs: list[dict[str, Any]]) -> list[str]:
    """Keys whose value is not the same in every spec (present in some and not others counts)."""
    flats = [flatten(s) for s in specs]
    keys = sorted(set().union(*flats), key=_rank)
    missing = object()
    return [k for k in keys if len({repr(f.get(k, missing)) for f in flats}) > 1]


def describe(spec: dict[str, Any], keys: list[str], limit: int = MAX_PHRASES, absent: bool = True) -> str:
    """The spec's values of `keys` in words, at most `limit` of them ("sgd, lr 0.01, and 2 more"); with
    `absent` False a setting the spec does not have at all (adam has no momentum) is left unsaid."""
    flat = flatten(spec)
    words: list[str] = []
    for k in keys:
        # a block added or removed says so once, not once per parameter
        block = ".".join(k.split(".")[:2]) if k.startswith("model.") and k != "model.outputs" else None
        if block and block != k and block in keys:
            continue
        if k not in flat and not absent and not (block and block == k):
            continue
        w = phrase(k, flat.get(k), k in flat)
        if w not in words:
            words.append(w)
    if len(words) > limit:
        return ", ".join(words[:limit]) + f", and {len(words) - limit} more"
    return ", ".join(words)


def differences(parent: dict[str, Any], spec: dict[str, Any]) -> str:
    """What `spec` changes relative to `parent`, in words ('' when nothing but the title or the backend
    differs)."""
    keys = [k for k in differing_keys([parent, spec]) if not k.startswith(NOT_NAMED)]
    return describe(spec, keys)


def run_title(parent: dict[str, Any], spec: dict[str, Any]) -> str:
    """The title a run of `spec` gets: its parent's title, then what it changed ("Lab — sgd, lr 0.01")."""
    base = str((parent.get("meta") or {}).get("title") or (spec.get("meta") or {}).get("title") or "Run")
    base = base.split(SEPARATOR)[0]  # a spec that was itself a changed run: name the change from its base
    diff = differences(parent, spec)
    return f"{base}{SEPARATOR}{diff}" if diff else base


def legend_labels(specs: list[dict[str, Any]], titles: list[str]) -> list[str]:
    """Labels that tell compared runs apart: the settings in which their specs differ when they do, and each
    label unique; otherwise (same settings: reruns, renamed runs) the titles."""
    keys = differing_keys(specs) if len(specs) >= 2 else []
    labels = [describe(s, keys, absent=False) for s in specs] if keys else []
    if labels and all(labels) and len(set(labels)) == len(labels):
        return labels
    return list(titles)


def rename_run(run_dir: str | Path, title: str) -> None:
    """Give a run a new title: spec.json's meta.title, rewritten atomically (the rest of the spec is kept)."""
    title = " ".join(title.split())
    if not title:
        raise ValueError("A run's title cannot be empty; type a name")
    path = Path(run_dir) / SPEC_FILE
    spec = read_json(path)
    if not isinstance(spec, dict):
        raise ValueError(f"{Path(run_dir).name} has no readable {SPEC_FILE}; it cannot be renamed")
    spec.setdefault("meta", {})["title"] = title
    write_json_atomic(path, spec)
