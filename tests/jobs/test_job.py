"""The one job protocol, end to end through `python -m studio.engine.runner` with stand-in handlers."""

from __future__ import annotations

import sys
import time

import pytest

from studio.core import events as ev
from studio.engine.parent_watch import GONE_EXIT_CODE
from studio.jobs.errors import JobError
from studio.jobs.job import Job, run_job

H = "tests.jobs.handlers"  # module:function, as the runner takes a handler


def test_prints_to_stdout_cannot_corrupt_the_event_stream():
    job = Job("probe", {}, handler=f"{H}:noisy").start()
    seen = list(job.iter_events(0.1))
    job.close()
    assert [e.kind for e in seen] == ["Log", "Result"] and seen[-1].data == {"answer": 42}


def test_control_and_requests_reach_the_child_and_answers_come_back():
    job = Job("predict", {}, handler=f"{H}:controlled").start()
    try:
        assert _next(job).message == "ready"
        job.send({"control": "pause"})
        assert _next(job).message == "paused"
        job.send({"control": "stop"})
        assert _next(job).message == "stopped"
        job.send({"request": 1, "op": "double", "x": [1, 2.5]})
        job.send({"request": 2, "op": "triple", "x": []})
        first, second = _next(job), _next(job)
        assert (first.id, first.data, first.error) == (1, {"y": [2, 5.0]}, "")
        assert second.id == 2 and "unknown op triple" in second.error and not ev.is_terminal(second)
    finally:
        job.close()
    assert job.process.returncode == 0


@pytest.mark.parametrize("error, reason, words", [
    ("data", ev.INVALID_DATA, "column `price`"),
    ("memory", ev.OUT_OF_MEMORY, "batch size"),
    ("disk", "disk_full", "disk is full"),
    ("bug", ev.INTERNAL, "RuntimeError: a bug"),
])
def test_an_exception_becomes_failed_with_a_reason_by_type(error, reason, words):
    with pytest.raises(JobError) as info:
        run_job("probe", {"error": error}, timeout=60, handler=f"{H}:fails")
    assert info.value.reason == reason and words in info.value.message
    assert ("Traceback" in info.value.details) == (reason == ev.INTERNAL)  # the user's to fix: no traceback


def test_a_job_past_its_timeout_is_killed_and_says_so():
    t = time.monotonic()
    with pytest.raises(JobError, match="took longer than 1 s") as info:
        run_job("probe", {}, timeout=1, handler=f"{H}:sleeps")
    assert info.value.reason == ev.TIMEOUT and time.monotonic() - t < 30


def test_a_child_that_dies_without_a_word_is_failed_with_its_last_words():
    job = Job("evaluate", {}, handler=f"{H}:dies").start()
    end = job.wait(60)
    assert isinstance(end, ev.Failed) and end.reason == ev.CRASHED
    assert "last words before the crash" in end.message and "exit code 9" in end.details


def test_the_child_ends_itself_when_its_parent_goes_away(tmp_path):
    marker = tmp_path / "gone"
    job = Job("evaluate", {"marker": str(marker)}, handler=f"{H}:waits").start()
    assert _next(job).message == "waiting"
    job.process.stdin.close()  # what the kernel does to a parent that was killed
    assert job.process.wait(30) == GONE_EXIT_CODE
    assert marker.read_text() == "gone"
    job.close()


def test_a_bad_request_is_failed_not_a_traceback():
    job = Job("nonsense", {}).start()
    end = job.wait(60)
    assert isinstance(end, ev.Failed) and "bad job request" in end.message and "train" in end.message


def _next(job: Job, timeout: float = 60) -> ev.Event:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = job.poll(0.2, limit=1)
        if got:
            return got[0]
    raise AssertionError("no event arrived")


def test_a_process_the_child_started_holds_neither_the_event_nor_the_control_stream(tmp_path):
    """The grandchild inherits fds 0-2, which no longer are the job's pipes: the death is seen at once."""
    import os
    import signal

    pid_file = tmp_path / "pid"
    job = Job("evaluate", {"pid": str(pid_file)}, handler=f"{H}:leaves_a_grandchild").start()
    t = time.monotonic()
    try:
        end = job.wait(20)
        assert isinstance(end, ev.Failed) and "exit code 4" in end.details
        assert time.monotonic() - t < 15
        if sys.platform.startswith("linux"):
            assert os.readlink(f"/proc/{pid_file.read_text()}/fd/0") == os.devnull
    finally:
        if pid_file.is_file():
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
