"""Warm backend workers: one long-lived child per backend that runs evaluate, export, predict, probe and
compare jobs one after another (keras-free here; the child is `studio.engine.serve_worker`).

A fresh child pays the backend's start for every small job (seconds each, and more than the job itself
on a small model); a warm worker pays it once. Training never runs in one: each run keeps its own fresh
child, so a crash or a leak in one run cannot reach the next.

    job = workers.start_job("evaluate", payload, backend="jax")     # the interface of studio.jobs.job.Job
    data = job.result(timeout=600)
    workers.warm("jax")            # start one in the background (a run ended, a past run is shown)
    workers.shutdown()             # the app quits: every worker ends

A worker that crashed or was killed fails the jobs it was running (with the reason) and is started again by
the next job. One with no job for `idle_s` seconds (KERAS_STUDIO_WORKER_IDLE_S, 300 by default) ends,
giving its memory back. When this process dies, every worker reads EOF and ends itself (the same
parent-gone rule as every child job). KERAS_STUDIO_WARM_WORKERS=0 runs every job in a fresh child instead.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import queue
import threading
import time
from pathlib import Path
from typing import Any

from studio.core import events as ev
from studio.jobs.job import LINGER_S, Job, Supervision, drain

SERVED = ("evaluate", "export", "predict", "probe", "compare", "check_optimizer")  # studio.engine.serve_worker.SERVED
IDLE_ENV = "KERAS_STUDIO_WORKER_IDLE_S"
ENABLED_ENV = "KERAS_STUDIO_WARM_WORKERS"


def enabled() -> bool:
    return os.environ.get(ENABLED_ENV, "1") != "0"


def idle_seconds() -> float:
    try:
        return max(1.0, float(os.environ.get(IDLE_ENV, "300")))
    except ValueError:
        return 300.0


class WorkerJob(Supervision):
    """One job running in a warm worker, seen from the parent: the interface of `studio.jobs.job.Job`
    (`iter_events`, `wait` and `result` are its `Supervision`).

    `kill` ends the whole worker process (a thread inside it cannot be stopped any other way); the next job
    starts a fresh one."""

    def __init__(self, worker: WarmWorker, job_id: int, kind: str, payload: dict[str, Any]):
        self.worker = worker
        self.id = job_id
        self.kind = kind
        self.payload = payload
        self.terminal: ev.Event | None = None
        self.killed = False
        self.child: Job | None = None  # the worker's process that runs it
        self.log_path: Path | None = None  # that process's log (shared with its other jobs)
        self._events: queue.Queue[ev.Event] = queue.Queue()

    @property
    def pid(self) -> int | None:
        return self.child.pid if self.child is not None else None

    @property
    def alive(self) -> bool:
        return self.terminal is None and self.child is not None and self.child.terminal is None and self.child.alive

    @property
    def running(self) -> bool:
        return self.terminal is None

    # -------------------------------------------------------------------- from the worker's pump
    def _deliver(self, event: ev.Event) -> None:
        self._events.put(event)

    # -------------------------------------------------------------------- the Job interface
    def send(self, message: dict[str, Any]) -> bool:
        """A request line for this job (the predictor's predict / forecast)."""
        if self.terminal is not None:
            return False
        return self.worker._send({**message, "request": message.get("request", 0), "job": self.id})

    def poll(self, timeout: float = 0.1, limit: int = 1000) -> list[ev.Event]:
        out: list[ev.Event] = []
        if self.terminal is not None:
            return out
        for event in drain(self._events, timeout, limit):
            out.append(event)
            if ev.is_terminal(event):
                self.terminal = event
                self.worker._forget(self)
                break
        return out

    def kill(self) -> None:
        if self.terminal is None and self.child is not None:
            self.killed = True
            self.child.kill()

    def reap(self, timeout: float = 0.0) -> bool:
        return True  # the process is the worker's; it outlives its jobs

    def close(self, grace: float = 5.0) -> None:
        """Let go of the job without waiting: a long-lived one (a predictor) is told its requests have ended,
        and returns in the worker."""
        if self.terminal is None:
            self.worker._send({"request": 0, "job": self.id, "end": True})
        self.worker._forget(self)


class WarmWorker:
    """The warm child of one (backend, device); started on first use, again after a crash or an idle end."""

    def __init__(self, backend: str, device: str = "cpu", idle_s: float | None = None):
        self.backend, self.device = backend, device
        self.idle_s = idle_seconds() if idle_s is None else idle_s
        self.starts = 0  # processes started so far (a crash or an idle end makes the next job start one)
        self.info: dict[str, Any] = {}
        self._job: Job | None = None  # the child that takes new jobs (None once it ended or was let go)
        self._started: Job | None = None  # the child started last, running or not
        self._pump_thread: threading.Thread | None = None
        self._jobs: dict[int, tuple[WorkerJob, Job]] = {}  # each job with the child that runs it
        self._let_go: set[int] = set()  # id() of the children told to end: their end is no crash
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._last_used = time.monotonic()

    # -------------------------------------------------------------------- process
    @property
    def pid(self) -> int | None:
        job = self._job
        return job.pid if job is not None else None

    @property
    def log_path(self) -> Path | None:
        job = self._job or self._started
        return job.log_path if job is not None else None

    @property
    def alive(self) -> bool:
        job = self._job
        return job is not None and job.terminal is None and job.alive

    def start(self) -> WarmWorker:
        """Start the child unless one is running; returns at once (the backend loads in the background)."""
        with self._lock:
            if self.alive:
                return self
            self.info = {}
            job = Job("serve", {"backend": self.backend, "device": self.device},
                      env={"KERAS_BACKEND": self.backend})
            job.start()
            self._job = self._started = job
            self.starts += 1
            self._last_used = time.monotonic()
            self._pump_thread = threading.Thread(target=self._pump, args=(job,), daemon=True,
                                                 name=f"keras-studio-worker-{self.backend}")
            self._pump_thread.start()
        return self

    def submit(self, kind: str, payload: dict[str, Any], handler: str | None = None) -> WorkerJob:
        """Start job `kind` in this worker (starting the worker if needed)."""
        if kind not in SERVED:
            raise ValueError(f"a warm worker does not run {kind!r} jobs: expected one of {', '.join(SERVED)}")
        with self._lock:
            self.start()
            child = self._job
            assert child is not None  # start() made one
            job = WorkerJob(self, next(self._ids), kind, payload)
            job.child, job.log_path = child, child.log_path
            self._jobs[job.id] = (job, child)
            self._last_used = time.monotonic()
            if not child.send({"request": 0, "job": job.id, "kind": kind, "payload": payload, "handler": handler}):
                job._deliver(self._lost(kind, None, False))
        return job

    def _send(self, message: dict[str, Any]) -> bool:
        """A line for the child that runs job `message["job"]`."""
        with self._lock:
            entry = self._jobs.get(message.get("job", -1))
        return entry is not None and entry[1].send(message)

    def _pump(self, job: Job) -> None:
        """The only reader of one child's events: routes each Envelope to its job; ends with the child."""
        while job.terminal is None:
            for event in job.poll(0.5):
                if isinstance(event, ev.Envelope):
                    entry = self._jobs.get(event.job)
                    if entry is not None and entry[1] is job:
                        try:
                            entry[0]._deliver(event.inner())
                        except (ValueError, TypeError):
                            continue
                elif isinstance(event, ev.Ready) and job is self._job:
                    self.info = event.info
            with self._lock:
                mine = any(child is job for _, child in self._jobs.values())
                if job is self._job and not mine and time.monotonic() - self._last_used > self.idle_s:
                    self._release(job)  # idle: give the memory back; the next job starts a fresh one
        # The child is gone: every job still running in it fails with the reason.
        with self._lock:
            orphans = [j for j, child in self._jobs.values() if child is job and j.terminal is None]
            if job is self._job:
                self._job = None
            let_go = id(job) in self._let_go
            self._let_go.discard(id(job))
        reason = job.terminal if isinstance(job.terminal, ev.Failed) else None
        for j in orphans:
            j._deliver(self._lost(j.kind, reason, let_go))
        job.reap(5 if job.killed else LINGER_S)
        if not job.reap(0):
            job.kill()
            job.reap(5)

    def _lost(self, kind: str, reason: ev.Failed | None, let_go: bool) -> ev.Failed:
        why = f" ({reason.message})" if reason is not None and reason.message and not let_go else ""
        return ev.Failed(reason=ev.KILLED if let_go else ev.CRASHED,
                         message=f"the {self.backend} worker process ended while the {kind} job ran{why}; "
                                 "the next job starts a fresh one",
                         details=reason.details if reason is not None else "")

    def _release(self, job: Job) -> None:
        """Let go of one child (under the lock): it takes no new job, and EOF on its stdin ends it once its
        running jobs are done (the serve loop ends; their threads are daemons)."""
        self._let_go.add(id(job))
        if job is self._job:
            self._job = None
        process = job.process
        if process is not None and process.stdin is not None:
            with job._write_lock, contextlib.suppress(OSError):
                process.stdin.close()

    def _forget(self, job: WorkerJob) -> None:
        with self._lock:
            self._jobs.pop(job.id, None)
            self._last_used = time.monotonic()

    def kill(self) -> None:
        """End the child at once (its jobs fail; the next job starts a fresh one)."""
        job = self._job
        if job is not None:
            job.kill()

    def stop(self, timeout: float = 10.0) -> None:
        """End the child and wait for it: EOF first, a kill if it has not gone within `timeout`."""
        self.let_go()
        self.join(timeout)

    def let_go(self) -> None:
        """Tell the child to end (EOF on its stdin), without waiting."""
        with self._lock:
            if self._job is not None:
                self._release(self._job)

    def join(self, timeout: float = 10.0) -> None:
        """Wait for the child told to end; kill it if it is still there after `timeout`."""
        thread, job = self._pump_thread, self._started
        if thread is not None and job is not None:
            thread.join(timeout)
            if thread.is_alive():
                job.kill()
                thread.join(10)


_POOL: dict[tuple[str, str], WarmWorker] = {}
_POOL_LOCK = threading.Lock()


def worker(backend: str, device: str = "cpu") -> WarmWorker:
    """The warm worker of (backend, device) in this process (made, not started, on first ask)."""
    with _POOL_LOCK:
        key = (backend, device or "cpu")
        if key not in _POOL:
            _POOL[key] = WarmWorker(*key)
        return _POOL[key]


def warm(backend: str, device: str = "cpu") -> None:
    """Start the worker of `backend` in the background, so the next evaluation, export or Try it finds it
    ready. Does nothing when warm workers are turned off."""
    if enabled():
        worker(backend, device).start()


def start_job(kind: str, payload: dict[str, Any], backend: str, device: str = "cpu",
              handler: str | None = None) -> Job | WorkerJob:
    """Start `kind` in the warm worker of `backend`, or in a fresh child when warm workers are off."""
    if not enabled() or kind not in SERVED:
        return Job(kind, payload, handler=handler).start()
    return worker(backend, device).submit(kind, payload, handler)


def running() -> list[WarmWorker]:
    with _POOL_LOCK:
        return [w for w in _POOL.values() if w.alive]


def shutdown(timeout: float = 10.0) -> None:
    """End every worker of this process (the app quits, a test session ends)."""
    with _POOL_LOCK:
        pool = list(_POOL.values())
    for w in pool:
        w.let_go()  # all at once: each backend tears itself down in parallel
    for w in pool:
        w.join(timeout)


atexit.register(shutdown, 5.0)
