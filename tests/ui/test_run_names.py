"""Runs named by what the user changed, renamed from the Runs panel, and listed without a sideways scroll."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from studio.core.presets import list_presets, load_preset
from studio.core.runs import create_run_dir, set_status
from studio.jobs.devices import installed_backends

FAST = [b for b in ("jax", "tensorflow", "torch") if b in installed_backends()]


def type_into(qtbot, widget, text: str) -> None:
    line = widget.lineEdit() if hasattr(widget, "lineEdit") and widget.lineEdit() else widget
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)


def choose(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data) if combo.findData(data) >= 0 else combo.findText(data))
    combo.activated.emit(combo.currentIndex())


@pytest.mark.slow
@pytest.mark.skipif(not FAST, reason="no backend installed")
def test_a_run_is_titled_by_what_differs_from_the_preset(qtbot, window, tmp_path):
    w = window
    lab = next(p for p in list_presets() if p.name == "optimization_lab")
    assert w.open_file(lab.path, as_template=True)
    choose(w.optimizer_panel.name, "sgd")
    type_into(qtbot, w.optimizer_panel.common.fields["learning_rate"].widget, "0.05")
    w.setup_tabs.setCurrentIndex(4)
    type_into(qtbot, w.training_panel.epochs, "3")
    choose(w.training_panel.backend, FAST[0])
    assert w.doc.view()["optimizer"]["name"] == "sgd"
    with qtbot.waitSignal(w.bridge.ended, timeout=120_000):
        w.act_train.trigger()
    qtbot.waitUntil(lambda: w.bridge.reaped, timeout=20_000)
    w.runs.refresh()
    title = w.runs.tree.topLevelItem(0).text(0).split("\n")[0]
    assert title == "Optimisation lab — sgd, lr 0.05, 3 epochs"
    run_dir = w.runs.tree.topLevelItem(0).data(0, Qt.ItemDataRole.UserRole)
    assert json.loads(Path(run_dir, "spec.json").read_text())["meta"]["title"] == title  # kept with the run


def test_rename_a_run_from_the_runs_panel(qtbot, window, tmp_path, monkeypatch):
    w = window
    run = create_run_dir(tmp_path, load_preset("optimizer_sgd").to_dict())
    set_status(run, "finished")
    w.runs.set_root(tmp_path)
    w.docks["Runs"].raise_()
    tree = w.runs.tree
    tree.setCurrentItem(tree.topLevelItem(0))
    tree.setFocus()
    asked = []

    def answer(_parent, _title, _label, _mode, text, *a, **k):
        asked.append(text)
        return "Plain SGD, first try", True

    monkeypatch.setattr(QInputDialog, "getText", answer)
    qtbot.keyClick(tree, Qt.Key.Key_F2)
    assert asked == ["Optimizer comparison: plain SGD"]
    assert tree.topLevelItem(0).text(0).startswith("Plain SGD, first try\n")
    assert json.loads((run / "spec.json").read_text())["meta"]["title"] == "Plain SGD, first try"
    assert "Rename…" in [a.text() for a in tree.actions()]  # also in the context menu


def test_runs_list_shows_title_and_result_without_a_sideways_scroll(qtbot, window, tmp_path):
    w = window
    spec = load_preset("optimizer_momentum").to_dict()
    spec["meta"]["title"] = "Optimizer comparison: SGD with momentum — lr 0.05, batch 16, 40 epochs"
    run = create_run_dir(tmp_path, spec)
    (run / "summary.json").write_text(json.dumps({"metrics": {"validation": {"accuracy": 0.9722, "loss": 0.0871}}}))
    set_status(run, "finished")
    w.runs.set_root(tmp_path)
    w.docks["Runs"].raise_()
    qtbot.waitUntil(lambda: w.runs.tree.isVisible(), timeout=2000)
    tree = w.runs.tree
    text = tree.topLevelItem(0).text(0)
    title, facts = text.split("\n")
    assert title.startswith("Optimizer comparison") and "finished" in facts and "accuracy 0.972" in facts
    assert not tree.horizontalScrollBar().isVisible()
    assert tree.columnCount() == 1
    assert text.split("\n")[0] in tree.topLevelItem(0).toolTip(0)  # the whole title, when the row elides it
