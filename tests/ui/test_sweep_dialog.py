"""Run ▸ Sweep…: a sweep driven from the app, end to end, and refused searches that never start."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from studio.core.presets import load_preset


def _lab(w, qtbot, epochs=4):
    spec = load_preset("optimization_lab").to_dict()
    spec["training"].update(epochs=epochs, backend="jax")
    w.doc.load_dict(spec, None)
    w.checker.wait_data()


def _open(w, qtbot):
    w.act_sweep.trigger()
    dialog = w.dialogs.sweep_dialog
    qtbot.waitExposed(dialog)
    return dialog


def test_a_search_the_spec_refuses_is_said_and_nothing_starts(window, qtbot, tmp_path):
    w = window
    _lab(w, qtbot)
    w.runs.set_root(tmp_path)
    d = _open(w, qtbot)
    assert [r.path.text() for r in d.rows] == ["optimizer.learning_rate", "training.batch_size"]  # the defaults
    d.rows[1].path.setText("optimizer.nope")
    qtbot.mouseClick(d.start_btn, Qt.MouseButton.LeftButton)
    assert "optimizer.nope" in d.problem.text() and "unknown field" in d.problem.text()
    assert not d.running and d.table.rowCount() == 0
    d.close()


@pytest.mark.slow
def test_a_sweep_from_the_dialog_finds_and_applies_the_best_trial(window, qtbot, tmp_path):
    w = window
    _lab(w, qtbot)
    w.runs.set_root(tmp_path)
    d = _open(w, qtbot)

    qtbot.mouseClick(d.rows[1].findChild(QToolButton), Qt.MouseButton.LeftButton)  # keep the learning rate only
    assert len(d.rows) == 1
    d.trials.setValue(3)
    d.metric_box.setCurrentText("loss")
    assert d.direction.currentText() == "minimize"
    qtbot.mouseClick(d.start_btn, Qt.MouseButton.LeftButton)
    assert d.running and not d.start_btn.isEnabled()
    qtbot.waitUntil(lambda: not d.running and len(d.results) == 3, timeout=300_000)
    assert d.table.rowCount() == 3 and {d.table.item(r, 1).text() for r in range(3)} == {"complete"}
    assert d.best_curve.getData()[0] is not None and len(d.best_curve.getData()[0]) == 3
    best = d.best()
    assert "best loss" in d.status.text()
    before = w.doc.view()["optimizer"]["learning_rate"]
    qtbot.mouseClick(d.use_btn, Qt.MouseButton.LeftButton)
    assert w.doc.view()["optimizer"]["learning_rate"] == pytest.approx(best.params["optimizer.learning_rate"])
    assert w.doc.view()["meta"]["title"] == "Optimisation lab"  # not the trial's title
    w.doc.undo_stack.undo()
    assert w.doc.view()["optimizer"]["learning_rate"] == before
    qtbot.mouseClick(d.best_btn, Qt.MouseButton.LeftButton)
    assert "Showing" in w.statusBar().currentMessage()
    d.close()
    w.runs.refresh()
    assert w.runs.count() == 3


@pytest.mark.slow
def test_cancel_stops_the_running_trial_cleanly(window, qtbot, tmp_path):
    w = window
    _lab(w, qtbot, epochs=400)
    w.runs.set_root(tmp_path)
    d = _open(w, qtbot)
    d.trials.setValue(5)
    qtbot.mouseClick(d.start_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "epoch" in d.status.text(), timeout=120_000)
    qtbot.mouseClick(d.cancel_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not d.running, timeout=120_000)
    assert [r.state for r in d.results] == ["interrupted"]
    assert d.status.text().startswith("Stopped")
    d.close()
