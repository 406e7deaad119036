"""Entry point of the spawned training process: choose the backend, then train and stream events.

Started by `studio.jobs.process` through its module path, so the GUI process never imports the engine.
"""

from __future__ import annotations

import os
import signal
import sys
import time
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


GONE_REASON = "stopped: the app went away"
CTRL_C_REASON = "stopped by Ctrl-C"


class ChildControl:
    """The supervisor's Control, plus stop requests made inside this child (Ctrl-C, the parent gone).

    A signal handler only sets a plain attribute: taking the multiprocessing event's lock there could
    deadlock with the training thread reading it."""

    def __init__(self, control: Control):
        self.control = control
        self.stop_reason = ""

    def request_stop(self, reason: str) -> None:
        self.stop_reason = self.stop_reason or reason

    def stop_requested(self) -> bool:
        return bool(self.stop_reason) or self.control.stop_requested()

    def pause_requested(self) -> bool:
        return not self.stop_reason and self.control.pause_requested()

    def wait_while_paused(self, poll: float = 0.05) -> None:
        while self.pause_requested() and not self.stop_requested():
            time.sleep(poll)


def on_interrupt(control: ChildControl) -> None:
    """Ctrl-C in a terminal reaches the whole process group: the first stops after the current batch and
    keeps the model (the supervisor asks the same); a second ends this process at once."""

    seen = []

    def handler(signum, frame):
        seen.append(signum)
        if len(seen) > 1:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            raise KeyboardInterrupt
        control.request_stop(CTRL_C_REASON)

    signal.signal(signal.SIGINT, handler)


def main(spec_dict: dict[str, Any], run_dir: str, queue: Any, supervisor: Control) -> None:
    capture_stderr(run_dir)
    control = ChildControl(supervisor)
    on_interrupt(control)
    orphaned = []

    def parent_gone() -> None:
        # nobody reads the queue any more: stop sending, and do not wait at exit for it to drain
        orphaned.append(True)
        queue.cancel_join_thread()
        print(f"keras-studio: the app that started this training went away; {GONE_REASON}", file=sys.stderr)
        control.request_stop(GONE_REASON)

    from studio.engine import parent_watch

    parent_watch.watch(parent_gone)

    def emit(event: ev.Event) -> None:
        if not orphaned:
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
        _status_failed(run_dir, ev.INVALID_SPEC, str(exc))
        emit(ev.Failed(reason=ev.INVALID_SPEC, message=str(exc), run_dir=run_dir))
    except Exception as exc:  # noqa: BLE001 - report, never die silently
        _status_failed(run_dir, ev.INTERNAL, str(exc))
        emit(ev.Failed(reason=ev.INTERNAL, message=f"Training failed: {exc}", details=traceback.format_exc(),
                       run_dir=run_dir))


def _status_failed(run_dir: str, reason: str, message: str) -> None:
    try:
        set_status(run_dir, "failed", reason=reason, message=message)
    except OSError:  # a full disk: the supervisor reports the failure from the event
        pass
