"""One child job, seen from the parent: start `python -m studio.engine.runner`, read its events, send it
control, stop or kill it, time it out. Used by training, evaluation, export, the predictor and the probe.

The child reads its request and then control lines on stdin and writes `studio.core.events` as JSON lines on
stdout; a reader thread here turns the lines into events, so `poll(timeout=0)` never blocks (a GUI timer
can drive a job) while `iter_events`, `wait` and `result` block for headless use. Whatever way the child
ends, exactly one terminal event comes out: its own, or a Failed made here when it died without one
(a crash, os._exit, a kill), with its last words from its log. The parent holds the child's stdin for as
long as the job runs: when the parent dies, the child reads EOF and ends itself (orphan safety).

Nothing else is assumed about the transport: any source of such lines (a remote executor's job log) can
stand in for the pipe.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from studio.core import events as ev
from studio.jobs.errors import JobError

RUNNER = "studio.engine.runner"
LINGER_S = 10.0  # a child still alive this long after its last event is killed (a backend hung in teardown)
_END = object()  # the reader thread's "stdout closed"


@contextlib.contextmanager
def sigint_ignored_in_children():
    """Start children with SIGINT ignored (the disposition survives exec), so a Ctrl-C that reaches the
    process group while a child is still importing cannot kill it; the training handler then installs its
    own (stop after this batch). Only the main thread may change signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def log_tail_of(path: Path | None, lines: int = 30) -> str:
    if path is None:
        return ""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 20_000))
            text = f.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join([ln for ln in text.splitlines() if ln.strip()][-lines:])


def drain(events: queue.Queue, timeout: float, limit: int) -> Iterator[Any]:
    """What `events` holds: waits up to `timeout` for the first item, then takes only what is there, at most
    `limit` (so a GUI timer's poll(0) never blocks). Every executor's poll reads its queue through this."""
    deadline = time.monotonic() + timeout
    for n in range(limit):
        try:
            wait = max(0.0, deadline - time.monotonic()) if n == 0 else 0.0
            yield events.get(timeout=wait) if wait else events.get_nowait()
        except queue.Empty:
            return


class Supervision:
    """Waiting for a job's end, on top of its `poll`, `kill`, `close` and `reap`: shared by a child of its own
    (`Job`) and a job in a warm worker (`studio.jobs.workers.WorkerJob`)."""

    kind: str
    terminal: ev.Event | None
    log_path: Path | None

    def poll(self, timeout: float = 0.1, limit: int = 1000) -> list[ev.Event]:
        raise NotImplementedError

    def kill(self) -> None:
        raise NotImplementedError

    def close(self, grace: float = 5.0) -> None:
        raise NotImplementedError

    def reap(self, timeout: float = 0.0) -> bool:
        raise NotImplementedError

    def iter_events(self, poll_interval: float = 0.2) -> Iterator[ev.Event]:
        """Every event until the terminal one (for headless use)."""
        while self.terminal is None:
            yield from self.poll(poll_interval)
        self.reap(LINGER_S)

    def wait(self, timeout: float | None = None) -> ev.Event | None:
        end = None if timeout is None else time.monotonic() + timeout
        while self.terminal is None and (end is None or time.monotonic() < end):
            self.poll(0.2 if end is None else max(0.0, min(0.2, end - time.monotonic())))
        if self.terminal is not None:
            self.reap(LINGER_S)
        return self.terminal

    def result(self, timeout: float = 600, on_event: Callable[[ev.Event], None] | None = None) -> dict[str, Any]:
        """Run a one-shot job to its end: its Result's data, or JobError (its Failed, or the timeout)."""
        end = time.monotonic() + timeout
        try:
            while self.terminal is None:
                left = end - time.monotonic()
                if left <= 0:
                    self.kill()
                    raise JobError(f"the {self.kind} process took longer than {timeout:g} s and was stopped",
                                   ev.TIMEOUT, log_tail_of(self.log_path))
                for event in self.poll(min(left, 0.5)):
                    if on_event is not None and not ev.is_terminal(event):
                        on_event(event)
        finally:
            self.close()
        if isinstance(self.terminal, ev.Failed):
            t = self.terminal
            raise JobError(t.message, t.reason, "\n".join(filter(None, [t.details, log_tail_of(self.log_path)])))
        return self.terminal.data if isinstance(self.terminal, ev.Result) else {}


class Job(Supervision):
    """`Job("evaluate", payload).start()`; then `poll` / `iter_events` / `result`, `send`, `kill`, `close`.

    `handler` names another handler module for the kind (tests use stand-ins); `log` is the file that gets
    the child's stderr and stdout (the run's child.log; a temporary file when not given); `env` adds to the
    child's environment; `on_died(code, tail)` makes the Failed for a child that ended without a word.
    """

    def __init__(self, kind: str, payload: dict[str, Any], handler: str | None = None, log: Path | None = None,
                 env: dict[str, str] | None = None, on_died: Callable[[int | None, str], ev.Failed] | None = None):
        self.kind = kind
        self.payload = payload
        self.handler = handler
        self.log_path = log
        self.env = env or {}
        self.on_died = on_died
        self.process: subprocess.Popen | None = None
        self.terminal: ev.Event | None = None
        self.killed = False
        self._events: queue.Queue[Any] = queue.Queue()
        self._log: IO[bytes] | None = None
        self._temp_log = False
        self._ended_at = 0.0
        self._write_lock = threading.Lock()
        self._reader: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> Job:
        if self.log_path is None:
            fd, name = tempfile.mkstemp(prefix=f"keras-studio-{self.kind}-", suffix=".log")
            os.close(fd)
            self.log_path, self._temp_log = Path(name), True
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - held for the child's life, closed when it ends
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1", **self.env}
        with sigint_ignored_in_children():
            self.process = subprocess.Popen([sys.executable, "-m", RUNNER], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=self._log, env=env)
        self._reader = threading.Thread(target=self._read, name=f"keras-studio-{self.kind}-events", daemon=True)
        self._reader.start()
        self.send({"kind": self.kind, "payload": self.payload, "handler": self.handler})
        return self

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def running(self) -> bool:
        return self.process is not None and self.terminal is None

    def send(self, message: dict[str, Any]) -> bool:
        """One line to the child (a control or a request); False when the child no longer listens."""
        if self.process is None or self.process.stdin is None:
            return False
        data = (json.dumps(message, default=ev._plain) + "\n").encode("utf-8")
        with self._write_lock:
            try:
                self.process.stdin.write(data)
                self.process.stdin.flush()
                return True
            except (BrokenPipeError, OSError, ValueError):
                return False

    def kill(self) -> None:
        """End the child at once."""
        if self.process is not None and self.terminal is None:
            self.killed = True  # also when it ended a moment before (a second Ctrl-C reaches it too)
        if self.process is not None and self.alive:
            self.process.kill()

    # ------------------------------------------------------------------ events
    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        try:
            for line in self.process.stdout:
                try:
                    event = ev.from_json(line)
                except ValueError:
                    continue  # only events are written to this stream; a torn last line of a killed child
                self._events.put(event)
                if ev.is_terminal(event):
                    return  # nothing after it counts; the child may take a while to tear its backend down
        except (OSError, ValueError):  # the stream was closed under us: the job was closed
            pass
        self._events.put(_END)

    def poll(self, timeout: float = 0.1, limit: int = 1000) -> list[ev.Event]:
        """Events that arrived (waiting up to `timeout` for the first); a terminal one ends the stream."""
        out: list[ev.Event] = []
        if self.terminal is not None or self.process is None:
            return out
        for item in drain(self._events, timeout, limit):
            if item is _END:
                out.append(self._died())
                return out
            out.append(item)
            if ev.is_terminal(item):
                self._finish(item)
                return out
        return out

    def _died(self) -> ev.Failed:
        assert self.process is not None
        try:
            code = self.process.wait(5)
        except subprocess.TimeoutExpired:  # closed its stdout but lives on: it is no use any more
            self.process.kill()
            code = self.process.wait(5)
        tail = log_tail_of(self.log_path)
        if self.on_died is not None:
            failed = self.on_died(code, tail)
        elif self.killed:
            failed = ev.Failed(reason=ev.KILLED, message=f"the {self.kind} job was stopped")
        else:
            last = (tail.splitlines() or [f"exit code {code}"])[-1]
            failed = ev.Failed(reason=ev.CRASHED, message=f"the {self.kind} process ended without an answer ({last})",
                               details=_details(code, tail))
        self._finish(failed)
        return failed

    def _finish(self, event: ev.Event) -> None:
        self.terminal = event
        self._ended_at = time.monotonic()

    def reap(self, timeout: float = 0.0) -> bool:
        """After the terminal event: wait up to `timeout` for the child to exit and release it; True once done.

        The child tears its backend down after its last event (seconds, at times), so this never blocks by
        default; a child that lingers past LINGER_S is killed.
        """
        if self.process is None:
            return True
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            if self.terminal is not None and time.monotonic() - self._ended_at > LINGER_S:
                self.process.kill()
                self.process.wait(5)
        if self.process.poll() is None:
            return False
        self._release()
        return True

    def _release(self) -> None:
        """After the child exited: its event stream is at EOF, so the reader ends; then close everything."""
        assert self.process is not None
        if self._reader is not None:
            self._reader.join(5)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._temp_log and self.log_path is not None:
            with contextlib.suppress(OSError):
                self.log_path.unlink()

    def close(self, grace: float = 5.0) -> None:
        """End the job: close its stdin (a child that is done, or a predictor, exits on EOF), kill it if it is
        still there after `grace` seconds, and release everything."""
        if self.process is None:
            return
        if self.process.stdin is not None:
            with self._write_lock, contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()
            self.process.wait(5)
        if self.terminal is None:
            self.poll(0)
        self._release()


def run_job(kind: str, payload: dict[str, Any], timeout: float = 600,
            on_event: Callable[[ev.Event], None] | None = None, handler: str | None = None,
            env: dict[str, str] | None = None, fresh: bool = False) -> dict[str, Any]:
    """Run a one-shot job (evaluate, export, probe, compare) and return its Result's data; JobError otherwise.

    It runs in the warm worker of the payload's backend (`studio.jobs.workers`) unless `fresh`, an `env` of
    its own, or no backend asks for a child of its own."""
    backend = payload.get("backend")
    if not fresh and env is None and isinstance(backend, str):
        from studio.jobs import workers

        if workers.enabled() and kind in workers.SERVED:
            return workers.start_job(kind, payload, backend, payload.get("device") or "cpu",
                                     handler).result(timeout, on_event)
    return Job(kind, payload, handler=handler, env=env).start().result(timeout, on_event)


def _details(code: int | None, tail: str) -> str:
    details = f"exit code {code}"
    if tail:
        details += f"\n\nThe last lines the process wrote:\n{tail}"
    return details
