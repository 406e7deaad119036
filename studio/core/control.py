"""Stop and pause requests from a run's supervisor to its training loop, and their wire form.

The supervisor sends one JSON line per request to the child's stdin (`message("pause")`); the child's
reader thread `apply`s each to its Control, which the training loop only reads. A run in this process
(tests) uses a Control directly.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol


class ControlReader(Protocol):
    """What the training side reads: a Control, or the child's wrapper that adds its own stop requests."""

    def stop_requested(self) -> bool: ...

    def pause_requested(self) -> bool: ...

    def wait_while_paused(self, poll: float = 0.05) -> None: ...

OPS = ("stop", "pause", "resume")


def message(op: str) -> dict[str, Any]:
    """The control message for `op` (one of OPS), as sent to a job's child."""
    if op not in OPS:
        raise ValueError(f"unknown control `{op}`: expected one of {', '.join(OPS)}")
    return {"control": op}


class Control:
    def __init__(self) -> None:
        self._stop = threading.Event()
        self._pause = threading.Event()

    # supervisor side
    def stop(self) -> None:
        self._stop.set()
        self._pause.clear()

    def pause(self) -> None:
        self._pause.set()

    def resume(self) -> None:
        self._pause.clear()

    def apply(self, msg: dict[str, Any]) -> bool:
        """Carry out a control message; False when it is not one."""
        op = msg.get("control")
        if op not in OPS:
            return False
        getattr(self, op)()
        return True

    # training side
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def pause_requested(self) -> bool:
        return self._pause.is_set()

    def wait_while_paused(self, poll: float = 0.05) -> None:
        while self._pause.is_set() and not self._stop.is_set():
            self._stop.wait(poll)
