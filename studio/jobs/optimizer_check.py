"""Check the user's optimizer file (keras-free here: the CLI and the app share it): first read it without
running anything (syntax, the class, update_step), then, when the file is allowed, one training step on a
tiny model in the backend's warm worker (`studio.engine.optimizer_check`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.core.custom_code import SourceProblem, file_problem
from studio.jobs.errors import JobError
from studio.jobs.job import run_job

KIND = "check_optimizer"


def check_optimizer(path: str | Path, class_name: str, backend: str = "jax", learning_rate: float = 0.01,
                    params: dict[str, Any] | None = None, timeout: float = 120) -> dict[str, Any]:
    """The one step's result ({"loss_before", "loss_after", "changed"}); JobError with the file and line.
    The caller has allowed the file (the CLI's --allow-code, the app's trusted folder)."""
    path = Path(path).resolve()
    if problem := file_problem(path, class_name):
        raise JobError(f"{path.name}: {problem}", "custom_code")
    payload = {"backend": backend, "device": "cpu", "path": str(path), "class_name": class_name,
               "learning_rate": learning_rate, "params": dict(params or {}), "code": [str(path)]}
    return run_job(KIND, payload, timeout)


def problem_line(message: str) -> int:
    """The line number a check's message names ("my_optimizer.py, line 12: …"), 0 when none."""
    import re

    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else 0


__all__ = ["KIND", "SourceProblem", "check_optimizer", "problem_line"]
