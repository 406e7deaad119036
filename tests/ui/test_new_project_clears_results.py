"""After New, New from Preset or Open, nothing of the previous run stays in view (issue 20, item 11): its
headline, progress, curves, coach, Evaluation and Try it belong to a run of another project. What is shown
always belongs to the project named above it; the runs themselves stay in the Runs list."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.core import events as ev
from studio.core.presets import list_presets
from studio.ui.main_window import MainWindow
from tests.ui.conftest import close_window


@pytest.fixture
def trained(qtbot, dialogs, tmp_path, monkeypatch):
    """A window after a (scripted, Keras-free) run of the optimisation lab, its Evaluation and Try it opened."""
    monkeypatch.setenv("KERAS_STUDIO_WARM_WORKERS", "0")  # the fake model is never loaded in a backend
    w = MainWindow(probe_devices=False, worker="tests.ui.scripted_worker", autosave_dir=tmp_path / "autosave")
    w.show()
    qtbot.waitExposed(w)
    w.open_file("presets/optimization_lab.json", as_template=True)
    w.checker.wait_data()
    monkeypatch.setattr(w, "runs_root", lambda: tmp_path / "runs")
    with qtbot.waitSignal(w.bridge.ended, timeout=60_000) as ended:
        w.act_train.trigger()
    assert isinstance(ended.args[0], ev.Finished), ended.args[0]
    qtbot.waitUntil(lambda: w.bridge.reaped, timeout=20_000)
    run_dir = ended.args[0].run_dir
    # the epochs as the engine records them (the scripted child only reports them), so the run can be shown again
    (Path(run_dir) / "metrics.csv").write_text("epoch,loss,accuracy,learning_rate,seconds\n1,1.0,0.5,0.01,0.1\n"
                                               "2,0.5,0.7,0.01,0.1\n")
    w.results.show_view("evaluation")
    w.results.show_view("curves")
    yield w, run_dir
    close_window(w, qtbot)


def _assert_nothing_of(w, run_dir: str) -> None:
    name = Path(run_dir).name
    assert not w.headline.isVisible() and w.headline.line.text() == ""
    assert w.empty_state.isVisible() and not w.result_tabs.isVisible()  # the card, as in a fresh window
    assert not w.controls.isVisible()
    assert not w.act_evaluate.isEnabled() and not w.act_export.isEnabled()  # no model of this project to ask
    assert w.results.run_dir is None and w.results.model.run_dir is None
    assert w.results.coach.findings == []
    assert name not in w.statusBar().currentMessage()
    # the views, when shown again, start empty: no curve, no evaluation, no model to try
    assert all(s.n == 0 for m in w.plots.curves.metrics.values() for s in m.series.values())
    assert name not in w.evaluation.status.text() and w.evaluation.doc == {}
    assert w.try_it.predictor is None and name not in w.try_it.status.text()


def test_new_clears_the_previous_runs_results_and_the_next_run_starts_afresh(trained, qtbot):
    w, run_dir = trained
    assert w.act_export.isEnabled() and w.result_tabs.isVisible()  # what a finished run shows
    assert w.plots.curves.metrics["loss"].series["epoch"].n == 2
    assert w.controls.progress.format() == "Finished"
    w.act_new.trigger()
    _assert_nothing_of(w, run_dir)
    w.open_file("presets/optimization_lab.json", as_template=True)
    w.checker.wait_data()
    with qtbot.waitSignal(w.bridge.state_changed, timeout=10_000, check_params_cb=lambda s: s == "starting"):
        w.act_train.trigger()
    assert "Finished" not in w.controls.progress.format() and "Finished" not in w.controls.info.text()
    with qtbot.waitSignal(w.bridge.ended, timeout=60_000):
        pass
    qtbot.waitUntil(lambda: w.bridge.reaped, timeout=20_000)


def test_a_preset_or_a_past_run_then_new_from_preset_clears_it_too(trained, qtbot):
    w, run_dir = trained
    other = next(a for a in w.preset_menu.actions() if "regression" in a.text().lower() or "Regression" in a.text())
    other.trigger()  # File ▸ Open Preset ▸ a regression: no accuracy plot, no lab's results
    _assert_nothing_of(w, run_dir)
    assert "accuracy" not in w.plots.curves.metrics
    w.show_run(run_dir)  # picked from the Runs list: shown again, with its banner
    assert w.headline.banner.isVisible() and w.act_export.isEnabled()
    lab = next(p for p in list_presets() if p.path.name == "optimization_lab.json")
    w.open_file(lab.path, as_template=True)  # what New from Preset does with the gallery's choice
    _assert_nothing_of(w, run_dir)
