"""`python -m studio.engine.runner`: the one entry point of every child job (train, evaluate, export,
predict, probe, compare).

Protocol (JSON lines both ways, see `studio.core.events` and `studio.core.control`):

    stdin   first line: the request {"kind": "train", "payload": {...}, "handler": "module:function"?}
            then control lines: {"control": "pause" | "resume" | "stop"}, or for the predictor
            {"request": 7, "op": "predict", "x": [...]}; EOF means the parent went away
            (a remote job instead gets `--request-b64 TEXT` and stops on SIGTERM: `studio.engine.remote`)
    stdout  one event per line (`events.to_json`), nothing else

Before anything is imported, the real stdout is moved to a private descriptor that only the event
channel writes, and fd 1 is pointed at stderr (the run's child.log or the job's log file): a banner that
TensorFlow, JAX or a user's print writes to stdout can never corrupt the event stream. The handler is
`run(payload, channel)` of the kind's module in HANDLERS (or the function the request names); what it
returns (a dict → Result, an Event → that event) is sent, and an exception becomes Failed through the one
classifier, `studio.engine.errors`.
"""

from __future__ import annotations

import importlib
import json
import os
import queue
import sys
import threading
from collections.abc import Callable
from typing import Any

HANDLERS = {
    "train": "studio.engine.worker",
    "evaluate": "studio.engine.evaluate_worker",
    "export": "studio.engine.export_worker",
    "predict": "studio.engine.predictor_worker",
    "probe": "studio.engine.probe",
    "compare": "studio.engine.prediction_diff_worker",  # the backend shoot-out's prediction differences
    "check_optimizer": "studio.engine.optimizer_check",  # one step of the user's own optimizer
    "serve": "studio.engine.serve_worker",  # a warm backend worker: the jobs above, one after another
}


def handler_for(kind: str, name: str | None = None) -> Callable[..., Any]:
    """The handler function of `kind` (or the "module:function" `name`); KeyError, ImportError or
    AttributeError when there is none."""
    module, _, function = (name or HANDLERS[kind]).partition(":")
    return getattr(importlib.import_module(module), function or "run")


class Channel:
    """What a handler gets: `emit` events, read `control` and `requests`, and say what to do if the parent
    goes away (`on_gone`)."""

    def __init__(self, out: Any):
        from studio.core.control import Control

        self._out = out
        self._lock = threading.Lock()
        self.control = Control()
        self.requests: queue.Queue[dict[str, Any] | None] = queue.Queue()  # None: no more requests
        self.gone = False
        self.finished = False  # the handler returned: EOF now is the parent being done, not gone
        self._on_gone: Callable[[], None] | None = None
        self.grace = 5.0

    def emit(self, event: Any) -> None:
        from studio.core import events as ev

        line = ev.to_json(event) + "\n"
        with self._lock:
            if self.gone:
                return  # nobody reads any more
            try:
                self._out.write(line)
                self._out.flush()
            except (BrokenPipeError, OSError, ValueError):
                self.gone = True

    def on_gone(self, callback: Callable[[], None], grace: float = 5.0) -> None:
        """Call `callback` once the parent is gone, then end this process `grace` seconds later."""
        self._on_gone, self.grace = callback, grace

    def _read_control(self, stdin: Any) -> None:
        for line in stdin:
            try:
                msg = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(msg, dict) or self.control.apply(msg):
                continue
            if "request" in msg:
                self.requests.put(msg)
        self.requests.put(None)
        self._parent_gone()

    def _parent_gone(self) -> None:
        from studio.engine import parent_watch

        with self._lock:
            self.gone = True
        if self.finished:
            return
        parent_watch.after_gone(self._on_gone or (lambda: None), self.grace)


def _private_streams() -> tuple[Any, Any]:
    """(control in, events out) on private copies of fds 0 and 1; then fd 0 reads /dev/null and fd 1 goes
    where fd 2 goes. os.dup's copies are not inherited: a process this one starts (a script check, a data
    loader's worker) can neither read the control lines nor keep the event pipe open after this one died."""
    sys.stdout.flush()
    control_fd, events_fd = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    return (os.fdopen(control_fd, "r", encoding="utf-8"),
            os.fdopen(events_fd, "w", encoding="utf-8", buffering=1))


def main() -> int:
    stdin, out = _private_streams()
    channel = Channel(out)
    from studio.core import events as ev
    from studio.engine import remote

    try:
        remote_request = remote.request_from(sys.argv[1:])  # a remote job: no stdin, SIGTERM is its stop
        request = remote_request or json.loads(stdin.readline() or "null")
        kind = request["kind"]
        handler = handler_for(kind, request.get("handler"))
    except (ValueError, TypeError, KeyError, ImportError, AttributeError) as exc:  # ValueError: bad JSON, base64
        channel.emit(ev.Failed(reason=ev.INTERNAL, message=f"bad job request: expected {{\"kind\": one of "
                                                           f"{', '.join(HANDLERS)}, \"payload\": {{…}}}}; {exc}"))
        return 2
    payload = request.get("payload") or {}
    shipper = None
    if remote_request is None:
        threading.Thread(target=channel._read_control, args=(stdin,), name="keras-studio-control",
                         daemon=True).start()
    else:
        remote.stop_on_sigterm(channel.control)
        shipper = remote.RunDirShipper(payload) if "run_dir" in payload else None
    try:
        return handle(handler, payload, channel, kind)
    finally:
        if shipper is not None:
            shipper.ship(channel.emit)


def handle(handler: Callable[..., Any], payload: dict[str, Any], channel: Any, kind: str) -> int:
    """Run one handler on `channel` and send its outcome: a dict as Result, an Event as itself, an
    exception as Failed (also for the jobs a warm worker runs, each on its own channel)."""
    from studio.core import events as ev

    try:
        result = handler(payload, channel)
    except Exception as exc:  # noqa: BLE001 - every failure is reported as an event, never a traceback
        from studio.engine.errors import classify

        channel.finished = True
        channel.emit(classify(exc).failed(exc, f"{kind} failed: "))
        return 1
    channel.finished = True
    if isinstance(result, dict):
        channel.emit(ev.Result(data=result))
    elif result is not None:
        channel.emit(result)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.exit(code)
