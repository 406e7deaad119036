"""A child job sent to a Ray cluster through the Ray Jobs API, seen from the parent exactly like the local
`studio.jobs.job.Job`: start, poll / iter_events / wait, send (stop), kill, reap, close, terminal.

The job runs the same entry point as a local child, `python -m studio.engine.runner`, with its request on
the command line (`--request-b64`, see `studio.engine.remote`). Its JSON event lines reach the job's log;
a thread here follows that log (`tail_job_logs`, an async generator, on the thread's own event loop), turns
the lines that are events into events and appends the other lines to the local child.log. The run directory
comes back at the end as Artifact events and is unpacked into the local run directory before the terminal
event is handed on, so a caller sees the same run directory as after a local run. Stop is `stop_job`
(SIGTERM, which the runner takes as a stop; Ray sends SIGKILL after RAY_JOB_STOP_WAIT_TIME_S, set here).
Pause is not available: a Ray job has no channel in.

Every call to the cluster has a timeout, and the log follower is watched by a status check, so a cluster
that went away gives a Failed with the way to re-attach (`keras-studio attach RUN_DIR`), never a hang.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import queue
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from studio.core import events as ev
from studio.core.runs import (
    CHILD_LOG,
    EVENTS_FILE,
    SPEC_FILE,
    STATUS_FILE,
    read_json,
    set_status,
)
from studio.jobs.job import drain
from studio.jobs.ray_cluster import (  # re-exported: the executor's callers need only this module
    DASHBOARD_PORT,
    HTTP_TIMEOUT_S,
    INSTALL_HINT,
    RUNTIME_ENV_VAR,
    START_TIMEOUT_VAR,
    STOP_WAIT_S,
    RayClusterError,
    connect,
    dashboard_address,
    entrypoint,
    gpus_for,
    ray_available,
    runtime_env_for,
    start_timeout,
)

WATCH_EVERY_S = 5.0  # how often the job's status is checked while its log is followed
EVENT_MARK = '{"event": '
TERMINAL_STATES = ("SUCCEEDED", "FAILED", "STOPPED")
DETACHED = "detached"  # the Failed reason of a job left running on the cluster

__all__ = [
    "DASHBOARD_PORT", "HTTP_TIMEOUT_S", "INSTALL_HINT", "RUNTIME_ENV_VAR", "START_TIMEOUT_VAR", "STOP_WAIT_S",
    "RayJob", "RayClusterError", "attach", "connect", "dashboard_address", "entrypoint", "gpus_for", "ray_available",
    "ray_job", "runtime_env_for", "start_timeout",
]


NO_AGENT_YET = "No available agent to submit job"  # Ray's answer before its job agent is ready
AGENT_WAIT_S = 30.0


class RayJob:
    """`RayJob("train", payload, address, local_run_dir=…).start()`; then the interface of a local Job.

    `job_id` attaches to a job already submitted (its log is read again from its beginning);
    `on_submitted(job_id)` is called once the cluster accepted the job (the run directory keeps the id)."""

    process = None  # no local child process

    def __init__(self, kind: str, payload: dict[str, Any], address: str, handler: str | None = None,
                 log: Path | None = None, local_run_dir: Path | None = None, job_id: str | None = None,
                 on_submitted: Callable[[str], None] | None = None):
        self.kind = kind
        self.payload = payload
        self.handler = handler
        self.address, self.address_note = dashboard_address(address)
        self.log_path = log
        self.local_run_dir = Path(local_run_dir) if local_run_dir else None
        self.job_id = job_id
        self.on_submitted = on_submitted
        self.terminal: ev.Event | None = None
        self.killed = False
        self.stop_sent = False
        self._client: Any = None  # ray's JobSubmissionClient, once connected
        self._events: queue.Queue[ev.Event] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._stop_wanted = threading.Event()
        self._closed = threading.Event()
        self._consumed = 0  # characters of the job's log taken in so far
        self._partial = ""
        self._pieces: list[str] = []
        self._held: ev.Event | None = None  # the terminal event, kept until the run directory is back
        self._delivered_terminal = False
        self._lock = threading.Lock()
        self._detached = False
        # An attach writes nothing until the cluster has shown the job: then these files start anew
        self.fresh_files: tuple[str, ...] = ()
        self._may_write = job_id is None  # a new job's run directory is ours from the start
        self.discard_unsent = False  # True: a failure before the job was sent removes local_run_dir (a new run)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> RayJob:
        self._thread = threading.Thread(target=self._run, name=f"keras-studio-ray-{self.kind}", daemon=True)
        self._thread.start()
        return self

    @property
    def pid(self) -> None:
        return None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread is not None and self.terminal is None

    def send(self, message: dict[str, Any]) -> bool:
        """A stop goes to the cluster as stop_job; pause and resume cannot reach a Ray job (said as a Warning)."""
        op = message.get("control")
        if op == "stop":
            self._request_stop()
            return True
        if op in ("pause", "resume"):
            self._put(ev.Warning(message="Pause is not available for a run on a Ray cluster; Stop works"))
        return False

    def kill(self) -> None:
        """Stop the job on the cluster (Ray ends it with SIGKILL if it does not stop in time)."""
        if self.terminal is None:
            self.killed = True
        self._request_stop()

    def _request_stop(self) -> None:
        self._stop_wanted.set()
        if self.job_id is not None and self._client is not None:
            threading.Thread(target=self._send_stop, daemon=True).start()

    def _send_stop(self) -> None:
        with self._lock:
            if self.stop_sent:
                return
            self.stop_sent = True
        try:
            self._client.stop_job(self.job_id)
        except Exception as exc:  # noqa: BLE001 - a stop that cannot be sent is told, the watch goes on
            self._put(ev.Warning(message=f"could not stop Ray job {self.job_id}: {exc}"))

    # ------------------------------------------------------------------ the follower thread
    def _run(self) -> None:
        try:
            self._client = connect(self.address)
            if self.job_id is None:
                self.job_id = self._submit()
                if self.on_submitted is not None:
                    self.on_submitted(self.job_id)
            else:
                self._find_job()
            self._put(ev.Log(message=f"Ray job {self.job_id}: {self.address_note}"))
            if self._stop_wanted.is_set():
                self._send_stop()
            asyncio.run(self._follow())
            if self._detached:
                self._put(ev.Failed(reason=DETACHED, message=f"stopped following Ray job {self.job_id}; it goes "
                                    f"on on the cluster: re-attach with `keras-studio attach "
                                    f"{self.local_run_dir or 'RUN_DIR'}`", run_dir=str(self.local_run_dir or "")))
                return
            self._take(self._logs_from(self._consumed), final=True)  # what the follower had not delivered
            self._end()
        except RayClusterError as exc:
            self._fail(exc.reason, exc.message, exc.details)
        except Exception as exc:  # noqa: BLE001 - anything from the client becomes a message, never a traceback
            self._fail(ev.CRASHED, f"the Ray job {self.job_id or ''} could not be followed: {exc}; "
                                   f"re-attach with `keras-studio attach {self.local_run_dir or 'RUN_DIR'}`",
                       repr(exc))

    def _find_job(self) -> None:
        """Make sure the cluster knows the job before a byte of the run directory changes; then start the files
        the job's log will be read into again."""
        try:
            self._client.get_job_info(self.job_id)
        except Exception as exc:  # noqa: BLE001 - Ray raises RuntimeError for an unknown job, others for the rest
            where = f"; nothing in {self.local_run_dir} was changed" if self.local_run_dir else ""
            raise RayClusterError(f"the Ray cluster at {self.address} does not know job {self.job_id} ({exc}): "
                                  f"it may have been restarted since the run was sent{where}",
                                  "job_not_found") from None
        if self.local_run_dir is not None:
            for name in self.fresh_files:
                with contextlib.suppress(OSError):
                    (self.local_run_dir / name).write_text("", encoding="utf-8")
        self._may_write = True

    def _submit(self) -> str:
        given = self.payload.get("spec")
        spec: dict[str, Any] = given if isinstance(given, dict) else {}
        waited_until = time.monotonic() + AGENT_WAIT_S
        while True:
            try:
                return self._client.submit_job(entrypoint=entrypoint(self.kind, self.payload, self.handler),
                                               runtime_env=runtime_env_for(spec), entrypoint_num_gpus=gpus_for(spec),
                                               metadata={"keras_studio": self.kind})
            except RayClusterError:
                raise
            except Exception as exc:  # noqa: BLE001 - whatever the client raises, the user reads why
                # A head that has just started (or is busy) answers this until its job agent is up: Ray's own
                # message says to try again later, so do, for a while, before calling it a refusal.
                if NO_AGENT_YET in str(exc) and time.monotonic() < waited_until and not self._closed.is_set():
                    time.sleep(1.0)
                    continue
                raise RayClusterError(f"the Ray cluster at {self.address} refused the job: {exc}",
                                      "submit_failed") from None

    async def _follow(self) -> None:
        """Follow the log until the job ends; a status check every few seconds notices a cluster gone quiet."""
        follower = asyncio.ensure_future(self._tail())
        began, said_pending = time.monotonic(), False
        try:
            while not follower.done():
                await asyncio.wait([follower], timeout=WATCH_EVERY_S)
                if follower.done() or self._closed.is_set():
                    break
                status = await asyncio.to_thread(self._status)
                if status == "PENDING":
                    if not said_pending:
                        said_pending = True
                        self._put(ev.Log(message=f"Ray job {self.job_id} waits to start on the cluster (its "
                                                 "runtime environment installs, or resources are busy)"))
                    if time.monotonic() - began > start_timeout():
                        await asyncio.to_thread(self._send_stop)
                        raise RayClusterError(f"the Ray cluster did not start job {self.job_id} within "
                                         f"{start_timeout():g} s (still PENDING: its runtime environment may not "
                                         "install, or no node has what it asks for, such as a GPU); it was "
                                         f"stopped. Set {START_TIMEOUT_VAR} to wait longer", "start_timeout")
                if status in TERMINAL_STATES:
                    await asyncio.wait([follower], timeout=WATCH_EVERY_S)  # its last lines
                    break
        finally:
            if not follower.done():
                follower.cancel()
                with contextlib.suppress(BaseException):
                    await follower
        if follower.done() and not follower.cancelled() and follower.exception() is not None \
                and self._status() not in TERMINAL_STATES:  # _status raises the "lost" message when it is gone
            raise RayClusterError(f"the log stream of Ray job {self.job_id} broke while the job runs "
                             f"({follower.exception()}); re-attach with `keras-studio attach "
                             f"{self.local_run_dir or 'RUN_DIR'}`", "connection_lost")

    async def _tail(self) -> None:
        async for chunk in self._client.tail_job_logs(self.job_id):
            self._take(chunk)

    def _http(self, path: str) -> Any:
        import requests

        try:
            reply = requests.get(f"{self.address}/api/jobs/{self.job_id}{path}", timeout=HTTP_TIMEOUT_S)
            reply.raise_for_status()
            return reply.json()
        except requests.exceptions.RequestException as exc:
            raise RayClusterError(f"lost the connection to the Ray cluster at {self.address} while job {self.job_id} "
                             f"ran ({type(exc).__name__}); it may still be running: re-attach with "
                             f"`keras-studio attach {self.local_run_dir or 'RUN_DIR'}`", "connection_lost") from None

    def _status(self) -> str:
        return str(self._http("").get("status", ""))

    def _logs_from(self, offset: int) -> str:
        return str(self._http("/logs").get("logs", ""))[offset:]

    # ------------------------------------------------------------------ lines → events
    def _take(self, text: str, final: bool = False) -> None:
        self._consumed += len(text)
        lines = (self._partial + text).split("\n")
        self._partial = "" if final else lines.pop()
        for line in lines:
            self._line(line)

    def _line(self, line: str) -> None:
        at = line.find(EVENT_MARK)
        if at >= 0:
            try:
                event = ev.from_json(line[at:])
            except (ValueError, TypeError):
                event = None
            if event is not None:
                self._event(event)
                if at == 0:
                    return
                line = line[:at]  # a partial line of the child's stderr ran into the event
        if line.strip():
            self._write_log(line)

    def _write_log(self, line: str) -> None:
        if self.log_path is not None and self._may_write:
            with contextlib.suppress(OSError), open(self.log_path, "a", encoding="utf-8") as f:
                f.write(line + "\n")

    def _event(self, event: ev.Event) -> None:
        if isinstance(event, ev.Artifact):
            self._pieces.append(event.data)
            if event.index + 1 == event.count:
                self._unpack("".join(self._pieces))
                self._pieces = []
                if self._held is not None:
                    held, self._held = self._held, None
                    self._put(held)
            return
        if self.local_run_dir is not None and getattr(event, "run_dir", None):
            vars(event)["run_dir"] = str(self.local_run_dir)  # the cluster's temporary folder means nothing here
        if self.local_run_dir is not None:
            self._append_event(event)
        if ev.is_terminal(event) and "run_dir" in self.payload and self.local_run_dir is not None:
            self._held = event  # handed on once its run directory is unpacked
            return
        self._put(event)

    def _append_event(self, event: ev.Event) -> None:
        assert self.local_run_dir is not None  # the caller checks
        if not self._may_write:
            return
        with contextlib.suppress(OSError), open(self.local_run_dir / EVENTS_FILE, "a", encoding="utf-8") as f:
            f.write(ev.to_json(event) + "\n")

    def _unpack(self, text: str) -> None:
        if self.local_run_dir is None:  # a job without a run directory sends no artifacts
            return
        try:
            with tarfile.open(fileobj=io.BytesIO(base64.b64decode(text)), mode="r:gz") as tar:
                if hasattr(tarfile, "data_filter"):  # Python 3.11.4+: refuse links and paths out of the folder
                    tar.extractall(self.local_run_dir, filter="data")
                else:  # pragma: no cover
                    tar.extractall(self.local_run_dir)
            state = (read_json(self.local_run_dir / STATUS_FILE, {}) or {}).get("state", "finished")
            set_status(self.local_run_dir, state, pid=None, executor="ray", ray_address=self.address,
                       ray_job_id=self.job_id)  # the cluster's copy replaced the local status
        except (OSError, ValueError, tarfile.TarError) as exc:
            self._put(ev.Warning(message=f"the run directory from the Ray cluster could not be unpacked into "
                                         f"{self.local_run_dir}: {exc}"))

    def _put(self, event: ev.Event) -> None:
        if ev.is_terminal(event):
            with self._lock:
                if self._delivered_terminal:
                    return
                self._delivered_terminal = True
        self._events.put(event)

    def _end(self) -> None:
        """The job ended on the cluster: hand on its terminal event, or say why there was none."""
        if self._held is not None:
            self._put(ev.Warning(message="the run directory did not come back from the Ray cluster; only the "
                                         "events and the log are here"))
            self._put(self._held)
            return
        if self._delivered_terminal:
            return
        info = self._http("")
        status, message = info.get("status", ""), info.get("message") or ""
        if "runtime_env" in message.lower() or "runtime env" in message.lower():
            self._fail("runtime_env_failed", f"the Ray cluster could not install the job's runtime environment: "
                                             f"{message.splitlines()[0] if message else status}; set "
                                             f"{RUNTIME_ENV_VAR} to an environment the cluster can build",
                       message)
        elif status == "STOPPED" or self.killed:
            self._fail(ev.KILLED, f"the Ray job {self.job_id} was stopped before it reported a result", message)
        else:
            self._fail(ev.CRASHED, f"the Ray job {self.job_id} ended ({status}) without a result: "
                                   f"{message or 'see child.log in the run directory'}", message)

    def _fail(self, reason: str, message: str, details: str = "") -> None:
        if self.discard_unsent and self.job_id is None and self.local_run_dir is not None \
                and _discard(self.local_run_dir):  # nothing reached the cluster: no failed run left in the table
            message += "; nothing was sent, so no run directory is kept"
            self.local_run_dir = None
        failed = ev.Failed(reason=reason, message=message, details=details,
                           run_dir=str(self.local_run_dir or ""))
        if self.local_run_dir is not None and not self._delivered_terminal and self._may_write:
            with contextlib.suppress(OSError):
                set_status(self.local_run_dir, "failed", reason=reason, message=message)
                self._append_event(failed)
        self._put(failed)

    # ------------------------------------------------------------------ the Job interface
    def poll(self, timeout: float = 0.1, limit: int = 1000) -> list[ev.Event]:
        out: list[ev.Event] = []
        if self.terminal is not None or self._thread is None:
            return out
        for item in drain(self._events, timeout, limit):
            out.append(item)
            if ev.is_terminal(item):
                self.terminal = item
                break
        return out

    def iter_events(self, poll_interval: float = 0.2) -> Iterator[ev.Event]:
        while self.terminal is None:
            yield from self.poll(poll_interval)

    def wait(self, timeout: float | None = None) -> ev.Event | None:
        end = None if timeout is None else time.monotonic() + timeout
        while self.terminal is None and (end is None or time.monotonic() < end):
            self.poll(0.2 if end is None else max(0.0, min(0.2, end - time.monotonic())))
        return self.terminal

    def reap(self, timeout: float = 0.0) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.alive

    def detach(self) -> None:
        """Stop following the job and leave it running on the cluster (`attach` follows it again)."""
        self._detached = True
        self._closed.set()

    def close(self, grace: float = 5.0) -> None:
        """Leave the job: a job still running is stopped on the cluster; the follower ends within `grace`."""
        if self.terminal is None and self.alive:
            self._request_stop()
        self._closed.set()
        self.reap(grace)
        if self.terminal is None:
            self.poll(0)


def ray_job(address: str, spec_dict: dict[str, Any], run_dir: Path, handler: str | None = None,
            job_id: str | None = None) -> RayJob:
    """The train job of the run directory `run_dir` on the cluster at `address` (a new one, or `job_id`'s);
    the run's status.json keeps the address and the job id, for `keras-studio attach`."""

    def submitted(new_id: str) -> None:
        set_status(run_dir, "running", executor="ray", ray_address=address, ray_job_id=new_id)

    job = RayJob("train", {"spec": spec_dict, "run_dir": str(run_dir)}, address, handler=handler,
                 log=Path(run_dir) / CHILD_LOG, local_run_dir=run_dir, job_id=job_id, on_submitted=submitted)
    job.discard_unsent = job_id is None  # a new run, made for this job alone; an attached one is never removed
    return job


def _discard(run_dir: Path) -> bool:
    """Remove a run directory that holds only what creating it wrote (never anything else); True if gone."""
    made = (SPEC_FILE, STATUS_FILE, EVENTS_FILE, CHILD_LOG)
    try:
        if any(p.name not in made for p in run_dir.iterdir()):
            return False
        for name in made:
            with contextlib.suppress(FileNotFoundError):
                (run_dir / name).unlink()
        run_dir.rmdir()
    except OSError:
        return False
    return True


ENDED_STATES = ("finished", "stopped")  # a run that came back whole: attach never rewrites it


def attach(run_dir: str | Path) -> RayJob:
    """A RayJob following again the job of a run sent to a Ray cluster (its status.json names the cluster and
    the job). Nothing in the run directory changes until the cluster has shown the job: only then are the local
    events and log started anew (the job's log is read from its beginning). A run that finished or was
    stopped is refused: its directory is already what the cluster sent back."""
    run_dir = Path(run_dir)
    status = read_json(run_dir / STATUS_FILE, None)
    job_id = status.get("ray_job_id") if isinstance(status, dict) else None
    address = status.get("ray_address") if isinstance(status, dict) else None
    if not isinstance(job_id, str) or not job_id.strip() or not isinstance(address, str) or not address.strip():
        found = ("no readable status.json" if not isinstance(status, dict) else
                 "a local run" if not status.get("ray_job_id") and not status.get("ray_address") else
                 "a ray_job_id or ray_address that is not text")
        raise RayClusterError(f"{run_dir} is not a run sent to a Ray cluster: expected a run directory whose "
                              f"status.json names a Ray job (ray_job_id, ray_address), received {found}",
                              "not_a_ray_run")
    state = status.get("state")
    if state in ENDED_STATES:
        raise RayClusterError(f"{run_dir} has {state}: its run directory came back from the cluster, so there is "
                              f"nothing to follow (see it with `keras-studio runs {run_dir.parent}`)", "ended")
    try:
        dashboard_address(address)  # the one reader of a Ray address, before anything else is read
    except RayClusterError as exc:
        raise RayClusterError(f"{run_dir / STATUS_FILE}: its ray_address cannot be used: {exc.message}",
                              "invalid_address") from None
    spec = read_json(run_dir / SPEC_FILE, {})
    try:
        job = ray_job(address, spec if isinstance(spec, dict) else {}, run_dir, job_id=job_id)  # reads the address
    except ValueError as exc:  # urllib's answer to a torn address such as http://[::1
        raise RayClusterError(f"cannot read the Ray address {address!r} in {run_dir / STATUS_FILE} ({exc}): "
                              "expected ray://HOST:PORT or http://HOST:8265", "invalid_address") from None
    job.fresh_files = (EVENTS_FILE, CHILD_LOG)
    return job
