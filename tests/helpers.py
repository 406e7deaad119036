"""Shared test helpers: small specs and training in a spawned child on any backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.core import events as ev
from studio.core.spec import RunSpec, parse_spec
from studio.jobs.process import TrainingProcess

BACKENDS = ("tensorflow", "torch", "jax")


def spec_from(blocks: list[dict[str, Any]], **sections: Any) -> RunSpec:
    """A spec with `blocks` (ids filled in when missing) and any other sections given as dicts."""
    out = []
    for i, b in enumerate(blocks):
        b = dict(b)
        b.setdefault("id", f"b{i}")
        out.append(b)
    return parse_spec({"model": {"blocks": out}, **sections})


def train_in_child(spec: RunSpec, runs: Path, timeout: float = 240) -> tuple[ev.Event, list[ev.Event]]:
    """Run `spec` in a spawned child; return the terminal event and every event seen."""
    proc = TrainingProcess(spec, runs)
    proc.start()
    seen: list[ev.Event] = []
    try:
        import time

        end = time.monotonic() + timeout
        while proc.terminal is None and time.monotonic() < end:
            seen += proc.poll(0.2)
        assert proc.terminal is not None, f"training did not end within {timeout}s; events: {[e.kind for e in seen]}"
    finally:
        proc.close()
    return proc.terminal, seen
