"""The whole flow as a user would: from an empty window, build a model from the palette, set parameters,
see shapes, train on tiny data in a child, watch points arrive, stop, save, reopen, undo and redo."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from studio.core import events as ev
from studio.core.spec import load_spec
from studio.jobs.devices import installed_backends

FAST = [b for b in ("jax", "tensorflow", "torch") if b in installed_backends()]


def palette_add(qtbot, window, block_type: str) -> None:
    """Double-click the block in the palette, as a user does."""
    item = window.block_palette.item_for(block_type)
    tree = window.block_palette.tree
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def row_texts(window) -> list[tuple[str, str, str]]:
    tree = window.editor.tree
    return [(tree.topLevelItem(i).text(1), tree.topLevelItem(i).text(2), tree.topLevelItem(i).text(3))
            for i in range(tree.topLevelItemCount())]


def type_into(qtbot, widget, text: str) -> None:
    line = widget.lineEdit() if hasattr(widget, "lineEdit") and widget.lineEdit() else widget
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)


@pytest.mark.slow
@pytest.mark.skipif(not FAST, reason="no backend installed")
def test_build_train_stop_save_reopen_undo(qtbot, window, tmp_path, monkeypatch):
    w = window
    assert w.doc.view()["model"]["blocks"] == []
    assert "empty" in w.editor.problems.findChild(type(w.editor.totals)).text() or w.checker.report.problems

    # ---- build from the palette
    palette_add(qtbot, w, "Input")
    palette_add(qtbot, w, "Dense")
    palette_add(qtbot, w, "Dense")
    rows = row_texts(w)
    assert [r[0].split()[0] for r in rows] == ["Input", "Dense", "Dense"]
    assert rows[0][1] == "2"  # the Input took the data's sample shape
    assert rows[1][1] == "64" and rows[1][2] == "192"
    # the head does not fit two classes: marked inline, with a one-click fix
    assert w.checker.report.blocks[2].error
    fix = w.editor.footer.findChild(type(w.controls.train), "fix_dense_2")
    assert fix is not None and "units" in fix.text()

    # ---- set parameters in the inspector
    w.editor.select(["dense_1"])
    w.editor.selection_changed.emit(["dense_1"])
    units = w.inspector.form.fields["units"].widget
    type_into(qtbot, units, "8")
    assert row_texts(w)[1][1:] == ("8", "24")
    w.editor.select(["dense_2"])
    w.editor.selection_changed.emit(["dense_2"])
    type_into(qtbot, w.inspector.form.fields["units"].widget, "1")
    act = w.inspector.form.fields["activation"].widget
    act.setCurrentIndex(act.findData("sigmoid"))
    act.activated.emit(act.currentIndex())
    assert row_texts(w)[2][1:] == ("1", "9")
    assert w.checker.report.ok
    assert "33" in w.editor.totals.text()
    # a bad value is refused with the catalogue's message, and the spec keeps the good one
    l2 = w.inspector.form.fields["kernel_l2"].widget
    type_into(qtbot, l2, "-1")
    assert w.inspector.error.isVisible() and "Invalid value for `kernel_l2`" in w.inspector.error.text()
    assert "kernel_l2" not in w.doc.view()["model"]["blocks"][2]["params"]

    # ---- training setup, then save (so the runs go next to the project)
    w.setup_tabs.setCurrentIndex(4)
    type_into(qtbot, w.training_panel.epochs, "500")
    type_into(qtbot, w.training_panel.batch, "2")
    backend = w.training_panel.backend
    backend.setCurrentIndex(backend.findData(FAST[0]))
    backend.activated.emit(backend.currentIndex())
    assert w.doc.view()["training"] == {**w.doc.view()["training"], "epochs": 500, "batch_size": 2,
                                        "backend": FAST[0]}
    project = tmp_path / "project" / "lab.json"
    project.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(project), ""))
    w.act_save.trigger()
    assert project.exists() and not w.doc.dirty
    assert load_spec(project).training.epochs == 500

    # ---- train: points arrive, then stop
    with qtbot.waitSignal(w.bridge.epoch, timeout=120_000):
        qtbot.mouseClick(w.controls.train, Qt.MouseButton.LeftButton)
    assert not w.controls.train.isEnabled() and w.controls.stop.isEnabled()
    qtbot.waitUntil(lambda: w.plots.point_count()["loss.raw"] > 0 and w.plots.point_count()["loss.val"] >= 0,
                    timeout=5000)
    w.plots.redraw()
    x, y = w.plots.plots["loss"].curves["raw"].getData()
    assert x is not None and len(x) > 0
    assert w.plots.point_count()["learning_rate.lr"] >= 1
    qtbot.waitUntil(lambda: "epoch" in w.controls.progress.format(), timeout=1000)  # shown at most every 100 ms
    with qtbot.waitSignal(w.bridge.ended, timeout=60_000) as ended:
        qtbot.mouseClick(w.controls.stop, Qt.MouseButton.LeftButton)
    assert isinstance(ended.args[0], ev.Stopped), ended.args[0]
    assert w.controls.train.isEnabled()
    qtbot.waitUntil(lambda: w.bridge.reaped, timeout=20_000)

    # ---- the run is listed next to the project and its curves can be shown again
    w.runs.refresh()
    assert w.runs.count() == 1
    run_dir = w.runs.tree.topLevelItem(0).data(0, Qt.ItemDataRole.UserRole)
    assert run_dir.startswith(str(project.parent / "runs"))
    w.plots.setup(["loss"])
    w.show_run(run_dir)
    assert w.plots.point_count()["loss.raw"] > 0

    # ---- reopen: same model; then undo and redo an edit
    w.new_project()
    assert w.doc.view()["model"]["blocks"] == []
    assert w.open_file(project)
    assert [r[0].split()[0] for r in row_texts(w)] == ["Input", "Dense", "Dense"]
    assert row_texts(w)[1][1] == "8"
    w.editor.select(["dense_1"])
    w.editor.selection_changed.emit(["dense_1"])
    type_into(qtbot, w.inspector.form.fields["units"].widget, "16")
    assert row_texts(w)[1][1] == "16" and w.doc.dirty
    w.act_undo.trigger()
    assert row_texts(w)[1][1] == "8" and not w.doc.dirty
    assert w.inspector.form.fields["units"].widget.value() == 8  # the inspector follows the undo
    w.act_redo.trigger()
    assert row_texts(w)[1][1] == "16"
    assert json.loads(project.read_text())["model"]["blocks"][1]["params"]["units"] == 8  # not saved yet
