"""Several devices in one training, without GPUs: simulated CPU devices (XLA's host device count on JAX,
logical CPUs on TensorFlow) via KERAS_STUDIO_SIMULATE_CPU_DEVICES, set in the child before its backend starts."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from studio.core.inspect_store import InspectRecord

from studio.core import events as ev
from studio.core.spec import SpecError, parse_spec
from studio.engine.bootstrap import SIMULATE_CPU_DEVICES
from tests.engine.conftest import ROOT
from tests.helpers import spec_from, train_in_child

BLOCKS = [{"id": "x", "type": "Input", "params": {"shape": [2]}},
          {"id": "hidden", "type": "Dense", "params": {"units": 16, "activation": "relu"}},
          {"id": "head", "type": "Dense", "params": {"units": 2, "activation": "softmax"}}]
MODEL_PARALLEL = {"mode": "model_parallel", "mesh_shape": [2, 2], "layout": {"hidden": [None, "model"]}}
# single and data-parallel runs start from the same weights and see the same batches; what differs is the
# order of the floating-point sums across devices, so the losses agree to float32 rounding
LOSS_TOLERANCE = 1e-4


def _spec(backend: str, distribution="none", n_samples=500, batch_size=32):
    return spec_from(BLOCKS, data={"source": "moons", "params": {"n_samples": n_samples}, "validation_split": 0.2},
                     training={"epochs": 3, "batch_size": batch_size, "backend": backend, "device": "cpu",
                               "loss": "sparse_categorical_crossentropy", "distribution": distribution})


def _problems(**training) -> list[str]:
    with pytest.raises(SpecError) as info:
        parse_spec({"model": {"blocks": BLOCKS}, "training": training})
    return info.value.problems


# --------------------------------------------------------------------------------------------- the spec
def test_torch_data_parallel_is_refused_naming_the_backends_that_do_it():
    (problem,) = _problems(backend="torch", distribution="data_parallel")
    assert problem.startswith("training.distribution: data_parallel runs on the jax or tensorflow backend")
    assert "set training.backend to jax or tensorflow" in problem


def test_torch_data_parallel_is_refused_by_check(tmp_path):
    out = subprocess.run([sys.executable, "-m", "studio", "check", "optimization_lab", "--no-data",
                          "--set", "training.backend=torch", "--set", "training.distribution=data_parallel"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 1
    assert "training.distribution: data_parallel runs on the jax or tensorflow backend" in out.stderr
    assert "Traceback" not in out.stderr


def test_model_parallel_is_jax_only():
    (problem,) = _problems(backend="tensorflow", distribution=MODEL_PARALLEL)
    assert problem == ("training.distribution: model_parallel runs on the jax backend only (Keras' ModelParallel), "
                       "received backend tensorflow; set training.backend to jax")


def test_layout_names_existing_blocks_and_mesh_axes():
    assert _problems(backend="jax", distribution={**MODEL_PARALLEL, "layout": {"hiden": [None, "model"]}}) == [
        "training.distribution.layout: no block `hiden`; the blocks are head, hidden, x"]
    (problem,) = _problems(backend="jax", distribution={**MODEL_PARALLEL, "layout": {"hidden": [None, "modl"]}})
    assert "layout.hidden: no mesh axis 'modl'; the axes are batch, model" in problem
    (problem,) = _problems(backend="jax", distribution={"mode": "model_parallel", "layout": {"hidden": [None]}})
    assert "model_parallel needs `mesh_shape`" in problem


def test_multi_host_fields_are_checked():
    multi = {"coordinator_address": "10.0.0.1:1234", "num_processes": 2, "process_id": 2}
    (problem,) = _problems(backend="jax", distribution={"mode": "data_parallel", "multi_host": multi})
    assert problem == ("training.distribution.multi_host: process_id must be 0 to 1 for 2 processes, received 2")
    # TensorFlow's MultiWorkerMirroredStrategy fails in Keras 3's fit (keras-team/keras#20585)
    (problem,) = _problems(backend="tensorflow",
                           distribution={"mode": "data_parallel", "multi_host": {**multi, "process_id": 1}})
    assert problem.startswith("training.distribution.multi_host: several hosts train on the jax backend only")


def test_the_mode_alone_is_shorthand_and_none_is_the_default():
    spec = parse_spec({"training": {"backend": "jax", "distribution": "data_parallel"}})
    assert spec.training.distribution.mode == "data_parallel" and spec.training.distribution.devices is None
    assert parse_spec({}).training.distribution.mode == "none"
    assert parse_spec(spec.to_dict()) == spec


def test_layout_keys_match_the_block_kernel_at_a_path_boundary():
    from studio.engine.distribution import kernel_key  # keras only inside setup

    key = kernel_key("hidden")
    assert re.fullmatch(key, "hidden/kernel") and re.fullmatch(key, "functional/hidden/kernel")
    assert not re.fullmatch(key, "not_hidden/kernel") and not re.fullmatch(key, "hidden/bias")


def test_old_started_events_load_without_devices():
    old = {"event": "Started", "run_dir": "r", "backend": "jax", "device": "cpu", "summary": [], "total_params": 1,
           "trainable_params": 1, "epochs": 1, "steps_per_epoch": 1, "train_samples": 1, "val_samples": 0,
           "test_samples": 0, "metrics": ["loss"]}
    assert ev.from_dict(old).devices == []


# --------------------------------------------------------------------------------------------- training
def _train(spec, tmp_path, monkeypatch, devices=4):
    monkeypatch.setenv(SIMULATE_CPU_DEVICES, str(devices))
    result, events = train_in_child(spec, tmp_path, timeout=400)
    assert isinstance(result, ev.Finished), f"{result.kind}: {getattr(result, 'message', '')}\n" \
                                            f"{getattr(result, 'details', '')}"
    started = next(e for e in events if isinstance(e, ev.Started))
    warnings = [e.message for e in events if isinstance(e, ev.Warning)]
    assert not [w for w in warnings if "evaluation" in w], warnings  # the full evaluation ran on the devices too
    assert not [w for w in warnings if "inside of the model" in w], warnings  # and the recording
    assert InspectRecord(result.run_dir).epochs[-1] == len([e for e in events if isinstance(e, ev.EpochEnd)])
    return [e.logs["loss"] for e in events if isinstance(e, ev.EpochEnd)], started


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["jax", "tensorflow"])
def test_data_parallel_reaches_the_single_device_loss(backend, tmp_path, monkeypatch):
    single, started = _train(_spec(backend), tmp_path / "single", monkeypatch)
    assert started.devices == []
    parallel, started = _train(_spec(backend, "data_parallel"), tmp_path / "parallel", monkeypatch)
    assert started.devices == ["cpu:0", "cpu:1", "cpu:2", "cpu:3"]
    assert len(parallel) == len(single) == 3 and single[-1] < single[0]  # it learned, and the same way
    assert parallel == pytest.approx(single, abs=LOSS_TOLERANCE)


@pytest.mark.slow
def test_data_parallel_on_chosen_devices(tmp_path, monkeypatch):
    _, started = _train(_spec("tensorflow", {"mode": "data_parallel", "devices": ["cpu:1", "cpu:3"]}), tmp_path,
                        monkeypatch)
    assert started.devices == ["cpu:1", "cpu:3"]


@pytest.mark.slow
def test_model_parallel_shards_the_kernel_it_was_told_to(probe, monkeypatch, tmp_path):
    spec = _spec("jax", MODEL_PARALLEL)
    monkeypatch.setenv(SIMULATE_CPU_DEVICES, "4")
    layout = probe("tests.engine.sharding_probe", "jax", spec.to_dict())
    assert layout["devices"] == ["cpu:0", "cpu:1", "cpu:2", "cpu:3"]
    # hidden's kernel (2 × 16): its 16 units split over the mesh's `model` axis of 2, copied along `batch`
    assert layout["hidden"] == {"spec": [None, "model"], "shard_shape": [2, 8], "devices": 4}
    assert layout["head"]["shard_shape"] == [16, 2]  # not in the layout: whole on every device
    losses, started = _train(spec, tmp_path, monkeypatch)  # and the engine trains it end to end
    assert started.devices == ["cpu:0", "cpu:1", "cpu:2", "cpu:3"] and losses[-1] < losses[0]


@pytest.mark.slow
def test_uneven_batches_on_jax_are_refused_before_training(tmp_path, monkeypatch):
    monkeypatch.setenv(SIMULATE_CPU_DEVICES, "4")
    result, _ = train_in_child(_spec("jax", "data_parallel", n_samples=503), tmp_path)
    assert isinstance(result, ev.Failed) and result.reason == ev.INVALID_SPEC and not result.details
    assert result.message.startswith("training.distribution: JAX splits every batch evenly over 4 devices")
    assert "402 train samples, 101 validation samples" in result.message


@pytest.mark.slow
def test_a_mesh_larger_than_the_devices_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(SIMULATE_CPU_DEVICES, "2")
    result, _ = train_in_child(_spec("jax", MODEL_PARALLEL), tmp_path)
    assert isinstance(result, ev.Failed) and result.reason == "device_unavailable"
    assert "mesh_shape [2, 2] needs 4 devices; this run sees 2 (cpu:0, cpu:1)" in result.message


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_processes_on_one_host_train_one_model(tmp_path, monkeypatch):
    """Multi-host on one machine: 2 processes of 2 simulated CPUs each join through keras.distribution.initialize
    (JAX's coordinator, Gloo collectives on CPU) and train one data-parallel model over all 4 devices."""
    from studio.jobs.process import TrainingProcess

    monkeypatch.setenv(SIMULATE_CPU_DEVICES, "2")
    address = f"127.0.0.1:{_free_port()}"
    procs = []
    for pid in (0, 1):
        multi = {"coordinator_address": address, "num_processes": 2, "process_id": pid}
        proc = TrainingProcess(_spec("jax", {"mode": "data_parallel", "multi_host": multi}), tmp_path / str(pid))
        proc.start()
        procs.append(proc)
    seen: list[list[ev.Event]] = [[], []]
    try:
        import time

        end = time.monotonic() + 400
        while any(p.terminal is None for p in procs) and time.monotonic() < end:
            for i, p in enumerate(procs):
                seen[i] += p.poll(0.1)
    finally:
        for p in procs:
            p.close()
    for p in procs:
        assert isinstance(p.terminal, ev.Finished), f"{p.terminal}"
    started = [next(e for e in events if isinstance(e, ev.Started)) for events in seen]
    assert started[0].devices == started[1].devices and len(started[0].devices) == 4
    assert started[0].train_samples == 200  # each process fed half of the 400 training samples
    losses = [[e.logs["loss"] for e in events if isinstance(e, ev.EpochEnd)] for events in seen]
    assert losses[0] == losses[1] and losses[0][-1] < losses[0][0]  # one model: the same loss on both
    # the metrics are global (Keras' metrics see the whole batch) and both processes keep the model; the
    # prediction-based evaluation report is not made across processes (its arrays span non-local devices)
    summaries = [p.terminal.summary for p in procs]
    assert summaries[0]["metrics"]["train"] == summaries[1]["metrics"]["train"]
    assert all((tmp_path / str(i) / p.terminal.run_dir.split("/")[-1] / "model.keras").is_file()
               for i, p in enumerate(procs))


# --------------------------------------------------------------------------------------------- the app
def test_the_training_panel_offers_data_parallel_and_says_how_the_batch_splits(qtbot):
    from studio.ui.document import Document
    from studio.ui.panels.training_panel import TrainingPanel

    doc = Document()
    panel = TrainingPanel(doc, ["tensorflow", "torch", "jax"])
    qtbot.addWidget(panel)
    combo = panel.distribution
    assert "global batch, split evenly over the devices" in combo.toolTip()
    combo.activated.emit(combo.findData("data_parallel"))
    assert doc.view()["training"]["distribution"]["mode"] == "data_parallel"
    doc.patch(lambda s: s["training"].update(distribution={"mode": "none"}), "back")
    assert combo.currentData() == "none"
    doc.patch(lambda s: s["training"].update(backend="torch"), "torch")
    combo.activated.emit(combo.findData("data_parallel"))  # refused, with the reason shown in the panel
    assert doc.view()["training"]["distribution"]["mode"] == "none" and combo.currentData() == "none"
    assert "data_parallel runs on the jax or tensorflow backend" in panel.error.text()
    doc.shutdown()  # its autosave timer
