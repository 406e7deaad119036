"""A sweep says what it optimises (issue 20, item 14): without a validation split it can only rank trials by their
training loss, which rewards the one that memorises best; the dialog says so and where to hold data out, and with a
validation split it ranks by the validation loss."""

from __future__ import annotations

from studio.core.presets import load_preset


def _open(w, qtbot):
    w.act_sweep.trigger()
    dialog = w.dialogs.sweep_dialog
    qtbot.waitExposed(dialog)
    return dialog


def test_a_sweep_on_training_loss_says_so_and_one_with_validation_ranks_by_it(window, qtbot, tmp_path):
    w = window
    spec = load_preset("optimization_lab").to_dict()
    spec["data"]["validation_split"] = 0.0
    w.doc.load_dict(spec, None)
    w.checker.wait_data()
    w.runs.set_root(tmp_path)
    d = _open(w, qtbot)
    assert d.metric_box.currentText() == "loss"
    assert d.metric_note.isVisible() and "training loss" in d.metric_note.text()
    assert "validation split" in d.metric_note.text() and "Setup ▸ Training" in d.metric_note.text()
    d.close()
    w.training_panel.val.setValue(0.3)
    assert w.doc.view()["data"]["validation_split"] == 0.3
    d = _open(w, qtbot)
    assert d.metric_box.currentText() == "val_loss" and not d.metric_note.isVisible()
    d.close()
