"""The run table, opened from the Runs dock: sort, filter, tag, compare, export and delete runs."""

from __future__ import annotations

import csv
import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from studio.core.runs import create_run_dir, set_status, write_json_atomic


def _run(root, title: str, lr: float, losses: list[float], test_acc: float):
    path = create_run_dir(root, {"version": 1, "meta": {"title": title},
                                 "optimizer": {"name": "adam", "learning_rate": lr}})
    rows = ["epoch,accuracy,loss,val_accuracy,val_loss,learning_rate,seconds"]
    rows += [f"{i + 1},{0.5 + i / 10},{v},{0.4 + i / 10},{v * 1.1},{lr},0.1" for i, v in enumerate(losses)]
    (path / "metrics.csv").write_text("\n".join(rows) + "\n")
    write_json_atomic(path / "summary.json", {"metrics": {"validation": {"loss": losses[-1] * 1.1},
                                                          "test": {"accuracy": test_acc}},
                                              "epochs_run": len(losses), "seconds": 3.0, "backend": "jax"})
    set_status(path, "finished")
    return path


def _column(table, heading: str) -> int:
    model = table.model
    return next(i for i in range(model.columnCount()) if model.headerData(i, Qt.Orientation.Horizontal) == heading)


def _cells(table, heading: str) -> list[str]:
    c = _column(table, heading)
    return [table.proxy.index(r, c).data() for r in range(table.proxy.rowCount())]


def test_the_run_table_from_the_runs_dock(window, qtbot, tmp_path, dialogs, monkeypatch):
    w = window
    root = tmp_path / "runs"
    slow = _run(root, "Lab — lr 0.001", 0.001, [2.0, 1.8, 1.6], 0.61)
    _run(root, "Lab — lr 0.1", 0.1, [2.0, 0.9, 0.4, 0.2], 0.93)
    w.runs.set_root(root)
    qtbot.mouseClick(w.runs.table_btn, Qt.MouseButton.LeftButton)
    table = w.dialogs.run_table
    qtbot.waitExposed(table)
    assert table.model.rowCount() == 2 and table.count_label.text() == "2 runs"
    assert "optimizer.learning_rate" in [table.model.headerData(i, Qt.Orientation.Horizontal)
                                         for i in range(table.model.columnCount())]  # the setting that differs
    # sorting by a figure is numeric, as a click on its heading does
    table.view.sortByColumn(_column(table, "test accuracy"), Qt.SortOrder.DescendingOrder)
    assert _cells(table, "title") == ["Lab — lr 0.1", "Lab — lr 0.001"]
    table.view.sortByColumn(_column(table, "test accuracy"), Qt.SortOrder.AscendingOrder)
    assert _cells(table, "title") == ["Lab — lr 0.001", "Lab — lr 0.1"]
    # filtering narrows the rows and says so
    qtbot.keyClicks(table.filter, "0.001")
    assert table.proxy.rowCount() == 1 and table.count_label.text() == "1 of 2 runs"
    table.filter.clear()
    # tags are written into the run's own folder and shown
    table.view.selectRow(0)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("slow, baseline", True))
    qtbot.mouseClick(table.tags_btn, Qt.MouseButton.LeftButton)
    assert json.loads((slow / "meta.json").read_text())["tags"] == ["baseline", "slow"]
    assert "baseline, slow" in _cells(table, "tags")
    # two selected runs are compared in the main window
    table.view.selectAll()
    assert table.compare_btn.isEnabled()
    qtbot.mouseClick(table.compare_btn, Qt.MouseButton.LeftButton)
    assert "Comparing 2 runs" in w.statusBar().currentMessage()
    # the table as shown, to CSV
    out = tmp_path / "table.csv"
    table.export_csv(out)
    rows = list(csv.reader(out.open()))
    assert rows[0][:3] == ["title", "state", "backend"] and len(rows) == 3
    # delete asks first, then moves the run out of the folder (trash or archive), never silently
    table.view.selectRow(0)
    dialogs.answers["question"] = QMessageBox.StandardButton.Cancel
    qtbot.mouseClick(table.delete_btn, Qt.MouseButton.LeftButton)
    assert slow.is_dir()
    dialogs.answers["question"] = QMessageBox.StandardButton.Yes
    qtbot.mouseClick(table.delete_btn, Qt.MouseButton.LeftButton)
    assert not slow.exists()
    assert "moved to" in table.message.text()
    assert table.model.rowCount() == 1 and w.runs.count() == 1
    table.close()
