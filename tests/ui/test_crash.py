"""A training child that dies without a word leaves the app running, with a clear message."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from tests.ui.conftest import close_window
from studio.core import events as ev
from studio.ui.main_window import MainWindow


def test_dead_child_gives_clear_message_and_app_stays_usable(qtbot, dialogs, tmp_path):
    w = MainWindow(probe_devices=False, worker="tests.ui.crashing_worker", autosave_dir=tmp_path)
    try:
        _crash_and_recover(qtbot, w)
    finally:
        close_window(w, qtbot)


def _crash_and_recover(qtbot, w):
    w.show()
    w.checker.wait_data()
    w.open_file("presets/optimization_lab.json", as_template=True)
    with qtbot.waitSignal(w.bridge.ended, timeout=60_000) as ended:
        w.train()
    failed = ended.args[0]
    assert isinstance(failed, ev.Failed) and failed.reason == ev.CRASHED
    assert "exited with code 3" in failed.message
    box = w.findChild(QMessageBox, "trainingFailedBox")
    assert box is not None and box.isVisible() and "Training failed" in box.text()
    assert "exited with code 3" in box.text()
    box.close()
    assert "Training failed" in w.statusBar().currentMessage()
    assert "error:" in w.log.toPlainText()
    # still usable: edit, and the Train button is back
    assert w.controls.train.isEnabled()
    w.editor.add_block("Dense")
    assert w.doc.view()["model"]["blocks"][-1]["type"] == "Dense"
    qtbot.waitUntil(lambda: w.bridge.reaped, timeout=20_000)


def test_an_unexpected_error_in_the_app_goes_to_the_log_not_a_console(window, monkeypatch):
    import sys

    from studio.ui import errors

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    errors.install(window)
    try:
        raise ValueError("a broken panel")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    assert window.log.counts["error"] >= 1 and window.log.counts["detail"] >= 1
    text = window.log.toPlainText()
    assert "Something went wrong inside Keras Studio (ValueError: a broken panel)" in text
    assert "Traceback" in text  # the details, for a bug report
