"""Compare over seeds from the Runs panel: pick two runs, turn the seeds box up, press Compare…, Start; each spec
trains with its seeds (through the sweep machinery and Optuna, with a stand-in trainer in this process: the CLI's
test trains for real), the dialog gives the table and a verdict per pair, and both
the dialog and the main window draw each arm as a mean curve over a band."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt

from studio.core.presets import load_preset
from studio.core.runs import create_run_dir, set_status
from studio.core.spec import with_overrides
from tests.ui.conftest import close_window


def _run(root, lr: float):
    spec = with_overrides(load_preset("optimization_lab"), [f"optimizer.learning_rate={lr}", "training.epochs=5"])
    path = create_run_dir(root, spec.to_dict())
    (path / "metrics.csv").write_text("epoch,loss,learning_rate,seconds\n1,0.7,0.01,0.1\n2,0.6,0.01,0.1\n")
    set_status(path, "finished")
    return path


def _fills(plot) -> int:
    return sum(isinstance(i, pg.FillBetweenItem) for i in plot.items)


def test_seeds_box_trains_each_spec_with_its_seeds_and_judges_them(qtbot, tmp_path, monkeypatch):
    from studio.jobs import process
    from studio.ui.main_window import MainWindow
    from tests.ui.seeded_training import SeededTraining

    monkeypatch.setattr(process, "TrainingProcess", SeededTraining)
    w = MainWindow(probe_devices=False, autosave_dir=tmp_path / "autosave")
    w.show()
    qtbot.waitExposed(w)
    try:
        root = tmp_path / "runs"
        _run(root, 0.01)
        _run(root, 1e-5)
        w.runs.set_root(root)
        for i in range(2):
            w.runs.tree.topLevelItem(i).setSelected(True)
        box = w.runs.seeds
        assert box.text() == "as run" and w.runs.compare_btn.text() == "Compare"  # one seed: the runs as they are
        box.setFocus()
        box.lineEdit().selectAll()
        qtbot.keyClicks(box, "3")
        assert box.value() == 3 and w.runs.compare_btn.text() == "Compare…"
        qtbot.mouseClick(w.runs.compare_btn, Qt.MouseButton.LeftButton)
        dialog = w.dialogs.seed_dialog
        assert dialog is not None and dialog.isVisible() and dialog.seeds.value() == 3
        assert [dialog.table.item(r, 1).text() for r in range(2)] == ["0/3", "0/3"]
        qtbot.mouseClick(dialog.start_btn, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.comparison is not None and not dialog.running, timeout=30_000)
        assert dialog.problem.text() == ""
        labels = [dialog.table.item(r, 0).text() for r in range(2)]
        assert labels == ["lr 1e-05", "lr 0.01"]  # as the Runs panel lists them, newest first
        assert [dialog.table.item(r, 1).text() for r in range(2)] == ["3/3", "3/3"]
        verdicts = [dialog.verdicts.item(r, 3).text() for r in range(dialog.verdicts.rowCount())]
        assert verdicts == ["larger than seed noise (lr 0.01 is better)"] * 2  # final and best
        assert _fills(dialog.plot.getPlotItem()) == 2  # a band per arm
        assert dialog.band_box.findText("± 1 std") >= 0
        dialog.band_box.setCurrentText("± 1 std")
        assert _fills(dialog.plot.getPlotItem()) == 2
        loss = w.plots.plots["loss"]  # the main window's curves: the arms as bands too
        assert _fills(loss.plot) == 2
        legend = sorted(label.text for _s, label in w.plots.plots["loss"].legend.items)
        assert legend == ["lr 0.01 (3 seeds, band min–max)", "lr 1e-05 (3 seeds, band min–max)"]
        assert w.runs.count() == 2 + 6  # every seed is an ordinary run in the Runs panel
        dialog.close()
    finally:
        close_window(w, qtbot)
