"""Real training in spawned children: the optimisation lab on every backend, stop, pause, crashes, NaN."""

from __future__ import annotations

import json
import math
import time

import pytest

from studio.core import events as ev
from studio.core.presets import load_preset
from studio.core.runs import list_runs, read_events, read_metrics
from studio.jobs.process import TrainingProcess
from tests.helpers import BACKENDS, spec_from, train_in_child


def _with(spec, **training):
    return spec.model_copy(update={"training": spec.training.model_copy(update=training)})


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_optimization_lab_learns_on_every_backend(backend, tmp_path):
    spec = _with(load_preset("optimization_lab"), backend=backend)
    result, events = train_in_child(spec, tmp_path)
    assert isinstance(result, ev.Finished), getattr(result, "details", result)
    summary = result.summary
    # evaluated in inference mode (dropout off) by the engine
    assert summary["metrics"]["train"]["accuracy"] >= 0.9
    assert summary["metrics"]["train"]["loss"] < 0.3
    assert summary["epochs_run"] == 200 and summary["backend"] == backend
    started = next(e for e in events if isinstance(e, ev.Started))
    assert started.total_params == 81 and started.backend == backend and started.device == "cpu"
    epochs = [e for e in events if isinstance(e, ev.EpochEnd)]
    assert len(epochs) == 200 and epochs[-1].learning_rate == pytest.approx(0.01)
    run = tmp_path / result.run_dir.split("/")[-1]
    for name in ("spec.json", "status.json", "events.jsonl", "metrics.csv", "summary.json", "model.keras",
                 "best.keras"):
        assert (run / name).exists(), name
    assert any((run / "tensorboard").rglob("events.out.tfevents.*")), "no TensorBoard event files"
    assert len(read_metrics(run)["loss"]) == 200
    assert [e["event"] for e in read_events(run)][-1] == "Finished"
    assert list_runs(tmp_path)[0].state == "finished"
    assert set(summary["versions"]) >= {"keras", backend, "python"}


def _long_spec(backend="jax", epochs=400):
    return spec_from(
        [{"type": "Input", "params": {"shape": [2]}}, {"type": "Dense", "params": {"units": 16}},
         {"type": "Dense", "params": {"units": 1, "activation": "sigmoid"}}],
        data={"source": "moons", "params": {"n_samples": 2000}, "validation_split": 0.2},
        training={"epochs": epochs, "batch_size": 16, "backend": backend, "metrics": ["accuracy"]},
        meta={"title": "long"})


def _wait_for(proc, kind, timeout=120):
    seen = []
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.terminal is None:
        for e in proc.poll(0.1):
            seen.append(e)
            if isinstance(e, kind):
                return seen
    raise AssertionError(f"no {kind.__name__} within {timeout}s: {[e.kind for e in seen]}")


@pytest.mark.slow
def test_stop_keeps_a_loadable_model(tmp_path, probe):
    proc = TrainingProcess(_long_spec(), tmp_path)
    proc.start()
    try:
        _wait_for(proc, ev.EpochEnd)
        proc.stop()
        result = proc.wait(120)
    finally:
        proc.close()
    assert isinstance(result, ev.Stopped), result
    assert 1 <= result.summary["epochs_run"] < 400
    assert "validation" in result.summary["metrics"]
    loaded = probe("tests.engine.load_probe", "jax", {"m": str(proc.run_dir / "model.keras")})
    assert loaded["m"]["params"] == 2 * 16 + 16 + 17
    assert json.loads((proc.run_dir / "status.json").read_text())["state"] == "stopped"


@pytest.mark.slow
def test_pause_holds_and_resume_continues(tmp_path):
    proc = TrainingProcess(_long_spec(epochs=3), tmp_path)
    proc.start()
    try:
        _wait_for(proc, ev.BatchEnd)
        proc.pause()
        _wait_for(proc, ev.Log)  # the child says it paused
        time.sleep(0.3)
        proc.poll(0.1)  # drain what was in flight
        held = proc.poll(1.5)
        assert not [e for e in held if isinstance(e, (ev.BatchEnd, ev.EpochEnd))], [e.kind for e in held]
        proc.resume()
        result = proc.wait(120)
    finally:
        proc.close()
    assert isinstance(result, ev.Finished)
    assert result.summary["epochs_run"] == 3


@pytest.mark.parametrize("title,expect", [("exit", "exited with code 3"), ("signal", "killed by signal 9")])
def test_a_child_that_dies_is_reported_and_the_parent_goes_on(tmp_path, title, expect):
    spec = _long_spec().model_copy(update={"meta": _long_spec().meta.model_copy(update={"title": title})})
    proc = TrainingProcess(spec, tmp_path, worker="tests.engine.crashing_worker")
    proc.start()
    result = proc.wait(60)
    assert isinstance(result, ev.Failed) and result.reason == ev.CRASHED
    assert expect in result.message
    assert "Segmentation fault (a native crash, simulated)" in result.details  # its last words, from child.log
    assert list_runs(tmp_path)[0].state == "failed"
    assert [e["event"] for e in read_events(proc.run_dir)][-1] == "Failed"


@pytest.mark.slow
def test_kill_is_reported(tmp_path):
    proc = TrainingProcess(_long_spec(), tmp_path)
    proc.start()
    try:
        _wait_for(proc, ev.BatchEnd)
        proc.kill()
        result = proc.wait(60)
    finally:
        proc.close()
    assert isinstance(result, ev.Failed) and result.reason == ev.KILLED


@pytest.mark.slow
def test_nan_loss_ends_the_run_with_a_clear_reason(tmp_path):
    spec = spec_from(
        [{"type": "Input", "params": {"shape": [1]}},
         {"type": "Dense", "params": {"units": 1, "activation": "linear"}}],
        data={"source": "inline", "params": {"x": [[1000.0 * i] for i in range(1, 41)],
                                            "y": [1e6 * i + 0.5 for i in range(1, 41)]}},
        optimizer={"name": "sgd", "learning_rate": 5.0},
        training={"epochs": 100, "batch_size": 4, "backend": "jax", "loss": "mean_squared_error", "metrics": []})
    result, events = train_in_child(spec, tmp_path)
    assert isinstance(result, ev.Failed) and result.reason == ev.NAN_LOSS, result
    assert "learning rate" in result.message
    assert len([e for e in events if isinstance(e, ev.EpochEnd)]) < 100


@pytest.mark.slow
def test_nan_loss_stops_at_the_batch_that_diverged_and_names_its_1_based_epoch(probe):
    # a line fit whose SGD steps overshoot more each time: the loss overflows in the second epoch
    spec = {"model": {"blocks": [{"id": "x", "type": "Input", "params": {"shape": [1]}},
                                 {"id": "fit", "type": "Dense", "params": {"units": 1, "activation": "linear"}}]},
            "data": {"source": "inline", "params": {"x": [[float(i)] for i in range(1, 41)],
                                                    "y": [float(i) for i in range(1, 41)]}},
            "optimizer": {"name": "sgd", "learning_rate": 0.015},
            "training": {"epochs": 20, "batch_size": 4, "backend": "jax", "loss": "mean_squared_error",
                         "metrics": [], "seed": 1}}
    out = probe("tests.engine.nan_probe", "jax", spec)
    first = out["first_nan"]  # 1-based over the run, seen by a spectator callback; 10 batches an epoch
    assert first is not None and first > 10, out  # in epoch 2 or later, so "epoch" must not be 0-based
    epoch, batch = (first - 1) // 10 + 1, (first - 1) % 10 + 1
    assert out["begun"] == first, out  # not one batch, let alone an epoch, after the NaN
    result = ev.from_dict(out["result"])
    assert isinstance(result, ev.Failed) and result.reason == ev.NAN_LOSS
    assert f"epoch {epoch}, batch {batch} of 10" in result.message, result.message
    assert out["epoch_ends"] == list(range(epoch - 1))  # the broken epoch is no epoch of the run
    last = out["last_batch"]  # sent at once, so the plots can mark where it diverged
    assert (last["epoch"], last["step"]) == (epoch - 1, batch) and not math.isfinite(last["logs"]["loss"])


@pytest.mark.slow
def test_batch_values_are_each_batchs_own_for_every_mean_metric(probe):
    # Keras logs running means over the epoch; the plots need each batch's own value, for every metric alike
    spec = {"model": {"blocks": [{"id": "x", "type": "Input", "params": {"shape": [4]}},
                                 {"id": "h", "type": "Dense", "params": {"units": 8, "activation": "relu"}},
                                 {"id": "y", "type": "Dense", "params": {"units": 3, "activation": "softmax"}}]},
            "data": {"source": "iris", "normalize": "standard"},
            "optimizer": {"learning_rate": 0.05},
            "training": {"epochs": 3, "batch_size": 32, "backend": "jax", "metrics": ["accuracy"], "seed": 0}}
    out = probe("tests.engine.reporter_probe", "jax", spec)
    assert out["result"] == "Finished"
    n = 150  # iris: 32 × 4 batches and a last one of 22
    sizes = [32, 32, 32, 32, 22]
    for epoch, logs in out["epochs"]:
        batches = [b for e, _step, b in out["batches"] if e == epoch]
        assert len(batches) == len(sizes)
        for name in ("loss", "accuracy"):
            own = [b[f"batch_{name}"] for b in batches]
            # the samples-weighted mean of the batches' own values is the epoch's figure ...
            weighted = sum(v * k for v, k in zip(own, sizes, strict=True)) / n
            assert weighted == pytest.approx(logs[name], rel=1e-4, abs=1e-5)
            assert batches[-1][name] == pytest.approx(logs[name], rel=1e-5)  # ... as is Keras' running mean
        # an accuracy of one batch counts its own samples: a multiple of 1/32 (1/22 for the last)
        for b, k in zip(batches, sizes, strict=True):
            assert b["batch_accuracy"] * k == pytest.approx(round(b["batch_accuracy"] * k), abs=1e-3)
        assert any(abs(b["batch_accuracy"] - b["accuracy"]) > 1e-3 for b in batches[1:])  # not the running mean


@pytest.mark.slow
def test_bad_data_and_misfitting_models_fail_with_the_checkers_message(tmp_path):
    spec = spec_from(
        [{"type": "Input", "params": {"shape": [4]}}, {"type": "Conv2D"}, {"type": "Dense", "params": {"units": 3}}],
        data={"source": "iris"}, training={"epochs": 1, "backend": "jax"})
    result, _ = train_in_child(spec, tmp_path)
    assert isinstance(result, ev.Failed) and result.reason == ev.MODEL_ERROR
    assert "Conv2D needs images" in result.message

    missing = spec_from([{"type": "Input", "params": {"shape": [3]}}, {"type": "Dense", "params": {"units": 2}}],
                        data={"source": "csv", "params": {"path": str(tmp_path / "nope.csv")}},
                        training={"epochs": 1, "backend": "jax"})
    result, _ = train_in_child(missing, tmp_path)
    assert isinstance(result, ev.Failed) and result.reason == ev.INVALID_DATA
    assert "nope.csv" in result.message


@pytest.mark.slow
def test_several_inputs_share_the_columns_and_warnings_reach_the_log(tmp_path):
    spec = spec_from(
        [{"id": "left", "type": "Input", "params": {"shape": [2]}},
         {"id": "right", "type": "Input", "params": {"shape": [2]}},
         {"id": "a", "type": "Dense", "params": {"units": 8}, "inputs": ["left"]},
         {"id": "b", "type": "Dense", "params": {"units": 8}, "inputs": ["right"]},
         {"id": "sum", "type": "Add", "inputs": ["a", "b"]},
         {"id": "cat", "type": "Concatenate", "inputs": ["sum", "a"]},
         {"id": "head", "type": "Dense", "params": {"units": 3, "activation": "softmax"}}],
        data={"source": "iris", "normalize": "standard", "validation_split": 0.2},
        optimizer={"learning_rate": 0.02},
        training={"epochs": 30, "batch_size": 16, "backend": "torch", "metrics": ["accuracy", "auc"]})
    result, events = train_in_child(spec, tmp_path)
    assert isinstance(result, ev.Finished), result
    assert result.summary["metrics"]["validation"]["accuracy"] >= 0.8
    warnings = [e.message for e in events if isinstance(e, ev.Warning)]
    assert any("metric `auc` applies to binary classification only" in w for w in warnings), warnings


@pytest.mark.slow
def test_continue_training_from_a_runs_model_and_refuse_other_blocks(tmp_path):
    lab = _with(load_preset("optimization_lab"), backend="jax", epochs=60, seed=0)
    first, _ = train_in_child(lab, tmp_path / "a")
    assert isinstance(first, ev.Finished), getattr(first, "details", first)
    start = first.run_dir + "/model.keras"
    # one more epoch from those weights starts where the first run ended, not from scratch
    again, events = train_in_child(_with(lab, epochs=1, initial_model=start), tmp_path / "b")
    assert isinstance(again, ev.Finished), getattr(again, "details", again)
    assert any(isinstance(e, ev.Log) and "Continuing from the weights of" in e.message for e in events)
    fresh, _ = train_in_child(_with(lab, epochs=1), tmp_path / "c")
    loss = lambda r: r.summary["metrics"]["train"]["loss"]  # noqa: E731
    assert loss(again) < 0.5 * loss(fresh), (loss(again), loss(fresh))
    assert abs(loss(again) - loss(first)) < 0.1
    # a model of other blocks: a clear refusal naming the file and what to do
    other = lab.model_copy(deep=True)
    other.model.blocks[1].params["units"] = 7
    refused, _ = train_in_child(_with(other, epochs=1, initial_model=start), tmp_path / "d")
    assert isinstance(refused, ev.Failed) and refused.reason == ev.MODEL_ERROR
    assert "do not fit this model" in refused.message and "model.keras" in refused.message
    assert not refused.details  # the message says it all: no traceback
    missing, _ = train_in_child(_with(lab, epochs=1, initial_model=str(tmp_path / "nope.keras")), tmp_path / "e")
    assert isinstance(missing, ev.Failed) and "does not exist" in missing.message
