"""The UI's background runner: a task's function and what it holds are let go on the UI thread.

A closure that holds the last reference to a widget (an export dialog's `lambda: export(self.target …)`)
must not drop it on the worker thread: the widget would then be destroyed there, which later crashes Qt's
event processing with SIGSEGV (seen once in four full runs after the export dialog's test)."""

from __future__ import annotations

import gc
import threading
import time

from PySide6.QtWidgets import QWidget

from studio.ui.background import Background


class _Watched(QWidget):
    died_on: list[str] = []

    def __del__(self):
        _Watched.died_on.append(threading.current_thread().name)


def _run_and_forget(qtbot, bg: Background, fails: bool) -> list:
    answers: list = []
    widget = _Watched()

    def work(w=widget):
        time.sleep(0.05)
        if fails:
            raise RuntimeError(f"failed with {w!r} in scope")
        return "done"

    bg.submit(work, answers.append, answers.append)
    del widget, work
    qtbot.waitUntil(lambda: bool(answers), timeout=5000)
    bg.pool.waitForDone(5000)
    qtbot.wait(20)
    gc.collect()
    return answers


def test_a_widget_held_only_by_a_task_dies_on_the_ui_thread(qtbot):
    bg = Background()
    for fails in (False, True):
        _Watched.died_on.clear()
        for _ in range(5):
            answers = _run_and_forget(qtbot, bg, fails)
            assert answers and (isinstance(answers[0], RuntimeError) if fails else answers == ["done"])
        assert _Watched.died_on == [threading.main_thread().name] * 5, f"fails={fails}: {_Watched.died_on}"
    bg.shutdown()


def test_a_failure_keeps_its_traceback_text_but_not_its_frames(qtbot):
    bg = Background()
    answers = _run_and_forget(qtbot, bg, True)
    assert "RuntimeError" in answers[0].details and answers[0].__traceback__ is None
    bg.shutdown()
