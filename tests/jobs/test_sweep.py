"""Sweeps end to end on the optimisation lab: real trainings in child processes, an Optuna study in SQLite."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import optuna
import pytest
from optuna.trial import TrialState

from studio.core.presets import load_preset
from studio.core.run_index import RunIndex
from studio.core.spec import with_overrides
from studio.core.sweep_spec import SweepError, parse_sweep
from studio.jobs.sweep import STORAGE_FILE, Sweep, default_storage

pytestmark = pytest.mark.slow

LAB = ["training.backend=\"jax\"", "training.epochs=6"]


def _lab():
    return with_overrides(load_preset("optimization_lab"), LAB)


def _sweep(name, **kw):
    return parse_sweep({"name": name, "spec": "optimization_lab", "metric": "loss",
                        "search": [{"path": "optimizer.learning_rate", "distribution": "loguniform",
                                    "low": 1e-3, "high": 0.1}], **kw})


def test_six_trials_two_at_a_time_end_as_six_runs_and_six_trials(tmp_path):
    seen = []
    runner = Sweep(_sweep("six", trials=6, jobs=2, seed=1), _lab(), tmp_path, on_trial=seen.append)
    at_once, running = [], set()

    def on_event(number, event):
        running.add(number)
        at_once.append(len(running))
        if event.kind in ("Finished", "Stopped", "Failed"):
            running.discard(number)

    runner.on_event = on_event
    results = runner.run()
    assert [r.state for r in results] == ["complete"] * 6
    assert max(at_once) == 2  # two children trained at once, never more
    study = optuna.load_study(study_name="six", storage=default_storage(tmp_path))
    assert len(study.trials) == 6 and all(t.state == TrialState.COMPLETE for t in study.trials)
    rows = RunIndex(tmp_path).rows()  # every trial is an ordinary run in the run table
    assert len(rows) == 6 and all(r.state == "finished" and "trial" in r.title for r in rows)
    best = min(results, key=lambda r: r.value)
    assert study.best_value == pytest.approx(best.value)
    assert (tmp_path / STORAGE_FILE).is_file()


def test_a_hopeless_trial_is_pruned(tmp_path):
    sweep = _sweep("prune", trials=3, jobs=1, pruner="median",
                   search=[{"path": "optimizer.learning_rate", "distribution": "loguniform",
                            "low": 1e-7, "high": 0.5}])
    base = with_overrides(load_preset("optimization_lab"), ['training.backend="jax"', "training.epochs=30",
                                                             "model.blocks.dropout_1.params.rate=0"])
    runner = Sweep(sweep, base, tmp_path)
    study = runner.study()
    for lr in (0.3, 0.3, 1e-7):  # two good runs set the median; the third barely moves
        study.enqueue_trial({"optimizer.learning_rate": lr})
    results = runner.run()
    assert [r.state for r in results] == ["complete", "complete", "pruned"]
    pruned = optuna.load_study(study_name="prune", storage=default_storage(tmp_path)).trials[2]
    assert pruned.state == TrialState.PRUNED and len(pruned.intermediate_values) < 30


def test_a_killed_sweep_resumes_to_the_planned_number_of_trials(tmp_path):
    cmd = [sys.executable, "-m", "studio", "sweep", "optimization_lab", "--name", "resume", "--trials", "4",
           "--metric", "loss", "--param", "optimizer.learning_rate=loguniform:1e-3:1e-1", "--out", str(tmp_path)]
    for s in LAB:
        cmd += ["--set", s]
    storage = default_storage(tmp_path)
    first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             start_new_session=True)
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:  # kill it once one trial is done and the next is training
            time.sleep(0.5)
            try:
                trials = optuna.load_study(study_name="resume", storage=storage).trials
            except KeyError:
                continue
            if sum(t.state == TrialState.COMPLETE for t in trials) >= 1 and \
                    any(t.state == TrialState.RUNNING for t in trials):
                break
        os.kill(first.pid, signal.SIGKILL)  # the sweep process alone: its training child notices and ends
    finally:
        first.wait(30)
    second = subprocess.run(cmd, capture_output=True, text=True, timeout=400)
    assert second.returncode == 0, second.stdout + second.stderr
    trials = optuna.load_study(study_name="resume", storage=storage).trials
    states = [t.state for t in trials]
    assert states.count(TrialState.COMPLETE) == 4  # the plan, despite the kill
    assert states.count(TrialState.FAIL) == 1  # the trial cut off by the kill: not counted, its values tried again
    cut = next(t for t in trials if t.state == TrialState.FAIL)
    assert any(t.params == cut.params and t.state == TrialState.COMPLETE for t in trials)
    assert "best: trial" in second.stdout


def test_a_metric_the_runs_do_not_log_stops_the_sweep_with_advice(tmp_path):
    runner = Sweep(_sweep("nometric", trials=3, metric="val_accuracy"), _lab(), tmp_path)
    with pytest.raises(SweepError) as err:
        runner.run()
    text = str(err.value)
    assert "--metric val_accuracy: the runs do not log it; they log" in text and "accuracy" in text
    assert "data.validation_split" in text
    assert len(RunIndex(tmp_path).rows()) == 1  # stopped at the first trial, not three failures
