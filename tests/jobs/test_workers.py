"""Warm backend workers (`studio.jobs.workers`), end to end through real children with stand-in handlers: job
after job in one process, a failure or a kill -9 that the next job survives, idle release, and shutdown."""

from __future__ import annotations

import os
import signal
import time

import pytest

from studio.core import events as ev
from studio.jobs import workers
from studio.jobs.errors import JobError
from studio.jobs.workers import WarmWorker
from tests.jobs.test_job import _next  # the next event of a job, or AssertionError

H = "tests.jobs.handlers"
BACKEND = "jax"  # the backend that starts fastest here; the handlers themselves use none

pytestmark = pytest.mark.slow  # each worker imports a backend (a second or two)


def _gone(pid: int, timeout: float = 10) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # a zombie still answers kill(0) until its parent reaps it; it runs no more
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            if os.path.isdir("/proc"):
                return True  # gone between the two looks
        time.sleep(0.05)
    return False


@pytest.fixture
def worker():
    w = WarmWorker(BACKEND)
    yield w
    w.stop()


def test_jobs_run_one_after_another_in_one_process_and_a_failure_does_not_end_it(worker):
    first = worker.submit("evaluate", {}, handler=f"{H}:noisy").result(60)
    pid = worker.pid
    with pytest.raises(JobError) as info:
        worker.submit("evaluate", {"error": "data"}, handler=f"{H}:fails").result(60)
    assert info.value.reason == ev.INVALID_DATA and "column `price`" in info.value.message
    again = worker.submit("export", {}, handler=f"{H}:noisy").result(60)
    assert first == again == {"answer": 42}
    assert worker.pid == pid and worker.starts == 1 and worker.info["pid"] == pid


def test_a_long_lived_job_answers_requests_beside_one_shot_jobs(worker):
    session = worker.submit("predict", {}, handler=f"{H}:controlled")
    assert _next(session).message == "ready"
    session.send({"control": "pause"})  # a control line of the job's own goes nowhere else …
    assert worker.submit("evaluate", {}, handler=f"{H}:noisy").result(60) == {"answer": 42}  # … and jobs go on
    session.close()
    assert worker.starts == 1


def test_a_worker_killed_with_sigkill_fails_its_job_and_the_next_job_gets_a_fresh_one(worker):
    stuck = worker.submit("evaluate", {}, handler=f"{H}:sleeps")
    time.sleep(0.5)
    pid = worker.pid
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(JobError) as info:
        stuck.result(30)
    assert info.value.reason == ev.CRASHED and "worker process ended" in info.value.message
    assert worker.submit("evaluate", {}, handler=f"{H}:noisy").result(60) == {"answer": 42}
    assert worker.starts == 2 and worker.pid != pid and _gone(pid)


def test_an_idle_worker_ends_and_gives_its_memory_back():
    w = WarmWorker(BACKEND, idle_s=1)
    try:
        assert w.submit("evaluate", {}, handler=f"{H}:noisy").result(60) == {"answer": 42}
        pid = w.pid
        assert pid is not None and _gone(pid, 15)
        end = time.monotonic() + 10
        while w.alive and time.monotonic() < end:
            time.sleep(0.05)
        assert not w.alive
        assert w.submit("evaluate", {}, handler=f"{H}:noisy").result(60) == {"answer": 42}  # and comes back
        assert w.starts == 2
    finally:
        w.stop()


def test_a_job_kind_the_worker_does_not_serve_is_refused(worker):
    with pytest.raises(ValueError, match="does not run 'train' jobs"):
        worker.submit("train", {})


def test_shutdown_ends_every_worker_of_the_process():
    workers.warm(BACKEND)
    w = workers.worker(BACKEND)
    end = time.monotonic() + 60
    while not w.info and time.monotonic() < end:
        time.sleep(0.05)
    pid = w.pid
    assert pid is not None and w in workers.running()  # beside any other backend's, started by earlier tests
    workers.shutdown()
    assert workers.running() == [] and _gone(pid)


def test_the_worker_ends_itself_when_its_parent_dies(tmp_path):
    """The parent-gone rule: a worker whose parent was killed reads EOF and ends (tests/engine/orphan_parent.py
    covers a training; this covers a warm worker)."""
    import subprocess
    import sys

    pid_file = tmp_path / "worker.pid"
    code = ("import sys, time; from studio.jobs import workers; w = workers.worker('jax'); w.start()\n"
            "end = time.monotonic() + 60\n"
            "while not w.info and time.monotonic() < end: time.sleep(0.05)\n"
            f"open({str(pid_file)!r}, 'w').write(str(w.pid)); time.sleep(600)")
    parent = subprocess.Popen([sys.executable, "-c", code])
    try:
        end = time.monotonic() + 90
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < end:
            time.sleep(0.1)
        child = int(pid_file.read_text())
        parent.kill()
        parent.wait(10)
        assert _gone(child, 20), "the warm worker outlived its parent"
    finally:
        parent.kill()

