"""Run a plain function off the UI thread and get its result back as a queued signal.

Used for what may take longer than a frame: loading data for its shape or a preview, probing devices.
The pool is the window's own, so closing the window can wait for (or abandon) what is still running.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay):
        super().__init__()
        self.fn, self.relay = fn, relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # noqa: BLE001 - the caller decides what to show
            exc.details = traceback.format_exc()  # type: ignore[attr-defined]
            self.relay.failed.emit(exc)
        else:
            self.relay.done.emit(result)


class Background(QObject):
    """`submit(fn, on_done, on_error)`: fn runs in a worker thread, the callbacks on the UI thread."""

    def __init__(self, parent: QObject | None = None, threads: int = 2):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._relays: set[_Relay] = set()
        self._closed = False

    def submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
               on_error: Callable[[Exception], None] | None = None) -> None:
        if self._closed:
            return
        relay = _Relay(self)  # lives on the UI thread, so its signals arrive there (queued)

        def finish(result: Any, cb=on_done) -> None:
            self._relays.discard(relay)
            relay.deleteLater()
            if not self._closed:
                cb(result)

        relay.done.connect(finish)
        relay.failed.connect(lambda exc: finish(exc, on_error or (lambda _e: None)))
        self._relays.add(relay)
        self.pool.start(_Task(fn, relay))

    def busy(self) -> bool:
        return bool(self._relays)

    def shutdown(self, wait_ms: int = 5000) -> None:
        """Drop callbacks still pending and wait for the workers (they cannot be interrupted mid-call)."""
        self._closed = True
        self.pool.clear()
        self.pool.waitForDone(wait_ms)
