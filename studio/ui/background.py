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

import itertools
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    """The one messenger of a Background: lives on the UI thread, so what workers emit arrives there (queued)."""

    done = Signal(int, object)  # task key, result
    failed = Signal(int, object)  # task key, exception


class _Task(QRunnable):
    def __init__(self, key: int, fn: Callable[[], Any] | None, relay: _Relay):
        super().__init__()
        self.key, self.fn, self.relay = key, fn, relay
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
            self.relay.failed.emit(self.key, failure)
        else:
            self.relay.done.emit(self.key, result)


class Background(QObject):
    """`submit(fn, on_done, on_error)`: fn runs in a worker thread, the callbacks on the UI thread.

    One relay serves every task, made once after the pool: no QObject is made or deleted per task (a relay
    deleted later per task was found destroyed in a test's teardown, SIGSEGV in ~QObject), and the pool, a child
    made first, is destroyed first, waiting for its workers before the relay they emit on goes."""

    def __init__(self, parent: QObject | None = None, threads: int = 2):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._relay = _Relay(self)
        self._relay.done.connect(self._done)
        self._relay.failed.connect(self._failed)
        # each task's function (let go here, on the UI thread, once it answered) and its callbacks
        self._pending: dict[int, tuple[Callable[[], Any], Callable[[Any], None], Callable[[Exception], None]]] = {}
        self._keys = itertools.count()
        self._closed = False

    def submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
               on_error: Callable[[Exception], None] | None = None) -> None:
        if self._closed:
            return
        key = next(self._keys)
        self._pending[key] = (fn, on_done, on_error or (lambda _e: None))
        self.pool.start(_Task(key, fn, self._relay))

    def _done(self, key: int, result: Any) -> None:
        entry = self._pending.pop(key, None)
        if entry is not None and not self._closed:
            entry[1](result)

    def _failed(self, key: int, exc: Exception) -> None:
        entry = self._pending.pop(key, None)
        if entry is not None and not self._closed:
            entry[2](exc)

    def busy(self) -> bool:
        return bool(self._pending)

    def shutdown(self, wait_ms: int = 5000) -> None:
        """Drop callbacks still pending and wait for the workers (they cannot be interrupted mid-call)."""
        self._closed = True
        self.pool.clear()
        self.pool.waitForDone(wait_ms)
