"""The first hour: a model built by hand from an empty window, repaired with the app's own one-click fixes,
must end in a head that fits the data and the loss (units AND activation), and misfits further up must offer
their fixes and leave the blocks below them saying what they wait for."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from studio.core.head_fit import resolve_loss
from tests.ui.test_flow import palette_add, row_texts


def fix_buttons(w, block_id: str) -> list[QPushButton]:
    names = (f"fix_{block_id}", f"fix_{block_id}_")
    buttons = [b for b in w.editor.footer.findChildren(QPushButton)  # under the graph and the layer list alike
               if b.isVisible() and (b.objectName() == names[0] or b.objectName().startswith(names[1]))]
    return sorted(buttons, key=lambda b: b.objectName())


def head(w) -> dict:
    return w.doc.view()["model"]["blocks"][-1]


@pytest.mark.parametrize("choice", [0, 1])
def test_input_dense_dropout_dense_from_an_empty_window_is_fixed_into_a_head_that_fits(qtbot, window, choice):
    w = window
    assert w.doc.view()["model"]["blocks"] == []
    data = w.checker.data_shape
    assert data.task == "classification" and data.num_classes == 2 and w.doc.view()["training"]["loss"] == "auto"
    for block in ("Input", "Dense", "Dropout", "Dense"):
        palette_add(qtbot, w, block)
    assert [r[0].split()[0] for r in row_texts(w)] == ["Input", "Dense", "Dropout", "Dense"]
    head_id = head(w)["id"]
    assert w.checker.report.by_id()[head_id].error  # 64 relu units cannot classify two classes

    qtbot.waitUntil(lambda: bool(fix_buttons(w, head_id)))  # the rows follow the checker's report

    buttons = fix_buttons(w, head_id)
    assert len(buttons) == (2 if choice else len(buttons)), [b.text() for b in buttons]  # 2 softmax or 1 sigmoid
    qtbot.mouseClick(buttons[choice], Qt.MouseButton.LeftButton)  # 0: the app's first offer

    params = head(w)["params"]
    loss = resolve_loss("auto", "classification", 2, params["units"])
    assert (params["units"], params.get("activation", "relu"), loss) in (
        (2, "softmax", "sparse_categorical_crossentropy"), (1, "sigmoid", "binary_crossentropy"))
    assert w.checker.report.ok, w.checker.report.errors()
    assert not fix_buttons(w, head_id)
    w.doc.undo_stack.undo()  # one undoable step
    assert head(w)["params"].get("units") is None and w.checker.report.by_id()[head_id].error


def test_the_labs_head_under_the_wrong_loss_can_be_fixed_either_way(qtbot, window, tmp_path):
    w = window
    project = tmp_path / "lab.json"
    spec = json.loads((__import__("studio.core.presets", fromlist=["presets_dir"]).presets_dir()
                       / "optimization_lab.json").read_text())
    spec["model"]["blocks"][-1]["params"].update(units=2, activation="softmax")
    project.write_text(json.dumps(spec))
    assert w.open_file(project)
    w.checker.wait_data()
    head_id = head(w)["id"]
    assert "the loss binary_crossentropy" in w.checker.report.by_id()[head_id].error
    qtbot.waitUntil(lambda: bool(fix_buttons(w, head_id)))  # the rows follow the checker's report
    buttons = fix_buttons(w, head_id)
    assert [b.text() for b in buttons] == ["Set units to 1 and activation to sigmoid",
                                           "Use loss sparse_categorical_crossentropy"]
    qtbot.mouseClick(buttons[1], Qt.MouseButton.LeftButton)
    assert w.doc.view()["training"]["loss"] == "sparse_categorical_crossentropy"
    assert w.checker.report.ok, w.checker.report.errors()


def test_conv2d_after_flatten_offers_its_fixes_and_the_blocks_below_wait_for_it(qtbot, window, tmp_path):
    w = window
    project = tmp_path / "digits.json"
    project.write_text(json.dumps({"data": {"source": "digits"}, "model": {"blocks": [
        {"id": "x", "type": "Input", "params": {"shape": [8, 8, 1]}}, {"id": "flat", "type": "Flatten"},
        {"id": "conv", "type": "Conv2D", "params": {"filters": 4}}, {"id": "gap", "type": "GlobalAveragePooling2D"},
        {"id": "out", "type": "Dense", "params": {"units": 10, "activation": "softmax"}}]}}))
    assert w.open_file(project)
    w.checker.wait_data()
    rows = row_texts(w)
    assert rows[0][1] == "8×8×1" and rows[1][1] == "64"  # shapes read as people write them
    assert [r[1] for r in rows[3:]] == ["waiting for conv", "waiting for conv"]
    qtbot.waitUntil(lambda: bool(fix_buttons(w, "conv")))  # the rows follow the checker's report
    buttons = fix_buttons(w, "conv")
    assert [b.text() for b in buttons] == ["Move it before flat", "Insert Reshape to 8×8×1", "Remove it"]
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    assert [b["id"] for b in w.doc.view()["model"]["blocks"]] == ["x", "conv", "flat", "gap", "out"]
    assert row_texts(w)[1][1] == "6×6×4"
