"""Shared test helpers: small specs and training in a spawned child on any backend."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


def train_in_one_child(backend: str, specs: dict[str, dict], out: Path, env_extra: dict | None = None,
                       timeout: float = 400) -> dict[str, dict]:
    """Train several specs one after another in one child process on `backend` (tests/presets/preset_runner.py):
    one backend start for all of them. Per spec: run_dir, kind (of the terminal event), message, details,
    summary, logs."""
    root = Path(__file__).resolve().parents[1]
    payload = out / f"{backend}.json"
    payload.write_text(json.dumps({"runs": str(out / "runs"), "specs": specs}))
    env = dict(os.environ, KERAS_BACKEND=backend, CUDA_VISIBLE_DEVICES="-1", JAX_PLATFORMS="cpu",
               **(env_extra or {}))
    proc = subprocess.run([sys.executable, "-m", "tests.presets.preset_runner", str(payload)], cwd=root, env=env,
                          capture_output=True, text=True, timeout=timeout)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise AssertionError(f"the runner failed on {backend}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
