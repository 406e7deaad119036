"""Evaluate a trained model in a child process (keras-free here: the CLI and the GUI both call this).

`evaluate(target)` takes a run directory (its model.keras and spec.json) or a .keras file with a spec,
starts `python -m studio.engine.evaluate_worker` with the run's backend and returns the evaluation document
the child wrote to `evaluation.json`. `call_engine` is the small protocol both this and the export job use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.core.runs import MODEL_FILE, SPEC_FILE, read_json
from studio.core.spec import BACKENDS, RunSpec, SpecError, load_spec, parse_spec

PREFIX = "@@studio "
EVALUATION_FILE = "evaluation.json"


class JobError(RuntimeError):
    """A job that failed, with a one-sentence message for the user and the details for the log."""

    def __init__(self, message: str, reason: str = "failed", details: str = ""):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.details = details


def call_engine(module: str, request: dict[str, Any], timeout: float = 600,
                on_message: Callable[[dict[str, Any]], None] | None = None,
                env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `python -m module` with `request` on stdin; return its result message, raise JobError otherwise."""
    child_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1", **(env or {})}
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as err:
        proc = subprocess.Popen([sys.executable, "-m", module], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=err, text=True, encoding="utf-8", errors="replace", env=child_env)
        fired: list[bool] = []

        def time_out() -> None:
            fired.append(True)
            proc.kill()

        timer = threading.Timer(timeout, time_out)
        timer.daemon = True
        timer.start()
        result: dict[str, Any] | None = None
        assert proc.stdin is not None and proc.stdout is not None  # both are PIPE
        try:
            proc.stdin.write(json.dumps(request))
            proc.stdin.close()
            for line in proc.stdout:
                if not line.startswith(PREFIX):
                    continue
                try:
                    msg = json.loads(line[len(PREFIX):])
                except json.JSONDecodeError:
                    continue
                if msg.get("type") in ("result", "error"):
                    result = msg
                elif on_message is not None:
                    on_message(msg)
            code = proc.wait()
        finally:
            timer.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err.seek(0)
        stderr = err.read()[-20000:]
    if result is None:
        if fired:
            raise JobError(f"the {module.rsplit('.', 1)[-1]} process took longer than {timeout:.0f} s and was "
                           "stopped", "timeout", stderr)
        tail = [ln for ln in stderr.strip().splitlines() if ln.strip()][-1:] or [f"exit code {code}"]
        raise JobError(f"the {module.rsplit('.', 1)[-1]} process ended without an answer ({tail[0]})",
                       "crashed", stderr)
    if result["type"] == "error":
        raise JobError(result.get("message", "failed"), result.get("reason", "failed"),
                       result.get("details", "") + stderr)
    return result


@dataclass
class Target:
    """What to evaluate or export: a model file, the spec that describes its data, and a backend."""

    model: Path
    spec: RunSpec | None
    backend: str
    run_dir: Path | None = None

    @property
    def spec_dict(self) -> dict[str, Any] | None:
        return self.spec.to_dict() if self.spec is not None else None


def resolve_target(path: str | Path, spec: str | Path | None = None, checkpoint: str = "model",
                   backend: str | None = None, need_spec: bool = True) -> Target:
    """A run directory (its model.keras or best.keras and spec.json) or a .keras file with an optional spec."""
    path = Path(path).expanduser()
    run_dir = None
    if path.is_dir():
        run_dir = path
        name = MODEL_FILE if checkpoint == "model" else f"{checkpoint}.keras"
        model = path / name
        if not model.is_file():
            have = ", ".join(sorted(p.name for p in path.glob("*.keras"))) or "no .keras file"
            raise JobError(f"{path} has no {name} (it holds {have}); the run may not have finished — "
                           "train it again or pick another checkpoint")
        spec_path = Path(spec) if spec else path / SPEC_FILE
    elif path.is_file():
        if path.suffix != ".keras":
            raise JobError(f"{path.name} is not a .keras model file; give a run directory or a .keras file")
        from studio.data.keras_files import keras_file_problem

        if problem := keras_file_problem(path):
            raise JobError(problem, "invalid_model")
        model = path
        spec_path = Path(spec) if spec else (path.parent / SPEC_FILE)
        if (path.parent / SPEC_FILE).is_file() and not spec:
            run_dir = path.parent
    else:
        raise JobError(f"not found: {path}; give a run directory or a .keras file")
    parsed: RunSpec | None = None
    if spec_path.is_file():
        try:
            parsed = load_spec(spec_path)
        except SpecError as exc:
            raise JobError(str(exc), "invalid_spec") from None
    elif need_spec:
        raise JobError(f"no spec for {model.name}: give the spec that describes its data with --spec SPEC.json")
    chosen = backend or (parsed.training.backend if parsed else "tensorflow")
    if chosen not in BACKENDS:
        raise JobError(f"unknown backend `{chosen}`; choose one of {', '.join(BACKENDS)}")
    return Target(model, parsed, chosen, run_dir)


def evaluate(path: str | Path, spec: str | Path | dict | None = None, out_dir: str | Path | None = None,
             split: str = "auto", checkpoint: str = "model", backend: str | None = None, device: str = "cpu",
             timeout: float = 600, on_message: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Evaluate in a child; return the evaluation document (also written next to the model or in out_dir)."""
    if isinstance(spec, dict):
        try:
            parsed = parse_spec(spec, "spec")
        except SpecError as exc:
            raise JobError(str(exc), "invalid_spec") from None
        target = resolve_target(path, None, checkpoint, backend, need_spec=False)
        target.spec = parsed
        target.backend = backend or parsed.training.backend
    else:
        target = resolve_target(path, spec, checkpoint, backend)
    request = {"backend": target.backend, "device": device, "model": str(target.model),
               "spec": target.spec_dict, "out_dir": str(out_dir) if out_dir else None, "split": split}
    result = call_engine("studio.engine.evaluate_worker", request, timeout, on_message)
    return result["evaluation"]


def read_evaluation(run_dir: str | Path, model: str = "model") -> dict[str, Any] | None:
    """A run's stored evaluation document (None if it was never evaluated)."""
    name = EVALUATION_FILE if model == "model" else f"evaluation-{model}.json"
    doc = read_json(Path(run_dir) / name)
    return doc if isinstance(doc, dict) else None


def read_arrays(run_dir: str | Path, evaluation: dict[str, Any]) -> dict[str, Any]:
    """The arrays stored beside an evaluation document (targets, predictions, ROC points …)."""
    import numpy as np

    path = Path(run_dir) / evaluation.get("arrays", "evaluation.npz")
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError):
        return {}
