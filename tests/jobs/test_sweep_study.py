"""A study remembers its search, metric and direction (issue 20, item 3): a re-run under the same name with a
different search is refused with the way forward, and no trial is left RUNNING. Trials here are stand-ins
(no training): the point is the study, its storage and its counting."""

from __future__ import annotations

import optuna
import pytest
from optuna.trial import TrialState

from studio.cli import run_cli
from studio.core import events as ev
from studio.core.presets import load_preset
from studio.core.runs import create_run_dir, set_status
from studio.core.sweep_spec import SweepError, parse_sweep
from studio.jobs import process
from studio.jobs.sweep import Sweep, default_storage


class FakeTrial:
    """Stands in for TrainingProcess: one epoch whose loss is the learning rate, then Finished."""

    def __init__(self, spec, runs_root, code=None):  # code: a custom optimizer's allowed files (none here)
        self.spec, self.runs_root, self.terminal, self.run_dir = spec, runs_root, None, None

    def start(self):
        self.run_dir = create_run_dir(self.runs_root, self.spec.to_dict())
        return self.run_dir

    def poll(self, timeout=0.0):
        lr = self.spec.optimizer.learning_rate
        set_status(self.run_dir, "finished")
        self.terminal = ev.Finished(run_dir=str(self.run_dir), summary={})
        return [ev.EpochEnd(epoch=0, epochs=1, logs={"loss": lr, "val_loss": lr}, learning_rate=lr, seconds=0.1,
                            samples_per_s=1.0), self.terminal]

    def reap(self, timeout=0.0):
        return True

    def stop(self):
        pass

    def close(self):
        pass


def _sweep(search=None, **kw):
    search = search or [{"path": "optimizer.learning_rate", "distribution": "loguniform", "low": 1e-3, "high": 0.1}]
    return parse_sweep({"name": "lab", "spec": "optimization_lab", "metric": "loss", "search": search, **kw})


def _trials(tmp_path):
    return optuna.load_study(study_name="lab", storage=default_storage(tmp_path)).trials


@pytest.mark.parametrize(("change", "says"), [
    ({"search": [{"path": "optimizer.learning_rate", "distribution": "uniform", "low": 1e-3, "high": 0.1}]},
     "it searched optimizer.learning_rate=loguniform:0.001:0.1; this one searches "
     "optimizer.learning_rate=uniform:0.001:0.1"),
    ({"search": [{"path": "model.blocks.dropout_1.params.rate", "distribution": "uniform", "low": 0, "high": 0.5}]},
     "this one searches model.blocks.dropout_1.params.rate=uniform:0:0.5"),
    ({"metric": "val_loss"}, "its metric is loss, not val_loss"),
    ({"direction": "maximize"}, "it is to minimize its metric, not maximize"),
])
def test_another_search_under_the_same_name_is_refused_with_the_way_forward(tmp_path, change, says):
    base = load_preset("optimization_lab")
    Sweep(_sweep(trials=2), base, tmp_path, start_run=FakeTrial).run()
    again = Sweep(_sweep(trials=3, **change), base, tmp_path, start_run=FakeTrial)
    with pytest.raises(SweepError) as info:
        again.run()
    text = str(info.value)
    assert says in text
    assert "--name lab-2" in text and "--join lab --storage" in text  # a new study, or the old one
    trials = _trials(tmp_path)
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 2  # nothing RUNNING, nothing added
    assert len([p for p in tmp_path.iterdir() if p.is_dir()]) == 2  # and nothing trained


def test_the_same_search_again_resumes_and_counts_right(tmp_path):
    base = load_preset("optimization_lab")
    Sweep(_sweep(trials=2), base, tmp_path, start_run=FakeTrial).run()
    results = Sweep(_sweep(trials=3, jobs=1), base, tmp_path, start_run=FakeTrial).run()
    assert [r.state for r in results] == ["complete"]  # the third of three
    assert len(_trials(tmp_path)) == 3


def test_a_trial_that_cannot_start_is_failed_not_left_running(tmp_path):
    class NoRoom(FakeTrial):
        def start(self):
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        Sweep(_sweep(trials=2), load_preset("optimization_lab"), tmp_path, start_run=NoRoom).run()
    assert [t.state for t in _trials(tmp_path)] == [TrialState.FAIL]


def test_a_plain_rerun_with_a_new_param_is_refused_by_the_cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(process, "TrainingProcess", FakeTrial)
    first = ["sweep", "optimization_lab", "--trials", "2", "--metric", "loss", "--out", str(tmp_path),
             "--param", "optimizer.learning_rate=loguniform:1e-3:1e-1"]
    assert run_cli(first) == 0
    out = capsys.readouterr().out
    assert "best: trial" in out and " loss " in out
    code = run_cli([*first[:-1], "optimizer.learning_rate=uniform:1e-3:1e-1"])
    err = capsys.readouterr().err
    assert code == 1
    assert "--name optimization_lab-2" in err and "--join optimization_lab" in err
    assert "Traceback" not in err and "Cannot set different" not in err
    assert all(t.state == TrialState.COMPLETE for t in optuna.load_study(
        study_name="optimization_lab", storage=default_storage(tmp_path)).trials)
