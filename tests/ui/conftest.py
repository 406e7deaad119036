"""UI tests run offscreen, with Qt's settings and app data in a throwaway folder, and fail when a test
leaves a QTimer running, a QThread/QThreadPool worker busy, or a child process behind."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = tempfile.mkdtemp(prefix="keras-studio-ui-tests-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")  # QSettings
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")  # AppDataLocation: autosave, runs

import multiprocessing  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QThread, QThreadPool, QTimer  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402


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


@pytest.fixture(autouse=True)
def no_leaks(monkeypatch):
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


class _Seen(list):
    answers: dict


@pytest.fixture
def dialogs(monkeypatch):
    """Message boxes answered without a person: records (kind, text) and answers with `answers[kind]`."""
    seen = _Seen()
    answers = {"question": QMessageBox.StandardButton.Discard}

    def make(kind):
        def show(_parent, _title, text, *args, **kwargs):
            seen.append((kind, text))
            return answers.get(kind, QMessageBox.StandardButton.Ok)
        return show

    for kind in ("question", "warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, kind, make(kind))
    seen.answers = answers
    return seen


@pytest.fixture
def window(qtbot, dialogs, tmp_path):
    from studio.ui.main_window import MainWindow

    w = MainWindow(probe_devices=False, autosave_dir=tmp_path / "autosave")
    w.show()
    qtbot.waitExposed(w)
    w.checker.wait_data()
    yield w
    close_window(w, qtbot)


def close_window(w, qtbot) -> None:
    """Shut down, close and really delete a window (PySide can crash at exit on half-dead windows)."""
    w.shutdown()
    w.doc.undo_stack.setClean()
    w.close()
    w.deleteLater()
    qtbot.wait(1)
