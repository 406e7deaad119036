"""After a training the run's evaluation sits beside its curves, Try it answers from the trained model, and
Export is offered; the preset gallery opens a preset as a new project."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog

from studio.core import events as ev
from studio.core.presets import load_preset
from studio.jobs.devices import installed_backends


@pytest.mark.slow
def test_a_finished_run_is_evaluated_tried_and_exportable(qtbot, window, monkeypatch):
    w = window
    spec = load_preset("optimization_lab")
    spec.training.epochs = 30
    spec.training.backend = "jax" if "jax" in installed_backends() else installed_backends()[0]
    w.doc.load_dict(spec.to_dict(), None)
    w.checker.wait_data()
    assert not w.act_export.isEnabled()
    with qtbot.waitSignal(w.bridge.ended, timeout=180_000) as ended:
        w.train()
    assert isinstance(ended.args[0], ev.Finished), ended.args[0]
    # the evaluation written by the engine is shown without another child
    qtbot.waitUntil(lambda: w.evaluation.table.rowCount() > 0, timeout=10_000)
    rows = [w.evaluation.table.verticalHeaderItem(r).text() for r in range(w.evaluation.table.rowCount())]
    assert rows[-2:] == ["macro avg", "weighted avg"] and len(rows) == 4  # two classes, then the averages
    assert "accuracy" in w.evaluation.overall.text()
    assert w.act_export.isEnabled() and w.act_evaluate.isEnabled()
    # Try it loads the model in its own child only when opened, and answers
    w.result_tabs.setCurrentWidget(w.try_it)  # by the widget: a new result view may move its position
    qtbot.waitUntil(lambda: w.try_it.ready, timeout=120_000)
    with qtbot.waitSignal(w.try_it.answered, timeout=60_000) as answer:
        w.try_it.predict(w.try_it.form_values())
    assert answer.args[0].shape[-1] == 1 and 0.0 <= float(answer.args[0].ravel()[0]) <= 1.0

    # a .keras file evaluated on the project's data (safe mode, in a child), shown in the Evaluation tab
    run_dir = ended.args[0].run_dir
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (f"{run_dir}/model.keras", ""))
    with qtbot.waitSignal(w.evaluation.evaluated, timeout=120_000) as evaluated:
        w.act_evaluate_file.trigger()
    assert evaluated.args[0]["task"] == "classification" and w.result_tabs.currentWidget() is w.evaluation

    # continue training from the run: the Runs panel sets where the next training starts, Training shows it
    w.runs.refresh()
    w.runs.tree.setCurrentItem(w.runs.tree.topLevelItem(0))
    w.runs.continue_btn.click()
    assert w.doc.view()["training"]["initial_model"] == f"{run_dir}/model.keras"
    assert "model.keras" in w.training_panel.start_from.text() and w.training_panel.start_clear.isEnabled()
    w.training_panel.start_clear.click()
    assert w.doc.view()["training"]["initial_model"] is None
    w.doc.undo_stack.undo()  # one undoable edit each
    assert w.doc.view()["training"]["initial_model"] == f"{run_dir}/model.keras"
