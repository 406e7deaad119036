"""Run a plain function off the UI thread and get its result back as a queued signal.

Used for what may take longer than a frame: loading data for its shape or a preview, probing devices.
The pool is the window's own, so closing the window can wait for (or abandon) what is still running.

The function is held by the Background (on the UI thread) until its answer arrives there, and the worker lets
go of its own references before it answers: a closure that holds the last reference to a widget (a dialog's
`lambda: export(self.target, …)`) must never drop it on the worker thread, where Python would destroy the
widget, and Qt would later crash (SIGSEGV) delivering an event to it. A failure travels without its frames
for the same reason; its traceback goes as text (`exc.details`).
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
    def __init__(self, fn: Callable[[], Any] | None, relay: _Relay):
        super().__init__()
        self.fn, self.relay = fn, relay
        self.setAutoDelete(True)

    def run(self) -> None:
        fn, self.fn = self.fn, None  # the Background keeps the other reference, on the UI thread
        assert fn is not None  # each task runs once
        failure: Exception | None = None
        try:
            result = fn()
        except Exception as exc:  # noqa: BLE001 - the caller decides what to show
            exc.details = traceback.format_exc()  # type: ignore[attr-defined]
            traceback.clear_frames(exc.__traceback__)
            failure, result = exc.with_traceback(None), None
        del fn
        if failure is not None:
            self.relay.failed.emit(failure)
        else:
            self.relay.done.emit(result)


class Background(QObject):
    """`submit(fn, on_done, on_error)`: fn runs in a worker thread, the callbacks on the UI thread."""

    def __init__(self, parent: QObject | None = None, threads: int = 2):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._relays: dict[_Relay, Callable[[], Any]] = {}  # each task's function, let go here once it answered
        self._closed = False

    def submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
               on_error: Callable[[Exception], None] | None = None) -> None:
        if self._closed:
            return
        relay = _Relay(self)  # lives on the UI thread, so its signals arrive there (queued)

        def finish(result: Any, cb=on_done) -> None:
            self._relays.pop(relay, None)
            relay.deleteLater()
            if not self._closed:
                cb(result)

        relay.done.connect(finish)
        relay.failed.connect(lambda exc: finish(exc, on_error or (lambda _e: None)))
        self._relays[relay] = fn
        self.pool.start(_Task(fn, relay))

    def busy(self) -> bool:
        return bool(self._relays)

    def shutdown(self, wait_ms: int = 5000) -> None:
        """Drop callbacks still pending and wait for the workers (they cannot be interrupted mid-call)."""
        self._closed = True
        self.pool.clear()
        self.pool.waitForDone(wait_ms)
