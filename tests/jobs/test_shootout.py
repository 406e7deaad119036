"""The backend shoot-out: figures read from run directories (first epoch vs steady, medians of repeats),
the table it writes, missing and unknown backends, and (slow) a real shoot-out on the installed backends."""

from __future__ import annotations

import csv
import json
import statistics
from pathlib import Path

import pytest

from studio.core import events as ev
from studio.core.presets import load_preset
from studio.core.runs import (
    MODEL_FILE,
)
from studio.jobs import shootout as so
from tests.jobs.fake_training import FakeTraining, made_up_run


def test_first_epoch_is_split_from_the_steady_rate(tmp_path):
    run = made_up_run(tmp_path, "jax", [(4.0, 25.0), (0.1, 1000.0), (0.2, 500.0)], memory=321.5)
    f = so.run_figures(run)
    assert f["first_epoch_s"] == 4.0  # compilation included
    # two epochs of equal size at 1000 and 500 samples/s: 2 epochs in 1/1000 + 1/500 of a unit of time
    assert f["steady_samples_per_s"] == pytest.approx(2 / (1 / 1000 + 1 / 500))
    assert f["peak_memory_mb"] == 321.5
    assert f["metrics"]["test"]["accuracy"] == pytest.approx(0.8)


def test_without_events_the_epoch_seconds_of_metrics_csv_are_used(tmp_path):
    run = made_up_run(tmp_path, "torch", [])
    (run / "events.jsonl").unlink()
    (run / "metrics.csv").write_text("epoch,loss,learning_rate,seconds\n1,1.0,0.01,3.0\n2,0.9,0.01,0.5\n"
                                     "3,0.8,0.01,0.5\n")
    f = so.run_figures(run)
    assert f["first_epoch_s"] == 3.0
    assert f["steady_samples_per_s"] == pytest.approx(100 * 2 / 1.0)


def test_a_single_epoch_has_no_steady_rate(tmp_path):
    assert so.run_figures(made_up_run(tmp_path, "jax", [(2.0, 50.0)]))["steady_samples_per_s"] is None


def test_medians_of_repeats_figure_by_figure():
    figures = [{"first_epoch_s": s, "steady_samples_per_s": r, "peak_memory_mb": m,
                "metrics": {"test": {"accuracy": a}}}
               for s, r, m, a in ((3.0, 100.0, 400.0, 0.5), (1.0, 300.0, None, 0.9), (2.0, 200.0, 600.0, 0.7))]
    m = so.median_figures(figures)
    assert (m["first_epoch_s"], m["steady_samples_per_s"]) == (2.0, 200.0)
    assert m["peak_memory_mb"] == statistics.median([400.0, 600.0])  # a repeat without the figure is left out
    assert m["metrics"] == {"test": {"accuracy": 0.7}}


def test_a_shootout_run_times_training_alone():
    """Recording the inside costs each backend differently (a compile on JAX): the shoot-out's runs leave it out."""
    spec = load_preset("optimization_lab")
    run = so.backend_spec(spec, "jax", 5, 0, 1)
    assert spec.inspect.enabled and not run.inspect.enabled
    assert run.training.backend == "jax" and run.training.epochs == 5


def test_backends_are_chosen_from_the_installed_ones():
    assert so.choose_backends(None, ["jax", "tensorflow"]) == (["tensorflow", "jax"], [])  # the usual order
    assert so.choose_backends(["jax", "torch", "jax"], ["jax"]) == (["jax"], ["torch"])
    with pytest.raises(so.ShootoutError, match="unknown backend 'mxnet'.*expected some of tensorflow, torch, jax"):
        so.choose_backends(["mxnet"], ["jax"])


def test_a_shootout_writes_its_table_with_one_row_per_backend(tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(so, "start_training", FakeTraining)

    def fake_compare(reference, spec, models, timeout=0):
        asked.append((reference, models))
        return {"split": "test", "samples": 20, "differences": [{"max": 0.0, "mean": 0.0}, {"max": 0.25, "mean": 0.1}]}

    monkeypatch.setattr(so, "compare_predictions", fake_compare)
    changes = []
    runner = so.Shootout(load_preset("optimization_lab"), tmp_path, ["jax", "tensorflow", "torch"], repeats=2,
                         epochs=3, installed=["tensorflow", "jax"], on_change=lambda t: changes.append(t))
    table = runner.run()
    assert [r.backend for r in table.rows] == ["jax", "tensorflow", "torch"]
    jax, tf, torch = table.rows
    assert (jax.state, tf.state, torch.state) == ("done", "done", "missing")
    assert "not installed" in torch.message and "keras-studio[torch]" in torch.message
    assert len(jax.runs) == 2 and jax.steady_samples_per_s == 1500.0 and jax.first_epoch_s == 2.0
    assert table.fastest == "jax" and table.epochs == 3
    assert asked == [("jax", [f"{jax.runs[0]}/model.keras", f"{tf.runs[0]}/model.keras"])]
    assert (jax.max_abs_diff, tf.max_abs_diff, tf.mean_abs_diff) == (0.0, 0.25, 0.1)
    assert changes  # the dialog's table fills as it goes
    json_path, csv_path = runner.paths
    assert json_path.parent == tmp_path and json_path.name.startswith("shootout-")
    doc = json.loads(json_path.read_text())
    assert doc["kind"] == "shootout" and doc["fastest"] == "jax" and len(doc["rows"]) == 3
    rows = list(csv.DictReader(csv_path.open()))
    assert [r["backend"] for r in rows] == ["jax", "tensorflow", "torch"]
    assert float(rows[1]["steady_samples_per_s"]) == 800.0 and rows[1]["test_accuracy"] == "0.8"
    assert rows[2]["steady_samples_per_s"] == ""
    text = table.text()
    assert "max |Δ| vs jax" in text and "1,500" in text and "torch: not installed" in text


def test_a_failed_backend_keeps_the_others_and_says_why(tmp_path, monkeypatch):
    class Failing(FakeTraining):
        def poll(self, timeout):
            if self.spec.training.backend == "torch":
                self.terminal = ev.Failed(reason=ev.CRASHED, message="The training process crashed.",
                                          run_dir=str(self.run_dir))
                return [self.terminal]
            return super().poll(timeout)

    monkeypatch.setattr(so, "start_training", Failing)
    monkeypatch.setattr(so, "compare_predictions",
                        lambda *a, **k: pytest.fail("one finished backend: nothing to compare"))
    table = so.Shootout(load_preset("optimization_lab"), tmp_path, ["torch", "jax"], installed=["torch", "jax"]).run()
    assert [(r.backend, r.state) for r in table.rows] == [("torch", "failed"), ("jax", "done")]
    assert table.rows[0].message == "The training process crashed." and table.rows[0].steady_samples_per_s is None
    assert table.prediction_message == "fewer than two backends finished" and table.fastest == "jax"


def test_nothing_installed_is_refused_before_anything_runs(tmp_path):
    with pytest.raises(so.ShootoutError, match="none of the backends.*pip install"):
        so.Shootout(load_preset("optimization_lab"), tmp_path, ["torch"], installed=[])
    with pytest.raises(so.ShootoutError, match="--repeats must be from 1 to 20, received 0"):
        so.Shootout(load_preset("optimization_lab"), tmp_path, repeats=0, installed=["jax"])
    assert not any(tmp_path.iterdir())


def test_the_cli_names_an_unknown_backend(tmp_path, capsys):
    from studio.cli import run_cli

    code = run_cli(["shootout", "optimization_lab", "--backends", "tensorflow,theano", "--out", str(tmp_path)])
    assert code == 1
    assert "unknown backend 'theano'" in capsys.readouterr().err


@pytest.mark.slow
def test_a_shootout_over_the_installed_backends_on_the_lab(tmp_path, capsys):
    from studio.cli import run_cli
    from studio.jobs.devices import installed_backends

    installed = installed_backends()
    code = run_cli(["shootout", "optimization_lab", "--epochs", "3", "--out", str(tmp_path)])
    assert code == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    doc = json.loads(next(tmp_path.glob("shootout-*.json")).read_text())
    assert [r["backend"] for r in doc["rows"]] == installed
    for row in doc["rows"]:
        assert row["state"] == "done", row
        assert 0 < row["first_epoch_s"] < 120 and row["steady_samples_per_s"] > 0
        assert 50 < row["peak_memory_mb"] < 16000
        assert 0 <= row["metrics"]["train"]["accuracy"] <= 1
        (run,) = row["runs"]
        assert (Path(run) / MODEL_FILE).is_file() and Path(run).parent == tmp_path  # an ordinary run
        if len(installed) > 1:
            assert row["max_abs_diff"] is not None and row["max_abs_diff"] >= row["mean_abs_diff"] >= 0
    if len(installed) > 1:
        assert doc["rows"][0]["max_abs_diff"] == 0.0  # the reference against itself
    assert doc["fastest"] in installed and f"fastest (steady samples/s): {doc['fastest']}" in out
    assert len(list(tmp_path.glob("shootout-*.csv"))) == 1


@pytest.mark.parametrize(("args", "says"), [
    (["--repeats", "1000000"], "--repeats must be from 1 to 20, received 1000000"),
    (["--repeats", "-3"], "--repeats must be from 1 to 20, received -3"),
    (["--backends", ","], "--backends names no backend"),
    (["--backends", " , ,"], "--backends names no backend"),
    (["--backends", ""], "--backends names no backend"),
])
def test_the_cli_bounds_repeats_and_refuses_an_empty_backend_list(args, says, tmp_path, capsys):
    from studio.cli import run_cli

    code = run_cli(["shootout", "optimization_lab", *args, "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert says in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())  # nothing trained
