"""A new project teaches the right habit (issue 20, item 14): it holds out a validation split (watched each epoch)
and a test split (the final score on data the training never saw), in the window at start and after File ▸ New,
and the Data panel's preview counts them."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox


def test_a_new_project_holds_out_validation_and_test_data(window, qtbot, dialogs):
    w = window
    for how in ("at start", "after New"):
        if how == "after New":
            w.training_panel.val.setValue(0.0)  # as a user who set it to nothing
            dialogs.answers["question"] = QMessageBox.StandardButton.Discard
            w.act_new.trigger()
            w.checker.wait_data()
        data = w.doc.view()["data"]
        assert data["validation_split"] > 0 and data["test_split"] > 0, (how, data)
        assert w.training_panel.val.value() == data["validation_split"]
        assert w.data_panel.test.value() == data["test_split"]
        qtbot.waitUntil(lambda: "validation" in w.data_panel.preview_title.text(), timeout=10_000)
        title = w.data_panel.preview_title.text()
        assert "/ 0 validation" not in title and "/ 0 test" not in title, (how, title)
        assert w.checker.data_error == "" and not w.doc.dirty  # the data splits as asked; nothing to save yet
