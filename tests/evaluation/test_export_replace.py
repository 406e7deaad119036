"""The export dialog asks before replacing a file and never offers to replace the run's own (issue 11, item 1)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox


def answer_next_question(button: QMessageBox.StandardButton, seen: list[str]) -> None:
    """Click `button` in the question box that is about to open (it blocks until answered)."""

    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, click)
            return
        seen.append(box.text())
        box.button(button).click()

    QTimer.singleShot(50, click)


def test_the_dialog_asks_before_replacing(qtbot, runs, tmp_path):
    from studio.ui.evaluation import ExportDialog

    mine = tmp_path / "mine.py"
    mine.write_text("# my own script\n")
    dlg = ExportDialog(runs["iris"])
    qtbot.addWidget(dlg)
    dlg.format.setCurrentIndex(dlg.format.findData("python"))
    dlg.path.setText(str(mine))

    seen: list[str] = []
    answer_next_question(QMessageBox.StandardButton.Cancel, seen)
    qtbot.mouseClick(dlg.export_btn, Qt.MouseButton.LeftButton)
    assert seen and "already exists" in seen[0]
    assert dlg.message.text().startswith("Not exported")
    assert mine.read_text() == "# my own script\n" and dlg.export_btn.isEnabled()

    answer_next_question(QMessageBox.StandardButton.Yes, seen)
    qtbot.mouseClick(dlg.export_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.result is not None, timeout=120_000)
    assert dlg.result.ok, dlg.result.error
    assert "def build_model" in mine.read_text()
    dlg.shutdown()


def test_the_dialog_refuses_the_runs_own_model(qtbot, runs):
    from studio.ui.evaluation import ExportDialog

    model = runs["iris"] / "model.keras"
    before = model.read_bytes()
    dlg = ExportDialog(runs["iris"])
    qtbot.addWidget(dlg)
    dlg.format.setCurrentIndex(dlg.format.findData("keras"))
    dlg.path.setText(str(model))
    qtbot.mouseClick(dlg.export_btn, Qt.MouseButton.LeftButton)  # no question: this is never replaced
    assert dlg.message.text().startswith("Export refused:") and "run's own file" in dlg.message.text()
    assert model.read_bytes() == before and dlg.result is None
    dlg.shutdown()
