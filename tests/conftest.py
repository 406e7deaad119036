"""Suite-wide rules.

- A test that needs a slow fixture (SLOW_FIXTURES) is marked `slow`, so `pytest -m "not slow"` stays quick.
- A test that drives Qt (it uses qtbot, or lives in tests/ui) fails when it leaves a QTimer running, a QThread or
  QThreadPool worker busy, or a child process behind, so that a leak shows as its own test's failure rather than
  as a crash inside a later test's event processing (napari's conftest does the same).
"""

from __future__ import annotations

import multiprocessing
import os
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


def _children() -> list[str]:
    """Live child processes of this one (the multiprocessing resource tracker excepted: it is shared)."""
    me, out = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            state = stat.rsplit(")", 1)[1].split()[0]
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        if ppid == me and state != "Z" and "resource_tracker" not in cmd:
            out.append(f"{entry.name}: {cmd[:120]}")
    return out


def _drives_qt(request: pytest.FixtureRequest) -> bool:
    return "qtbot" in request.fixturenames or request.node.nodeid.startswith("tests/ui/")


@pytest.fixture(autouse=True)
def no_leaks(request, monkeypatch):
    if not _drives_qt(request):
        yield
        return
    from PySide6.QtCore import QThread, QThreadPool, QTimer

    timers: list[QTimer] = []
    threads: list[QThread] = []
    pools: list[QThreadPool] = []
    t_start, th_start, p_start = QTimer.start, QThread.start, QThreadPool.start

    def timer_start(self, *args):
        timers.append(self)
        return t_start(self, *args)

    def thread_start(self, *args):
        threads.append(self)
        return th_start(self, *args)

    def pool_start(self, *args):
        pools.append(self)
        return p_start(self, *args)

    if not os.environ.get("NOPATCH"):
        monkeypatch.setattr(QTimer, "start", timer_start)
        monkeypatch.setattr(QThread, "start", thread_start)
        monkeypatch.setattr(QThreadPool, "start", pool_start)
    before = set(_children())
    yield
    problems = []
    for t in timers:
        try:
            if t.isActive():
                problems.append(f"QTimer still active: {t.objectName() or t} (interval {t.interval()} ms)")
        except RuntimeError:
            pass  # deleted with its owner: not running
    for t in threads:
        try:
            if t.isRunning():
                problems.append(f"QThread still running: {t}")
        except RuntimeError:
            pass
    for p in pools:
        try:
            if p.activeThreadCount():
                problems.append(f"QThreadPool still has {p.activeThreadCount()} busy worker(s)")
        except RuntimeError:
            pass
    reapers = [t.name for t in threading.enumerate() if t.name.startswith("keras-studio")]
    if reapers:
        problems.append(f"threads still alive: {reapers}")
    deadline = time.monotonic() + 3
    while (set(_children()) - before or multiprocessing.active_children()) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = sorted(set(_children()) - before)
    if left:
        problems.append(f"child processes left: {left}")
    if problems:
        pytest.fail("test leaked: " + "; ".join(problems))
