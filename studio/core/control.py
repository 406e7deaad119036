"""Stop and pause requests shared between a run's supervisor and its training loop.

Backed by two events: `threading.Event` for a run in this process (tests) or multiprocessing events for a
spawned child. The training side only reads; the supervisor only writes.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol


class ControlReader(Protocol):
    """What the training side reads: a Control, or the child's wrapper that adds its own stop requests."""

    def stop_requested(self) -> bool: ...

    def pause_requested(self) -> bool: ...

    def wait_while_paused(self, poll: float = 0.05) -> None: ...


class Control:
    def __init__(self, ctx: Any = None):
        make = ctx.Event if ctx is not None else threading.Event
        self._stop = make()
        self._pause = make()

    # supervisor side
    def stop(self) -> None:
        self._stop.set()
        self._pause.clear()

    def pause(self) -> None:
        self._pause.set()

    def resume(self) -> None:
        self._pause.clear()

    # training side
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def pause_requested(self) -> bool:
        return self._pause.is_set()

    def wait_while_paused(self, poll: float = 0.05) -> None:
        while self._pause.is_set() and not self._stop.is_set():
            self._stop.wait(poll)
