"""Suite-wide rules.

- A test that needs a slow fixture (SLOW_FIXTURES) is marked `slow`, so `pytest -m "not slow"` stays quick.
- A test that drives Qt (it uses qtbot, or lives in tests/ui) fails when it leaves a QTimer running, a QThread or
  QThreadPool worker busy, or a child process behind, so that a leak shows as its own test's failure rather than
  as a crash inside a later test's event processing (napari's conftest does the same).
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

# Fixtures that train models or build Python environments: a test that uses one is slow whatever its body does.
SLOW_FIXTURES = {
    "runs": "trains the evaluation runs (tests/evaluation/conftest.py)",
    "installed": "builds a virtual environment and installs the wheel into it (tests/packaging)",
    "jax_only": "builds a virtual environment with JAX alone (tests/packaging)",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES.keys() & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


BACKEND_JOBS = ("train", "evaluate", "export", "predict", "probe", "compare", "serve",  # each loads a backend
                "check_optimizer")


@pytest.fixture(autouse=True)
def slow_work_is_marked_slow(request, monkeypatch):
    """A test that is not marked slow fails when it starts a real backend child (a job without a stand-in
    handler, or a warm worker) or imports keras into the test process: the quick loop stays quick even when a
    module forgets its mark."""
    if request.node.get_closest_marker("slow"):
        yield
        return
    from studio.jobs import job as job_module

    had_keras = "keras" in sys.modules
    started: list[str] = []
    original = job_module.Job.start

    def start(self):
        if self.handler is None and self.kind in BACKEND_JOBS:
            started.append(self.kind)
        return original(self)

    monkeypatch.setattr(job_module.Job, "start", start)
    yield
    problems = [f"started a real {kind} child" for kind in dict.fromkeys(started)]
    if not had_keras and "keras" in sys.modules:
        problems.append("imported keras into the test process")
    if problems:
        pytest.fail(f"not marked slow, but it {' and '.join(problems)}: mark it @pytest.mark.slow")


def _warm_workers() -> tuple[set[str], set[str]]:
    """(pids, thread names) of this process's warm backend workers: they are meant to outlive a test (the app
    keeps them between jobs); tests/jobs/test_workers.py shows that the window's shutdown ends them."""
    if "studio.jobs.workers" not in sys.modules:
        return set(), set()
    from studio.jobs import workers

    alive = workers.running()
    return {str(w.pid) for w in alive}, {f"keras-studio-worker-{w.backend}" for w in alive} | (
        {"keras-studio-serve-events"} if alive else set())


def _children() -> list[str]:
    """Live child processes of this one (the multiprocessing resource tracker excepted: it is shared), from
    /proc where there is one (Linux), else from `ps` (macOS)."""
    me, out = os.getpid(), []
    for pid, ppid, state, cmd in _processes():
        if ppid == me and not state.startswith("Z") and "resource_tracker" not in cmd:
            out.append(f"{pid}: {cmd[:120]}")
    return out


def _processes() -> list[tuple[str, int, str, str]]:
    """(pid, parent pid, state, command line) of every process."""
    rows = []
    if not Path("/proc/self/stat").exists():
        try:
            text = subprocess.run(["ps", "-A", "-o", "pid=,ppid=,stat=,command="], capture_output=True, text=True,
                                  timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return rows
        for line in text.splitlines():
            parts = line.split(None, 3)
            if len(parts) == 4 and parts[1].isdigit():
                rows.append((parts[0], int(parts[1]), parts[2], parts[3]))
        return rows
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            rows.append((entry.name, int(stat[1]), stat[0], cmd))
        except (OSError, ValueError, IndexError):
            continue
    return rows


def _calling_place() -> str:
    """Where a timer or thread was started: the innermost frame of this project's code outside this file
    (napari's `_get_calling_place`), so that a leak names the line that made it."""
    frame = sys._getframe(2)
    here = os.path.abspath(__file__)
    while frame is not None:
        path = os.path.abspath(frame.f_code.co_filename)
        if path != here and f"{os.sep}site-packages{os.sep}" not in path and (
                f"{os.sep}studio{os.sep}" in path or f"{os.sep}tests{os.sep}" in path):
            return f"{os.path.relpath(path)}:{frame.f_lineno} in {frame.f_code.co_name}"
        frame = frame.f_back
    return "an unknown place"


def _drives_qt(request: pytest.FixtureRequest) -> bool:
    return "qtbot" in request.fixturenames or request.node.nodeid.startswith("tests/ui/")


@pytest.fixture(autouse=True)
def no_leaks(request, monkeypatch):
    if not _drives_qt(request):
        yield
        return
    from PySide6.QtCore import QThread, QThreadPool, QTimer

    timers: list[tuple[QTimer, str]] = []  # each with where it was started
    threads: list[tuple[QThread, str]] = []
    pools: list[tuple[QThreadPool, str]] = []
    t_start, th_start, p_start = QTimer.start, QThread.start, QThreadPool.start

    def timer_start(self, *args):
        timers.append((self, _calling_place()))
        return t_start(self, *args)

    def thread_start(self, *args):
        threads.append((self, _calling_place()))
        return th_start(self, *args)

    def pool_start(self, *args):
        pools.append((self, _calling_place()))
        return p_start(self, *args)

    if not os.environ.get("NOPATCH"):
        monkeypatch.setattr(QTimer, "start", timer_start)
        monkeypatch.setattr(QThread, "start", thread_start)
        monkeypatch.setattr(QThreadPool, "start", pool_start)
    before = set(_children())
    yield
    problems = []
    for t, place in timers:
        try:
            if t.isActive():
                problems.append(f"QTimer still active: {t.objectName() or t} (interval {t.interval()} ms), "
                                f"started at {place}")
        except RuntimeError:
            pass  # deleted with its owner: not running
    for t, place in threads:
        try:
            if t.isRunning():
                problems.append(f"QThread still running: {t}, started at {place}")
        except RuntimeError:
            pass
    busy_pools: dict[int, str] = {}
    for p, place in pools:
        try:
            if p.activeThreadCount():
                busy_pools[id(p)] = f"QThreadPool still has {p.activeThreadCount()} busy worker(s), the last " \
                                    f"started at {place}"
        except RuntimeError:
            pass
    problems.extend(busy_pools.values())
    warm_pids, warm_threads = _warm_workers()
    reapers = [t.name for t in threading.enumerate()
               if t.name.startswith("keras-studio") and t.name not in warm_threads]
    if reapers:
        problems.append(f"threads still alive: {reapers}")
    def new_children() -> set[str]:
        return {c for c in set(_children()) - before if c.split(":")[0] not in warm_pids}

    deadline = time.monotonic() + 3
    while (new_children() or multiprocessing.active_children()) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = sorted(new_children())
    if left:
        problems.append(f"child processes left: {left}")
    if problems:
        pytest.fail("test leaked: " + "; ".join(problems))
