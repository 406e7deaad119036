"""Every event type survives the wire form (one JSON line) unchanged, and anything else is refused."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from studio.core import events as ev

SAMPLES = {
    "Started": dict(run_dir="r", backend="jax", device="cpu", summary=[{"name": "d", "params": 3}],
                    total_params=3, trainable_params=3, epochs=2, steps_per_epoch=5, train_samples=40,
                    val_samples=10, test_samples=0, metrics=["loss", "accuracy"], task="classification",
                    versions={"keras": "3"}),
    "BatchEnd": dict(epoch=0, step=2, steps=5, global_step=2, logs={"loss": 0.5, "batch_loss": 0.4},
                     samples_per_s=123.5),
    "EpochEnd": dict(epoch=1, epochs=2, logs={"loss": 0.3, "val_loss": 0.35}, learning_rate=1e-3, seconds=0.7,
                     samples_per_s=900.0),
    "Boundary": dict(epoch=0, extent=[0.0, 1.0, -1.0, 1.0], size=2, task="classification", values="AAEBAA==",
                     confidence="/wD/AA==", num_classes=2),
    "Inspect": dict(epoch=3, file="inspect/epoch-00003.npz", bytes=4096, seconds=0.05),
    "Warning": dict(message="careful"),
    "Log": dict(message="Paused"),
    "Progress": dict(done=2, total=5, message="export onnx"),
    "Ready": dict(info={"input_shape": [28, 28, 1], "class_names": ["a", "b"]}),
    "Result": dict(data={"evaluation": {"accuracy": 0.9}}, id=3, error=""),
    "Finished": dict(run_dir="r", summary={"epochs_run": 2}),
    "Stopped": dict(run_dir="r", summary={"epochs_run": 1}, reason="stopped by Ctrl-C"),
    "Failed": dict(reason=ev.OUT_OF_MEMORY, message="Ran out of memory.", details="trace", run_dir="r"),
    "Artifact": dict(name="run.tar.gz", index=0, count=2, data="H4sIAAAAAAAA"),
    "Envelope": dict(job=7, body={"event": "Log", "message": "evaluating", "t": 1.0}),
}


def test_an_envelope_carries_a_jobs_event_with_its_arrays_and_is_never_terminal():
    inner = ev.Result(data={"y": np.array([[0.25, 0.75]], dtype=np.float32)}, id=0)
    wrapped = ev.from_json(ev.to_json(ev.Envelope(job=3, body=inner.to_dict())))
    assert isinstance(wrapped, ev.Envelope) and wrapped.job == 3 and not ev.is_terminal(wrapped)
    back = wrapped.inner()
    assert isinstance(back, ev.Result) and ev.is_terminal(back) and back.data == {"y": [[0.25, 0.75]]}


def test_a_dict_where_the_event_name_goes_is_refused_as_not_an_event():
    with pytest.raises(ValueError, match="not a job event"):
        ev.from_dict({"event": {"event": "Log"}})


def test_the_samples_cover_every_event_type():
    assert set(SAMPLES) == set(ev.EVENT_TYPES)


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_event_round_trips_through_one_json_line(kind):
    event = ev.EVENT_TYPES[kind](**SAMPLES[kind], t=1234.5)
    line = ev.to_json(event)
    assert "\n" not in line
    back = ev.from_json(line)
    assert type(back) is type(event) and dataclasses.asdict(back) == dataclasses.asdict(event)


def test_numpy_values_travel_as_plain_json():
    event = ev.Result(data={"y": np.arange(3, dtype=np.float32).reshape(1, 3), "n": np.int64(7)}, id=1)
    back = ev.from_json(ev.to_json(event))
    assert back.data == {"y": [[0.0, 1.0, 2.0]], "n": 7}


def test_a_line_that_is_no_event_is_refused_with_what_was_expected():
    with pytest.raises(ValueError, match="one JSON object per line"):
        ev.from_json("TensorFlow banner: oneDNN custom operations are on")
    with pytest.raises(ValueError, match="expected an `event` key naming one of .*Failed"):
        ev.from_json(json.dumps({"event": "Exploded"}))
    with pytest.raises(ValueError, match="expected a JSON object"):
        ev.from_json("[1, 2]")


def test_only_the_last_event_of_a_job_is_terminal():
    assert ev.is_terminal(ev.Finished(run_dir="r", summary={}))
    assert ev.is_terminal(ev.Result(data={}))  # a one-shot job's answer
    assert not ev.is_terminal(ev.Result(data={}, id=4))  # one answer of the long-lived predictor
    assert not ev.is_terminal(ev.Progress(done=1))
