"""Hypothesis strategies for damaged run directories (issue 20): every file a run holds, each sound, absent,
replaced by JSON of any type, by bytes that are not UTF-8, or sound but for one field of the wrong type."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from studio.core.run_index import INDEX_FILE

SPEC = {"version": 1, "meta": {"title": "Damaged"}, "training": {"backend": "jax", "epochs": 2},
        "data": {"name": "xor", "params": {}}, "model": {"blocks": [
            {"id": "input_1", "type": "Input", "params": {"shape": [2]}},
            {"id": "dense_1", "type": "Dense", "params": {"units": 1, "activation": "sigmoid"}}]}}
STARTED = {"event": "Started", "t": 1.0, "run_dir": "x", "backend": "jax", "device": "cpu", "summary": [],
           "total_params": 3, "trainable_params": 3, "epochs": 2, "steps_per_epoch": 1, "train_samples": 4,
           "val_samples": 0, "test_samples": 0, "metrics": ["loss", "accuracy"], "task": "classification"}
EPOCH = {"event": "EpochEnd", "t": 2.0, "epoch": 0, "epochs": 2, "logs": {"loss": 0.7, "accuracy": 0.5},
         "learning_rate": 0.01, "seconds": 0.1, "samples_per_s": 40.0}
FINISHED = {"event": "Finished", "t": 3.0, "run_dir": "x", "summary": {"epochs_run": 1}}
SOUND: dict[str, Any] = {
    "spec.json": SPEC,
    # a run sent to a Ray cluster whose address answers nothing: attach fails fast, without a cluster
    "status.json": {"state": "failed", "created": 1.7e9, "updated": 1.7e9, "reason": "connection_lost",
                    "executor": "ray", "ray_address": "http://127.0.0.1:1", "ray_job_id": "raysubmit_abc"},
    "summary.json": {"metrics": {"validation": {"loss": 0.4}, "test": {"accuracy": 0.9}}, "epochs_run": 1,
                     "seconds": 1.0, "params": 3, "backend": "jax", "device": "cpu", "samples_per_s": 40.0},
    "meta.json": {"tags": ["a"], "note": "n"},
    "sweep.json": {"sweep": "s", "trial": 1, "state": "complete"},
    "evaluation.json": {"task": "classification", "split": "test", "samples": 4, "metrics": {"accuracy": 0.5},
                        "arrays": "evaluation.npz"},
    "boundary.json": {"event": "Boundary", "epoch": 0, "extent": [0, 1, 0, 1], "size": 2, "task": "classification",
                      "values": "AAAAAA==", "num_classes": 2},
}
TEXT = {"metrics.csv": "epoch,loss,val_loss,learning_rate,seconds\n1,0.7,0.6,0.01,0.1\n",
        "events.jsonl": "\n".join(json.dumps(e) for e in (STARTED, EPOCH, FINISHED)) + "\n",
        "child.log": "a line\n", "coach.jsonl": ""}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats()
    | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6)


def _bad_field(sound: dict[str, Any]) -> st.SearchStrategy[bytes]:
    """The sound document with one field (at any depth of its first level) of another type."""
    def change(key_value: tuple[str, Any]) -> bytes:
        key, value = key_value
        doc = json.loads(json.dumps(sound))
        doc[key] = value
        return json.dumps(doc).encode()
    return st.tuples(st.sampled_from(sorted(sound)), json_values).map(change)


def _json_file(name: str) -> st.SearchStrategy[bytes | None]:
    sound = json.dumps(SOUND[name]).encode()
    return st.one_of(st.just(sound), st.none(), _bad_field(SOUND[name]),
                     json_values.map(lambda v: json.dumps(v).encode()),
                     st.binary(max_size=24), st.just(sound[:-3] + b"\xff\xfe}"), st.just(b"[" * 5000))


def _event_line(base: dict[str, Any]) -> st.SearchStrategy[str]:
    def change(key_value: tuple[str, Any]) -> str:
        key, value = key_value
        return json.dumps({**base, key: value})
    return st.tuples(st.sampled_from(sorted(base)), json_values).map(change)


def _text_file(name: str) -> st.SearchStrategy[bytes | None]:
    sound = TEXT[name].encode()
    extra: list[st.SearchStrategy[bytes]] = []
    if name == "metrics.csv":
        extra = [st.just(b"epoch,val_loss\n1," + b"9" * 140_000 + b"\n"),
                 st.lists(st.text(alphabet="0123456789.,-eaNn\n", max_size=12), max_size=3).map(
                     lambda rows: ("epoch,loss,val_loss\n" + "\n".join(rows)).encode())]
    if name == "events.jsonl":
        extra = [st.lists(st.sampled_from([STARTED, EPOCH, FINISHED]).flatmap(_event_line), min_size=1,
                          max_size=3).map(lambda lines: "\n".join(lines).encode()),
                 json_values.map(lambda v: (json.dumps(STARTED) + "\n" + json.dumps(v) + "\n").encode())]
    return st.one_of(st.just(sound), st.none(), st.binary(max_size=24), st.just(sound + b"\xff\xfe\n"), *extra)


FILES = [*SOUND, *TEXT]
damaged_run = st.fixed_dictionaries({name: (_json_file(name) if name in SOUND else _text_file(name))
                                     for name in FILES})


def write_run(folder: Path, files: dict[str, bytes | None]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = folder / name
        path.unlink(missing_ok=True)
        if data is not None:
            path.write_bytes(data)
    if not (folder / "spec.json").exists():  # a folder without spec.json is no run: keep one, maybe damaged
        (folder / "spec.json").write_bytes(b"\xff")
    return folder


def digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` (the run table's index, a cache, aside) with the hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(INDEX_FILE)}
