"""Entry point of the spawned training process: choose the backend, then train and stream events.

Started by `studio.jobs.process` through its module path, so the GUI process never imports the engine.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Any

from studio.core import events as ev
from studio.core.control import Control
from studio.core.runs import CHILD_LOG, set_status
from studio.core.spec import SpecError, parse_spec


def capture_stderr(run_dir: str) -> None:
    """Send this process's stderr (fd 2) to the run's child.log: the backends' C++ start-up lines stay out of
    the user's terminal, and if the process dies the supervisor shows its last words from there."""
    sys.stderr.flush()
    fd = os.open(Path(run_dir) / CHILD_LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)


def main(spec_dict: dict[str, Any], run_dir: str, queue: Any, control: Control) -> None:
    capture_stderr(run_dir)

    def emit(event: ev.Event) -> None:
        queue.put(event.to_dict())

    try:
        spec = parse_spec(spec_dict)
        from studio.engine import bootstrap

        try:
            keras = bootstrap.start(spec.training.backend, spec.training.device)
        except bootstrap.BootstrapError as exc:
            fail = ev.Failed(reason=exc.reason, message=str(exc), run_dir=run_dir)
            set_status(run_dir, "failed", reason=exc.reason, message=str(exc))
            emit(fail)
            return
        bootstrap.keep_tensorflow_out(keras)
        from studio.engine import train

        train.run(spec, run_dir, emit, control)
    except SpecError as exc:
        set_status(run_dir, "failed", reason=ev.INVALID_SPEC, message=str(exc))
        emit(ev.Failed(reason=ev.INVALID_SPEC, message=str(exc), run_dir=run_dir))
    except Exception as exc:  # noqa: BLE001 - report, never die silently
        set_status(run_dir, "failed", reason=ev.INTERNAL, message=str(exc))
        emit(ev.Failed(reason=ev.INTERNAL, message=f"Training failed: {exc}", details=traceback.format_exc(),
                       run_dir=run_dir))
