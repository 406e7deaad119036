"""Evaluate a trained model in a child job (keras-free here: the CLI and the GUI both call this).

`evaluate(target)` takes a run directory (its model.keras and spec.json) or a .keras file with a spec,
runs the "evaluate" job (`studio.engine.evaluate_worker`) with the run's backend and returns the evaluation
document the child wrote to `evaluation.json`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from studio.core import events as ev
from studio.core.custom_code import CodeRefusedError, granted
from studio.core.runs import read_json
from studio.core.spec import SpecError, parse_spec
from studio.jobs.errors import JobError
from studio.jobs.job import run_job
from studio.jobs.target import Target, resolve_target

__all__ = ["EVALUATION_FILE", "JobError", "Target", "evaluate", "read_arrays", "read_evaluation", "resolve_target"]
EVALUATION_FILE = "evaluation.json"


def evaluate(path: str | Path, spec: str | Path | dict | None = None, out_dir: str | Path | None = None,
             split: str = "auto", checkpoint: str = "model", backend: str | None = None, device: str = "cpu",
             timeout: float = 600, on_event: Callable[[ev.Event], None] | None = None,
             allow_code: bool = False) -> dict[str, Any]:
    """Evaluate in a child; return the evaluation document (also written next to the model or in out_dir).
    `allow_code` lets the child run the spec's own optimizer file, which a model trained with it needs."""
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
    try:
        code = granted(target.spec, allow_code) if target.spec is not None else []
    except CodeRefusedError as exc:
        raise JobError(str(exc), "code_refused") from None
    request = {"backend": target.backend, "device": device, "model": str(target.model), "code": code,
               "spec": target.spec_dict, "out_dir": str(out_dir) if out_dir else None, "split": split}
    return run_job("evaluate", request, timeout, on_event)["evaluation"]


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
