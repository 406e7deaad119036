"""Help ▸ Course shows the lessons in order with a tick for each goal a run in the runs folder met, and opens the
chosen one; Help ▸ Glossary filters its terms; after a lesson's run the headline says whether the goal was met."""

from __future__ import annotations

import copy
import shutil

from PySide6.QtWidgets import QApplication

from studio.core.presets import load_preset
from studio.core.runs import SUMMARY_FILE, create_run_dir, set_status, write_json_atomic
from studio.ui.gallery import PresetGallery
from studio.ui.help_menu import unsaved_runs_root
from studio.ui.result_headline import ResultHeadline


def lab_run(root, loss: float, epochs: int):
    spec = load_preset("optimization_lab").to_dict()
    spec["optimizer"]["learning_rate"] = 0.05
    spec["training"]["epochs"] = epochs
    run_dir = create_run_dir(root, copy.deepcopy(spec))
    write_json_atomic(run_dir / SUMMARY_FILE, {"metrics": {"train": {"loss": loss, "accuracy": 1.0}},
                                               "epochs_run": epochs, "params": 81, "seconds": 3.0})
    set_status(run_dir, "finished")
    return run_dir


def test_help_course_ticks_the_met_lesson_and_opens_the_chosen_one(window, qtbot, monkeypatch):
    root = unsaved_runs_root()  # where the runs of a lesson opened as a template go
    lab_run(root, 0.04, 50)
    seen = {}

    def exec_(gallery: PresetGallery) -> int:  # the user looks at the course, picks the CNN lesson, opens it
        seen["title"] = gallery.windowTitle()
        seen["tab"] = gallery.tabs.tabText(gallery.tabs.currentIndex())
        seen["rows"] = [gallery.course.item(i).text() for i in range(gallery.course.count())]
        seen["first"] = gallery.details.text()  # the next lesson to do is selected
        gallery.course.setCurrentRow(1)
        gallery.accept()
        return 1

    monkeypatch.setattr(PresetGallery, "exec", exec_)
    try:
        window.act_course.trigger()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert seen["title"] == "Course" and seen["tab"] == "Course (1 of 4 done)"
    assert seen["rows"][0].startswith("✔  1. The optimisation lab — Optimisation lab")
    assert "goal: train loss ≤ 0.05 in at most 50 epochs" in seen["rows"][0]
    assert seen["rows"][1].startswith("○  2. Exercise 19.1: CNN architectures")
    assert "with at most 60,000 parameters" in seen["rows"][1]
    assert "Exercise 19.1" in seen["first"] and "Not done yet" in seen["first"]
    assert "<code>model.\u200bblocks.\u200bdense_1.\u200bparams.\u200bunits</code>" in seen["first"]
    assert [b["type"] for b in window.doc.view()["model"]["blocks"]][1:3] == ["Conv2D", "MaxPooling2D"]
    assert window.doc.view()["lesson"]["id"] == "cnn_architectures"  # the lesson travels with the spec to its runs


def test_the_course_tab_shows_a_done_lesson_with_its_figure(qtbot, tmp_path):
    lab_run(tmp_path, 0.0377, 50)
    gallery = PresetGallery(runs_roots=[tmp_path], course=True)
    qtbot.addWidget(gallery)
    gallery.course.setCurrentRow(0)
    assert "✔ Done.</b> Lesson goal met: train loss 0.0377 ≤ 0.05 (50 epochs ≤ 50)" in gallery.details.text()
    gallery.tabs.setCurrentIndex(0)  # back to the presets: their details again
    assert gallery.windowTitle() == "New from preset" and "What it teaches" in gallery.details.text()


def test_help_glossary_filters_its_terms(window, qtbot):
    window.act_glossary.trigger()
    dialog = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "glossaryDialog")
    assert "Learning rate" in dialog.text.toPlainText() and "Dropout" in dialog.text.toPlainText()
    qtbot.keyClicks(dialog.filter, "learning rate")
    text = dialog.text.toPlainText()
    assert "Setting: optimizer.learning_rate" in text and "Dropout" not in text
    dialog.filter.setText("zzz")
    assert "No term mentions" in dialog.text.toPlainText()
    dialog.close()


def test_the_headline_says_whether_the_lessons_goal_was_met(qtbot, tmp_path):
    headline = ResultHeadline()
    qtbot.addWidget(headline)
    headline.show()
    headline.show_run(lab_run(tmp_path, 0.0377, 50), past=False)
    assert headline.lesson.isVisible()
    assert headline.lesson.text() == "✔ Lesson goal met: train loss 0.0377 ≤ 0.05 (50 epochs ≤ 50)"
    headline.show_run(lab_run(tmp_path, 0.22, 50), past=False)
    assert headline.lesson.text().startswith("✘ Lesson goal not met: train loss 0.22, the goal is ≤ 0.05\nHint: ")
    headline.show_run(create_run_dir(tmp_path, load_preset("mnist_cnn").to_dict()), past=True)
    assert not headline.lesson.isVisible()  # no lesson, no verdict


def test_a_lessons_locked_settings_are_greyed_and_its_hidden_ones_kept_away(window, qtbot):
    t = window.training_panel
    assert window.data_panel.source.isEnabled() and t.loss.isEnabled()
    window.doc.load_dict(load_preset("optimization_lab").to_dict(), None)  # locks data.source, training.loss
    assert not window.data_panel.source.isEnabled() and not t.loss.isEnabled()
    assert "Fixed by the lesson" in t.loss.toolTip() and t.epochs.isEnabled()
    assert not t.distribution.isVisibleTo(t)  # hidden: the lab has nothing to spread over devices
    window.doc.load_dict(load_preset("mnist_cnn").to_dict(), None)  # no lesson: all back
    assert window.data_panel.source.isEnabled() and t.loss.isEnabled() and "Fixed by" not in t.loss.toolTip()
    assert t.distribution.isVisibleTo(t)


def test_a_locked_field_of_a_form_rebuilt_for_other_data_is_let_go(window, qtbot):
    window.doc.load_dict(load_preset("sequence_gru").to_dict(), None)  # locks data.params.horizon
    horizon = window.data_panel.form.fields["horizon"]
    assert not horizon.isEnabled() and window.data_panel.form.fields["window"].isEnabled()
    window.doc.load_dict(load_preset("mnist_cnn").to_dict(), None)  # another source: that form is rebuilt
    assert window.data_panel.source.isEnabled()
