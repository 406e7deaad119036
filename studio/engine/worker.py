"""The train job's handler in the child runner (`studio.engine.runner`): choose the backend, then train
and stream events.

The run directory's status.json and events.jsonl have one writer while this child lives: this child
(see `studio.core.runs`). Its stderr, and fd 1 with it, is the run's child.log, opened by the parent.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any

from studio.core import events as ev
from studio.core.control import Control
from studio.core.runs import set_status
from studio.core.spec import parse_spec

GONE_REASON = "stopped: the app went away"
CTRL_C_REASON = "stopped by Ctrl-C"
GONE_GRACE_S = 60.0  # the current batch, saving the model and the final evaluation


class ChildControl:
    """The supervisor's Control, plus stop requests made inside this child (Ctrl-C, the parent gone).

    A signal handler only sets a plain attribute: taking the event's lock there could deadlock with the
    training thread reading it."""

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


def run(payload: dict[str, Any], channel: Any) -> ev.Event | None:
    """payload: {"spec": the run spec as a dict, "run_dir": the directory the parent created, "code": the user's
    Python files this run may run (studio.core.custom_code.granted; absent: none)}."""
    run_dir = payload["run_dir"]
    set_status(run_dir, "running", pid=os.getpid())  # from here on this child writes the run's files
    control = ChildControl(channel.control)
    on_interrupt(control)

    def parent_gone() -> None:
        print(f"keras-studio: the app that started this training went away; {GONE_REASON}", file=sys.stderr)
        control.request_stop(GONE_REASON)

    channel.on_gone(parent_gone, GONE_GRACE_S)
    try:
        spec = parse_spec(payload["spec"])
        from studio.engine import bootstrap

        keras = bootstrap.start(spec.training.backend, spec.training.device)
        bootstrap.keep_tensorflow_out(keras)
        from studio.engine import custom_optimizer, train

        custom_optimizer.grant(payload.get("code"))
    except Exception as exc:  # noqa: BLE001 - before the run starts: the run directory still says why
        from studio.engine.errors import classify

        failed = classify(exc).failed(exc, "Training failed: ", run_dir)
        _status_failed(run_dir, failed)
        return failed
    train.run(spec, run_dir, channel.emit, control)  # sends its own terminal event
    return None


def _status_failed(run_dir: str, failed: ev.Failed) -> None:
    try:
        set_status(run_dir, "failed", reason=failed.reason, message=failed.message)
    except OSError:  # a full disk: the supervisor reports the failure from the event
        pass
