"""Model editing: reorder by drag and drop, palette drops, copy/paste, duplicate, enable/disable, one-click
fixes, graph connections, forms refusing bad values, undo merging, autosave recovery, unsaved prompt."""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox, QPushButton

from tests.ui.conftest import close_window
from studio.core.params import Param
from studio.core import model_edits
from studio.ui.forms import ParamField
from studio.ui.model_editor import ROWS_MIME
from studio.ui.palette import BLOCK_MIME


def ids(w):
    return [b["id"] for b in w.doc.view()["model"]["blocks"]]


def build(w, *types):
    for t in types:
        w.editor.add_block(t)


def drop(w, mime: QMimeData, row: int) -> None:
    tree = w.editor.tree
    rect = tree.visualItemRect(tree.topLevelItem(row))
    pos = QPointF(rect.center().x(), rect.top() + 2)
    event = QDropEvent(pos, Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    tree.dropEvent(event)


def test_drag_reorder_and_palette_drop(window):
    w = window
    build(w, "Input", "Dense", "Dropout", "Dense")
    mime = QMimeData()
    mime.setData(ROWS_MIME, json.dumps(["dropout_1"]).encode())
    drop(w, mime, 1)  # above dense_1
    assert ids(w) == ["input_1", "dropout_1", "dense_1", "dense_2"]
    mime = QMimeData()
    mime.setData(BLOCK_MIME, b"BatchNormalization")
    drop(w, mime, 2)
    assert ids(w) == ["input_1", "dropout_1", "batch_normalization_1", "dense_1", "dense_2"]
    w.doc.undo_stack.undo()
    w.doc.undo_stack.undo()
    assert ids(w) == ["input_1", "dense_1", "dropout_1", "dense_2"]


def test_copy_paste_duplicate_toggle_delete(window):
    w = window
    build(w, "Input", "Dense", "Dense")
    w.editor.select(["dense_1"])
    w.editor.actions_by_name["copy"].trigger()
    w.editor.actions_by_name["paste"].trigger()
    assert ids(w) == ["input_1", "dense_1", "dense_3", "dense_2"]
    w.editor.actions_by_name["duplicate"].trigger()
    assert ids(w) == ["input_1", "dense_1", "dense_3", "dense_4", "dense_2"]
    w.editor.select(["dense_4"])
    w.editor.actions_by_name["toggle"].trigger()
    assert w.doc.view()["model"]["blocks"][3]["enabled"] is False
    assert w.editor.tree.topLevelItem(3).text(2) == "(disabled)"
    w.editor.actions_by_name["delete"].trigger()
    assert ids(w) == ["input_1", "dense_1", "dense_3", "dense_2"]
    w.editor.select(["input_1"])
    w.editor.actions_by_name["down"].trigger()  # an Input may move: the check marks the Dense above it
    assert ids(w)[:2] == ["dense_1", "input_1"]
    assert w.checker.report.by_id()["dense_1"].error


def test_one_click_fix(window, qtbot):
    w = window
    build(w, "Input", "Dense")  # 64 units, but the data has two classes
    button = w.editor.footer.findChild(QPushButton, "fix_dense_1")
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert w.doc.view()["model"]["blocks"][1]["params"]["units"] in (1, 2)
    assert w.checker.report.ok


def test_graph_connections(window):
    w = window
    build(w, "Input", "Dense", "Dense", "Add")
    w.graph.connect_blocks("dense_1", "add_1")
    assert model_edits.effective_inputs(w.doc.view(), "add_1") == ["dense_2", "dense_1"]
    assert not w.checker.report.by_id()["add_1"].error
    assert len(w.graph.edges) == 4
    w.graph.connect_blocks("add_1", "dense_1")  # backwards: refused with a message
    assert "comes after" in w.statusBar().currentMessage()
    w.graph.disconnect_blocks("dense_1", "add_1")
    assert "needs two or more inputs" in w.checker.report.by_id()["add_1"].error


def test_form_refuses_and_undo_merges(window, qtbot):
    w = window
    build(w, "Input", "Dropout")
    w.editor.select(["dropout_1"])
    w.editor.selection_changed.emit(["dropout_1"])
    rate = w.inspector.form.fields["rate"]
    count = w.doc.undo_stack.count()
    for v in (0.2, 0.3, 0.4):  # a spin box being dragged: one undo step
        rate.widget.setValue(v)
    assert w.doc.undo_stack.count() == count + 1
    assert w.doc.view()["model"]["blocks"][1]["params"]["rate"] == 0.4
    # exclusive maximum: 1.0 is in the spin range but the catalogue refuses it, with its message
    rate.widget.setValue(1.0)
    assert "expected a float in [0, 1)" in w.inspector.error.text()
    assert w.doc.view()["model"]["blocks"][1]["params"]["rate"] == 0.4
    assert rate.widget.value() == 0.4
    w.doc.undo_stack.undo()
    assert "rate" not in w.doc.view()["model"]["blocks"][1]["params"]


def test_param_field_kinds(qtbot):
    f = ParamField(Param("kernel_size", "ints", [3, 3], "window", minimum=1, length=2), [3, 3])
    qtbot.addWidget(f)
    got, refused = [], []
    f.committed.connect(got.append)
    f.refused.connect(refused.append)
    f.widget.setText("5, 5")
    f.widget.editingFinished.emit()
    f.widget.setText("5, 0")
    f.widget.editingFinished.emit()
    assert got == [[5, 5]] and refused and "length 2" in refused[0]
    assert f.widget.text() == "5, 5"  # the last good value is put back


def test_autosave_and_recovery(window, qtbot, dialogs, tmp_path):
    w = window
    build(w, "Input", "Dense")
    w.doc.autosave()
    assert w.doc.autosave_path().exists()
    from studio.ui.main_window import MainWindow

    other = MainWindow(probe_devices=False, autosave_dir=w.doc.autosave_path().parent)
    try:
        dialogs.answers["question"] = QMessageBox.StandardButton.Yes
        assert other.offer_recovery()
        assert ids(other) == ["input_1", "dense_1"] and other.doc.dirty
    finally:
        close_window(other, qtbot)


def test_unsaved_changes_prompt(window, dialogs):
    w = window
    build(w, "Input")
    dialogs.answers["question"] = QMessageBox.StandardButton.Cancel
    w.new_project()
    assert ids(w) == ["input_1"] and dialogs[-1][0] == "question"
    dialogs.answers["question"] = QMessageBox.StandardButton.Discard
    w.new_project()
    assert ids(w) == []


def test_bad_file_gives_message(window, dialogs, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"model": {"blocks": [{"id": "a", "type": "Dense", "params": {"units": 0}}]}}')
    assert not window.open_file(bad)
    kind, text = dialogs[-1]
    assert kind == "warning" and "units" in text and "Traceback" not in text


def test_palette_search(window):
    p = window.block_palette
    p.search.setText("pool 2d")
    shown = [p.tree.topLevelItem(i).child(j).text(0) for i in range(p.tree.topLevelItemCount())
             for j in range(p.tree.topLevelItem(i).childCount()) if not p.tree.topLevelItem(i).child(j).isHidden()]
    assert shown and all("Pooling2D" in s for s in shown)


def test_rename_a_block_in_the_inspector_keeps_its_connections(window, qtbot):
    w = window
    build(w, "Input", "Dense", "Dense", "Add")
    w.graph.connect_blocks("dense_1", "add_1")
    w.editor.select(["dense_1"])
    qtbot.waitUntil(lambda: w.inspector.block_id == "dense_1", timeout=2000)
    # a name Keras would refuse is explained and not applied
    w.inspector.name.setText("hidden layer")
    w.inspector.name.editingFinished.emit()
    assert "cannot be a block name" in w.inspector.error.text() and "dense_1" in ids(w)
    # a name taken by another block: the document refuses it with the spec's reason
    w.inspector.name.setText("dense_2")
    w.inspector.name.editingFinished.emit()
    assert "unique" in w.inspector.error.text() and ids(w).count("dense_2") == 1
    # a good name: the block, its connection into add_1, the selection and undo all follow
    w.inspector.name.setText("hidden")
    w.inspector.name.editingFinished.emit()
    assert ids(w) == ["input_1", "hidden", "dense_2", "add_1"]
    assert "hidden" in model_edits.effective_inputs(w.doc.view(), "add_1")
    assert w.editor.selected_ids() == ["hidden"] and w.inspector.block_id == "hidden"
    assert not w.checker.report.by_id()["add_1"].error
    w.doc.undo_stack.undo()
    assert ids(w)[1] == "dense_1" and "dense_1" in model_edits.effective_inputs(w.doc.view(), "add_1")


def test_a_new_project_shows_how_to_begin_not_an_error(window):
    from PySide6.QtWidgets import QLabel

    w = window
    w.new_project()
    texts = [label.text() for label in w.editor.problems.findChildren(QLabel)]
    assert any("Start with an Input block" in t for t in texts)
    assert "problem" not in w.editor.totals.text() and "problem" not in w.status_totals.text()
    build(w, "Input", "Dense", "Conv2D")  # a real misfit (Conv2D fed 2-D data) is still counted
    assert "1 problem" in w.editor.totals.text() and "1 problem" in w.status_totals.text()
