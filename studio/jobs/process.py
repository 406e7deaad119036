"""Run a training in a spawned child process and supervise it (no Qt: the CLI and the GUI bridge share it).

The child is started by module path (`studio.engine.worker`), so this process never imports the engine or
a backend. Whatever way the child ends, exactly one terminal event comes out of `poll`: the child's own
Finished/Stopped/Failed, or a Failed made here when it died without one (crash, os._exit, kill).
Nothing here blocks unless asked to: `poll(timeout=0)` and `reap(0)` return at once, so a GUI timer can
drive a run; `wait`, `iter_events` and `close` block for headless use.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import multiprocessing as mp
import queue as queue_mod
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from studio.core import events as ev
from studio.core.control import Control
from studio.core.runs import EVENTS_FILE, create_run_dir, log_tail, set_status
from studio.core.spec import RunSpec

WORKER = "studio.engine.worker"
LINGER_S = 10.0  # a child still alive this long after its last event is killed (a backend hung in teardown)


@contextlib.contextmanager
def sigint_ignored_in_children():
    """Start children with SIGINT ignored (the disposition survives exec), so a Ctrl-C that reaches the
    process group while a child is still importing cannot kill it; the worker then installs its own
    handler (stop after this batch). Only the main thread may change signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _child_entry(module: str, *args: Any) -> None:
    """Runs in the child: import the worker by name (keeps the engine out of the parent) and call it."""
    importlib.import_module(module).main(*args)


class TrainingProcess:
    def __init__(self, spec: RunSpec, runs_root: str | Path, worker: str = WORKER):
        self.spec = spec
        self.runs_root = Path(runs_root)
        self.worker = worker
        self._ctx = mp.get_context("spawn")
        self.control = Control(self._ctx)
        self._queue: Any = None
        self.process: Any = None
        self.run_dir: Path | None = None
        self.terminal: ev.Event | None = None
        self._killed = False
        self._ended_at = 0.0
        self.paused = False

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> Path:
        spec_dict = self.spec.to_dict()
        self.run_dir = create_run_dir(self.runs_root, spec_dict)
        self._queue = self._ctx.Queue()
        self.process = self._ctx.Process(
            target=_child_entry, name="keras-studio-training", daemon=True,
            args=(self.worker, spec_dict, str(self.run_dir), self._queue, self.control))
        with sigint_ignored_in_children():
            self.process.start()
        set_status(self.run_dir, "running", pid=self.process.pid)
        return self.run_dir

    @property
    def running(self) -> bool:
        return self.process is not None and self.terminal is None

    def stop(self) -> None:
        """Stop at the next batch end; the model reached so far is kept."""
        self.paused = False
        self.control.stop()

    def pause(self) -> None:
        self.paused = True
        self.control.pause()

    def resume(self) -> None:
        self.paused = False
        self.control.resume()

    def kill(self) -> None:
        """End the child at once (the last checkpoint survives, the final model does not)."""
        if self.process is not None and self.terminal is None:
            self._killed = True  # also when it ended a moment before (a second Ctrl-C reaches it too)
        if self.process is not None and self.process.is_alive():
            self.process.kill()

    # ------------------------------------------------------------------ events
    def poll(self, timeout: float = 0.1, limit: int = 1000) -> list[ev.Event]:
        """Events that arrived (waiting up to `timeout` for the first); a terminal one ends the stream."""
        out: list[ev.Event] = []
        if self.terminal is not None or self._queue is None:
            return out
        deadline = time.monotonic() + timeout
        while len(out) < limit:
            try:
                wait = max(0.0, deadline - time.monotonic()) if not out else 0.0
                data = self._queue.get(timeout=wait) if wait else self._queue.get_nowait()
            except queue_mod.Empty:
                break
            except (EOFError, OSError):
                break
            event = ev.from_dict(data)
            out.append(event)
            if isinstance(event, ev.TERMINAL):
                self._finish(event)
                return out
        if not out and not self.process.is_alive():
            # drain what the child managed to send before it ended, then report how it ended
            time.sleep(0.05)
            try:
                while True:
                    event = ev.from_dict(self._queue.get_nowait())
                    out.append(event)
                    if isinstance(event, ev.TERMINAL):
                        self._finish(event)
                        return out
            except (queue_mod.Empty, EOFError, OSError):
                pass
            out.append(self._died())
        return out

    def _died(self) -> ev.Failed:
        assert self.run_dir is not None, "start() made it"
        code = self.process.exitcode
        tail = log_tail(self.run_dir)
        if self._killed:
            reason, message = ev.KILLED, "Training was killed. The best checkpoint so far is kept in best.keras."
        else:
            reason, message = crash_reason(code, tail)
        details = f"exit code {code}"
        if tail:
            details += f"\n\nThe last lines the training process wrote (child.log):\n{tail}"
        failed = ev.Failed(reason=reason, message=message, details=details, run_dir=str(self.run_dir))
        try:
            set_status(self.run_dir, "failed", reason=reason, message=message)
            with open(self.run_dir / EVENTS_FILE, "a", encoding="utf-8") as f:
                f.write(json.dumps(failed.to_dict()) + "\n")
        except OSError:  # a full disk: the run reads as interrupted, and the user still gets the message
            pass
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
        self.process.join(timeout)
        if self.process.is_alive() and self.terminal is not None \
                and time.monotonic() - self._ended_at > LINGER_S:
            self.process.kill()
            self.process.join(5)
        if self.process.is_alive():
            return False
        if self._queue is not None:
            self._queue.close()
            self._queue.join_thread()
        return True

    def iter_events(self, poll_interval: float = 0.2) -> Iterator[ev.Event]:
        """Every event until the terminal one (for headless use)."""
        while self.terminal is None:
            yield from self.poll(poll_interval)
        self.reap(LINGER_S)

    def wait(self, timeout: float | None = None) -> ev.Event | None:
        end = None if timeout is None else time.monotonic() + timeout
        while self.terminal is None and (end is None or time.monotonic() < end):
            self.poll(0.2)
        if self.terminal is not None:
            self.reap(LINGER_S)
        return self.terminal

    def close(self) -> None:
        """Kill a still-running child and release its resources."""
        if self.process is not None and self.process.is_alive() and self.terminal is None:
            self.kill()
            self.wait(10)
        self.reap(LINGER_S)


OOM_WORDS = ("out of memory", "memoryerror", "resource_exhausted", "resourceexhausted", "cannot allocate memory",
             "oom-kill", "std::bad_alloc")


def crash_reason(code: int | None, log: str) -> tuple[str, str]:
    """(reason, message) for a child that ended without a word: out of memory only when something says so."""
    lowered = log.lower()
    if any(w in lowered for w in OOM_WORDS):
        return ev.OUT_OF_MEMORY, ("The training process ran out of memory. Lower the batch size, make the model "
                                  "smaller, or train on the CPU.")
    name = ""
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "unknown"
    by = f"by signal {-code} ({name})" if name and code is not None else ""
    if name == "SIGKILL":
        how = (f"was killed {by} from outside the app — the system's out-of-memory killer does this when memory "
               "runs out; if so, a smaller batch size helps")
    elif name in ("SIGTERM", "SIGHUP", "SIGINT"):
        how = f"was ended {by} from outside the app"
    elif name in ("SIGSEGV", "SIGBUS", "SIGABRT", "SIGILL", "SIGFPE"):
        how = f"crashed inside the backend ({by}); another backend may work"
    elif name:
        how = f"was ended {by}"
    else:
        how = f"exited with code {code} without reporting an error"
    return ev.CRASHED, f"The training process {how}. Its last lines are in child.log in the run directory."
