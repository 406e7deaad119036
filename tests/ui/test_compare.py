"""Runs compared on the same plots: pick two or more in the Runs panel, press Compare, and each run is one
colour (training solid, validation dashed), named in a legend without the words all the titles share."""

from __future__ import annotations

import json

from studio.core.runs import create_run_dir, set_status
from studio.ui.run_compare import short_labels


def _run(root, title: str, losses: list[float]) -> None:
    path = create_run_dir(root, {"meta": {"title": title}})
    rows = ["epoch,accuracy,loss,val_accuracy,val_loss,learning_rate,seconds"]
    rows += [f"{i + 1},{0.5 + i / 10},{v},{0.4 + i / 10},{v * 1.1},0.01,0.1" for i, v in enumerate(losses)]
    (path / "metrics.csv").write_text("\n".join(rows) + "\n")
    set_status(path, "finished")


def test_compare_two_runs_from_the_runs_panel(window, tmp_path):
    w = window
    _run(tmp_path, "Optimizer comparison: SGD", [2.0, 1.8, 1.6])
    _run(tmp_path, "Optimizer comparison: Adam", [2.0, 0.9, 0.4, 0.2])
    w.runs.set_root(tmp_path)
    assert w.runs.count() == 2 and not w.runs.compare_btn.isEnabled()
    w.runs.tree.topLevelItem(0).setSelected(True)
    w.runs.tree.topLevelItem(1).setSelected(True)
    assert w.runs.compare_btn.isEnabled()
    w.runs.compare_btn.click()
    loss, accuracy = w.plots.plots["loss"], w.plots.plots["accuracy"]
    drawn = [c for c in loss.plot.listDataItems() if c.xData is not None and len(c.xData)]
    assert len(drawn) == 4  # two runs × (training, validation)
    assert sorted(len(c.xData) for c in drawn) == [3, 3, 4, 4]
    labels = sorted(label.text for _sample, label in accuracy.legend.items)
    assert labels == ["Adam", "SGD"]
    assert "Comparing 2 runs" in w.statusBar().currentMessage()
    assert w.plots.plots["loss"].plot.vb.viewRange()[0][1] >= 4  # the longer run fits


def test_short_labels():
    assert short_labels(["Lab: a", "Lab: bb"]) == ["a", "bb"]
    assert short_labels(["Same", "Same"]) == ["Same", "Same"]
    assert short_labels(["one"]) == ["one"]


def _run_of(root, preset: str, losses: list[float]):
    from studio.core.presets import load_preset

    path = create_run_dir(root, load_preset(preset).to_dict())
    rows = ["epoch,accuracy,loss,val_accuracy,val_loss,learning_rate,seconds"]
    rows += [f"{i + 1},0.5,{v},0.4,{v * 1.1},0.01,0.1" for i, v in enumerate(losses)]
    (path / "metrics.csv").write_text("\n".join(rows) + "\n")
    set_status(path, "finished")
    return path


def test_compare_legend_names_the_settings_that_differ(window, tmp_path):
    """Two runs of the same preset title ("Adam / Adam" before) are told apart by their optimizers."""
    w = window
    a = _run_of(tmp_path, "optimizer_adam", [2.0, 1.0])
    s = _run_of(tmp_path, "optimizer_sgd", [2.0, 1.8])
    spec = json.loads((s / "spec.json").read_text())
    spec["meta"]["title"] = "Optimizer comparison: Adam"  # as the old naming titled it
    (s / "spec.json").write_text(json.dumps(spec))
    w.runs.set_root(tmp_path)
    for i in range(2):
        w.runs.tree.topLevelItem(i).setSelected(True)
    w.runs.compare_btn.click()
    labels = sorted(label.text for _sample, label in w.plots.plots["accuracy"].legend.items)
    assert labels == ["adam, lr 0.001", "sgd, lr 0.01"]
    assert a.exists()


def test_runs_of_one_spec_with_other_seeds_are_one_arm_with_a_band(window, tmp_path):
    """Compare as run (seeds box at 1): seed replicates already in the runs folder are drawn as their mean over a
    band; a run of another spec stays a line of its own."""
    import pyqtgraph as pg

    from studio.core.presets import load_preset
    from studio.core.spec import with_overrides

    w = window
    for seed, losses in ((1, [2.0, 1.0, 0.5]), (2, [2.2, 1.2, 0.7]), (3, [1.8, 0.8, 0.3])):
        spec = with_overrides(load_preset("optimizer_adam"), [f"training.seed={seed}"]).to_dict()
        path = create_run_dir(tmp_path, spec)
        rows = ["epoch,accuracy,loss,learning_rate,seconds"] + [f"{i + 1},0.5,{v},0.01,0.1" for i, v in
                                                                 enumerate(losses)]
        (path / "metrics.csv").write_text("\n".join(rows) + "\n")
        set_status(path, "finished")
    _run_of(tmp_path, "optimizer_sgd", [2.0, 1.8, 1.6])
    w.runs.set_root(tmp_path)
    for i in range(4):
        w.runs.tree.topLevelItem(i).setSelected(True)
    w.runs.compare_btn.click()
    loss = w.plots.plots["loss"]
    assert sum(isinstance(i, pg.FillBetweenItem) for i in loss.plot.items) == 1  # the three seeds' band
    mean = next(c for c in loss.plot.listDataItems() if c.yData is not None and len(c.yData) == 3
                and abs(c.yData[0] - 2.0) < 1e-9 and abs(c.yData[2] - 0.5) < 1e-9)
    assert list(mean.yData) == [2.0, 1.0, 0.5]  # the mean of the three, epoch by epoch
    labels = sorted(label.text for _s, label in w.plots.plots["accuracy"].legend.items)
    assert labels == ["adam, lr 0.001 (3 seeds, band min–max)", "sgd, lr 0.01"]
