"""The Training panel's Inside row edits the spec's `inspect` section, one undoable step per change."""

from __future__ import annotations

from PySide6.QtCore import Qt


def test_recording_can_be_turned_off_and_spaced_out(window, qtbot):
    panel = window.training_panel
    assert panel.inspect.isChecked() and window.doc.view()["inspect"]["enabled"] is True  # on by default
    qtbot.mouseClick(panel.inspect, Qt.MouseButton.LeftButton)
    assert window.doc.view()["inspect"]["enabled"] is False and not panel.inspect_every.isEnabled()
    window.act_undo.trigger()
    assert window.doc.view()["inspect"]["enabled"] is True and panel.inspect.isChecked()
    panel.inspect_every.setValue(5)  # as typing 5 and pressing Enter does
    assert window.doc.view()["inspect"]["every"] == 5
    assert "over 5 %" in panel.inspect_every.toolTip()  # the spec's own help, with the budget rule
