"""The coach beside the curves: a past run's coach.jsonl is shown with the run (or, without one, findings worked
out from its files, none written); a fix's Apply is one undoable edit; its links select the block and flash the
setting's field; and a live run's findings fork into a new run with the fix in its spec."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QToolButton, QWidget

from studio.core.coach.coach import read_coach, write_coach
from studio.core.coach.diagnosis import Change, Diagnosis, Fix
from studio.core.presets import load_preset
from studio.core.runs import SPEC_FILE, create_run_dir, set_status
from studio.jobs import devices

CLICK = Qt.MouseButton.LeftButton


def _coach(w):
    return w.results.view("curves").coach


def _button(w, name: str) -> QPushButton:
    found = _coach(w).findChild(QPushButton, name)
    assert found is not None, f"no button {name} in the coach panel"
    return found


def _past_run(root: Path, findings: list[Diagnosis] | None) -> str:
    """A finished regression_mlp run whose validation loss turns up after epoch 8 while the training loss falls."""
    run = create_run_dir(root, load_preset("regression_mlp").to_dict())
    rows = ["epoch,loss,val_loss,learning_rate,seconds"]
    rows += [f"{e},{1.0 / e:.4f},{0.5 + 0.02 * abs(e - 8):.4f},0.001,0.1" for e in range(1, 41)]
    (run / "metrics.csv").write_text("\n".join(rows) + "\n")
    if findings is not None:
        write_coach(run, findings)
    set_status(run, "finished")
    return str(run)


KEPT = Diagnosis("overfitting", "warning", 9, "kept evidence: val_loss 0.52 → 1.14", "Kept advice: regularise.",
                 blocks=["dense_1"], settings=["regularization.l2", "training.backend"],
                 fixes=[Fix("Raise the L2 penalty and halve the learning rate",
                            [Change("regularization.l2", 0.001), Change("optimizer.learning_rate", 0.0005)]),
                        Fix("Add Dropout(0.3) after dense_2",
                            [Change("model.blocks", {"type": "Dropout", "params": {"rate": 0.3}},
                                    insert_after="dense_2")])])


def test_a_past_runs_coach_jsonl_is_shown_with_the_run(window, qtbot, tmp_path):
    run = _past_run(tmp_path / "runs", [KEPT])
    coach = _coach(window)
    assert not coach.isVisible()  # nothing to say before any run
    window.show_run(run)
    qtbot.waitUntil(coach.isVisible, timeout=2000)
    cards = coach.cards_shown()
    assert [c.objectName() for c in cards] == ["coachCard_overfitting"]
    texts = " ".join(w.text() for kind in (QLabel, QToolButton) for w in cards[0].findChildren(kind))
    assert "Overfitting" in texts and "epoch 9" in texts and "Kept advice: regularise." in texts
    assert cards[0].toolTip() == KEPT.evidence  # the evidence on hover
    # the dropout fix changes the blocks: its fork starts from scratch, and says so (this run kept no model)
    assert "from scratch" in _button(window, "coachFork_overfitting_2").toolTip()
    # a setting no setup panel shows says so instead of pretending to flash something
    assert "No setup panel has a field" in _button(window, "coachSetting_overfitting_training.backend").toolTip()


def test_a_withdrawn_warning_is_shown_as_over_with_its_span(window, qtbot, tmp_path):
    withdrawn = Diagnosis("overfitting", "info", 9, "val up; Withdrawn at epoch 14: the last 3 epochs no longer "
                          "show it.", "Kept advice.", resolved=14)
    window.show_run(_past_run(tmp_path / "runs", [withdrawn]))
    coach = _coach(window)
    qtbot.waitUntil(coach.isVisible, timeout=2000)
    [card] = coach.cards_shown()
    texts = " ".join(w.text() for kind in (QLabel, QToolButton) for w in card.findChildren(kind))
    assert "Overfitting (withdrawn)" in texts and "epoch 9–14" in texts


def test_a_past_run_without_coach_jsonl_gets_findings_from_its_files_and_keeps_the_run_as_it_was(window, qtbot,
                                                                                                 tmp_path):
    run = _past_run(tmp_path / "runs", None)
    before = sorted(p.name for p in Path(run).iterdir())
    window.show_run(run)
    coach = _coach(window)
    qtbot.waitUntil(lambda: [c.objectName() for c in coach.cards_shown()] == ["coachCard_overfitting"],
                    timeout=5000)
    assert sorted(p.name for p in Path(run).iterdir()) == before  # no coach.jsonl written into a past run


def test_apply_is_one_undoable_edit_and_the_links_show_block_and_field(window, qtbot, tmp_path):
    window.doc.load_dict(load_preset("regression_mlp").to_dict(), None)
    run = _past_run(tmp_path / "runs", [KEPT])
    window.show_run(run)
    coach = _coach(window)
    qtbot.waitUntil(coach.isVisible, timeout=2000)
    before, steps = window.doc.spec, window.doc.undo_stack.count()

    qtbot.mouseClick(_button(window, "coachApply_overfitting_1"), CLICK)
    after = window.doc.view()
    assert after["regularization"]["l2"] == 0.001 and after["optimizer"]["learning_rate"] == 0.0005
    assert window.doc.undo_stack.count() == steps + 1  # two changes, one step
    window.act_undo.trigger()
    assert window.doc.spec == before

    qtbot.mouseClick(_button(window, "coachApply_overfitting_2"), CLICK)
    assert [b["type"] for b in window.doc.view()["model"]["blocks"]].count("Dropout") == 2
    window.act_undo.trigger()
    assert window.doc.spec == before

    qtbot.mouseClick(_button(window, "coachBlock_overfitting_dense_1"), CLICK)
    assert window.model_tabs.currentWidget() is window.graph
    assert [bid for bid, node in window.graph.nodes.items() if node.isSelected()] == ["dense_1"]
    assert window.editor.selected_ids() == ["dense_1"]

    qtbot.mouseClick(_button(window, "coachSetting_overfitting_regularization.l2"), CLICK)
    tabs = window.setup_tabs
    assert tabs.tabText(tabs.currentIndex()) == "Regularization"
    field = window.regularization_panel.form.fields["l2"]
    assert field.property("coachFlash") is True and field.isVisibleTo(window.regularization_panel)
    qtbot.waitUntil(lambda: field.property("coachFlash") is False, timeout=4000)  # the flash ends by itself


def test_apply_refuses_a_fix_that_does_not_fit_the_project_and_changes_nothing(window, qtbot, tmp_path):
    window.doc.load_dict(load_preset("optimization_lab").to_dict(), None)  # no dense_9 in it
    kept = Diagnosis("overfitting", "warning", 9, "e", "a",
                     fixes=[Fix("Add Dropout after dense_9", [Change("model.blocks", {"type": "Dropout"},
                                                                     insert_after="dense_9")])])
    window.show_run(_past_run(tmp_path / "runs", [kept]))
    coach = _coach(window)
    qtbot.waitUntil(coach.isVisible, timeout=2000)
    before, steps = window.doc.spec, window.doc.undo_stack.count()
    qtbot.mouseClick(_button(window, "coachApply_overfitting_1"), CLICK)
    assert window.doc.spec == before and window.doc.undo_stack.count() == steps
    note = coach.findChild(QLabel, "coachNote")
    assert note.isVisible() and "dense_9" in note.text()


@pytest.mark.slow
@pytest.mark.skipif("jax" not in devices.installed_backends(), reason="the lab trains on jax in seconds")
def test_a_live_runs_finding_forks_a_run_with_the_fix_from_its_weights(window, qtbot, tmp_path):
    spec = load_preset("optimization_lab")
    spec.training.backend, spec.training.epochs = "jax", 20
    spec.optimizer.name, spec.optimizer.learning_rate, spec.optimizer.weight_decay = "sgd", 10.0, None
    window.doc.load_dict(spec.to_dict(), None)
    coach = _coach(window)
    with qtbot.waitSignal(window.bridge.ended, timeout=60_000):
        window.train()
        qtbot.waitUntil(lambda: "coachCard_lr_too_high" in [c.objectName() for c in coach.cards_shown()],
                        timeout=60_000)  # told while it trains …
        assert not _button(window, "coachFork_lr_too_high_1").isEnabled()  # … a fork waits for the run's end
    qtbot.waitUntil(lambda: window.bridge.reaped, timeout=20_000)
    first = str(window.bridge.run_dir)
    unfold = coach.findChild(QToolButton, "coachExpand_lr_too_high")  # later findings may have come on top
    if not unfold.isChecked():
        qtbot.mouseClick(unfold, CLICK)
    assert "lr_too_high" in [d.kind for d in read_coach(first)]  # kept in the run directory
    fork = _button(window, "coachFork_lr_too_high_1")
    qtbot.waitUntil(fork.isEnabled, timeout=2000)
    assert "continuing from this run's weights (model.keras)" in fork.toolTip()
    with qtbot.waitSignal(window.bridge.ended, timeout=60_000):
        qtbot.mouseClick(fork, CLICK)
        assert window.bridge.running
    qtbot.waitUntil(lambda: window.bridge.reaped, timeout=20_000)
    second = str(window.bridge.run_dir)
    assert second != first
    forked = json.loads((Path(second) / SPEC_FILE).read_text())
    assert forked["optimizer"]["learning_rate"] == 1.0  # the fix: 10 → 1
    assert forked["training"]["initial_model"] == str(Path(first) / "model.keras")
    assert window.doc.view()["optimizer"]["learning_rate"] == 10.0  # a fork leaves the project as it was


def test_the_curves_tab_counts_the_findings_so_they_are_seen_from_other_tabs(window, qtbot, tmp_path):
    told, quiet = _past_run(tmp_path / "runs", [KEPT]), _past_run(tmp_path / "runs", [])
    tabs = window.result_tabs

    def badge() -> str:
        return tabs.tabText(tabs.indexOf(window.results.view("curves")))

    window.show_run(told)
    qtbot.waitUntil(lambda: badge() == "Curves ● 1", timeout=2000)
    window.show_run(quiet)  # its coach found nothing (an empty coach.jsonl): no badge, no panel, nothing redone
    window.background.pool.waitForDone(5000)
    qtbot.wait(50)
    assert badge() == "Curves" and not _coach(window).isVisible()
    window.show_run(told)
    qtbot.waitUntil(lambda: badge() == "Curves ● 1", timeout=2000)
    window.compare_runs([told, quiet])  # runs compared: no one run's advice beside them
    assert badge() == "Curves" and not _coach(window).isVisible()


@pytest.mark.parametrize(("path", "tab"), [
    ("optimizer.learning_rate", "Optimizer"), ("optimizer.clipnorm", "Optimizer"),
    ("optimizer.reduce_on_plateau", "Optimizer"), ("regularization.l2", "Regularization"),
    ("regularization.early_stopping", "Regularization"), ("training.epochs", "Training"),
    ("training.metrics", "Training"), ("data.normalize", "Data"), ("data.validation_split", "Training"),
])
def test_every_setting_the_coach_names_is_found_and_shown_in_its_tab(window, qtbot, path, tab):
    window.doc.load_dict(load_preset("regression_mlp").to_dict(), None)
    tabs = window.setup_tabs
    assert window.results.links.where_is(path) == f"Setup ▸ {tab}"
    window.results.links.show_setting.emit(path)
    assert tabs.tabText(tabs.currentIndex()) == tab
    flashed = [w for w in tabs.currentWidget().findChildren(QWidget) if w.property("coachFlash") is True]
    assert len(flashed) == 1 and flashed[0].isVisibleTo(tabs.currentWidget())  # unfolded if it was advanced
    qtbot.waitUntil(lambda: flashed[0].property("coachFlash") is False, timeout=4000)


def test_a_setting_no_panel_shows_is_said_so(window):
    assert window.results.links.where_is("training.backend") is None  # the toolbar's picker, not a setup tab
    assert window.results.links.where_is("model.outputs") is None
