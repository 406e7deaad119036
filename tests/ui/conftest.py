"""UI tests run offscreen, with Qt's settings and app data in a throwaway folder (tests/conftest.py fails one
that leaves a QTimer running, a QThread/QThreadPool worker busy, or a child process behind)."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = tempfile.mkdtemp(prefix="keras-studio-ui-tests-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")  # QSettings
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")  # AppDataLocation: autosave, runs

import pytest  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402


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
