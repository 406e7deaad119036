"""Recording the inside of the model during real training, on every backend: a digits convnet with a skip
connection records activations of the blocks' shapes, histograms that count every weight, filters, saliency
and Grad-CAM; and what a learner should see: a deep sigmoid stack's gradients fade layer by layer, and a
ReLU layer started with a large negative bias is dead."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from studio.core import events as ev
from studio.core.inspect_store import InspectRecord
from tests.helpers import BACKENDS, spec_from, train_in_child

pytestmark = pytest.mark.slow  # every test trains in a child

SKIP_NET = [
    {"id": "image", "type": "Input", "params": {"shape": [8, 8, 1]}},
    {"id": "conv_1", "type": "Conv2D", "params": {"filters": 6, "kernel_size": 3, "padding": "same",
                                                  "activation": "relu"}},
    {"id": "conv_2", "type": "Conv2D", "params": {"filters": 6, "kernel_size": 3, "padding": "same"}},
    {"id": "skip", "type": "Add", "inputs": ["conv_1", "conv_2"]},
    {"id": "pool", "type": "MaxPooling2D"},
    {"id": "flat", "type": "Flatten"},
    {"id": "head", "type": "Dense", "params": {"units": 10, "activation": "softmax"}},
]


def _train(blocks, data, tmp_path, backend, epochs):
    spec = spec_from(blocks, data=data, meta={"title": "inside"}, inspect={"probes": 4},
                     training={"epochs": epochs, "batch_size": 64, "backend": backend, "metrics": ["accuracy"]})
    result, events = train_in_child(spec, tmp_path)
    assert isinstance(result, ev.Finished), getattr(result, "details", result)
    assert not [e.message for e in events if isinstance(e, ev.Warning) and "inside" in e.message]
    return InspectRecord(result.run_dir), events


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_convnet_with_a_skip_records_every_view(backend, tmp_path):
    record, events = _train(SKIP_NET, {"source": "digits", "validation_split": 0.2}, tmp_path, backend, epochs=2)
    assert [e.epoch for e in events if isinstance(e, ev.Inspect)] == [0, 1, 2]  # the start, then each epoch
    assert record.epochs == [0, 1, 2] and record.probes == 4
    listing = record.listing()["layers"]
    assert listing["conv_1"] == ["activations", "weights", "gradients", "filters"]
    assert listing["conv_2"] == ["activations", "weights", "gradients", "gradcam"]
    assert listing["skip"] == listing["pool"] == listing["flat"] == ["activations"]
    assert listing["image"] == ["saliency"]
    started = next(e for e in events if isinstance(e, ev.Started))
    for row in started.summary:
        if "activations" in listing.get(row["name"], []):
            (maps,) = record.arrays("activations", row["name"], epoch=2).values()
            assert list(maps.shape) == [4, *row["output_shape"][1:]], row["name"]
    kernel_size = {"conv_1": 3 * 3 * 1 * 6, "conv_2": 3 * 3 * 6 * 6, "head": 96 * 10}
    for block, size in kernel_size.items():
        for view in ("weights", "gradients"):
            hist = record.arrays(view, block, epoch="last")
            assert hist["kernel/counts"].sum() == size and len(hist["kernel/edges"]) == len(hist["kernel/counts"]) + 1
            assert hist["kernel/norm"] > 0
    assert record.arrays("filters", "conv_1")["conv_1"].shape == (3, 3, 1, 6)
    saliency = record.arrays("saliency", "image", epoch=1)["image"]
    assert saliency.shape == (4, 8, 8, 1) and np.abs(saliency).max() > 0
    assert record.arrays("gradcam", "conv_2", probe=0)["conv_2"].shape == (8, 8)
    probes = record.probe_arrays()
    assert probes["x/image"].shape == (4, 8, 8, 1) and len(set(probes["y"].tolist())) == 4  # one of each class
    changed = record.arrays("weights", "conv_1", epoch=0)["kernel/norm"] != record.arrays(
        "weights", "conv_1", epoch=2)["kernel/norm"]
    assert changed, "the snapshots hold the weights of their own epoch"
    if backend == "jax":  # Try it looks inside the final model with the user's own input, in the warm worker
        _try_it_looks_inside(record, started)


def _try_it_looks_inside(record, started):
    import json
    from pathlib import Path

    from studio.jobs.predictor import Predictor

    run = Path(record.folder).parent
    predictor = Predictor(run / "model.keras", json.loads((run / "spec.json").read_text()), "jax")
    try:
        predictor.start()
        drawing = record.probe_arrays()["x/image"][:1]
        answer = predictor.request("inside", x=drawing)
    finally:
        predictor.close()
    shapes = {row["name"]: row["output_shape"][1:] for row in started.summary}
    assert answer["layers"] == ["conv_1", "conv_2", "skip", "pool", "flat", "head"]
    for name in answer["layers"]:
        assert list(np.shape(answer["maps"][name])) == shapes[name], name
    assert np.shape(answer["saliency"][0]) == (8, 8, 1) and np.abs(answer["saliency"][0]).max() > 0
    assert np.shape(answer["gradcam"]) == (8, 8) and np.shape(answer["y"]) == (1, 10)
    final = record.arrays("activations", "conv_1", epoch="last", probe=0)["conv_1"]
    np.testing.assert_allclose(answer["maps"]["conv_1"], final, atol=2e-2)  # the recording's last epoch, float16


def test_a_learner_sees_fading_gradients_and_dead_units(tmp_path):
    stack = [{"id": f"s{i}", "type": "Dense", "params": {"units": 16, "activation": "sigmoid"},
              **({"inputs": ["x"]} if i == 1 else {})} for i in range(1, 7)]
    blocks = [{"id": "x", "type": "Input", "params": {"shape": [2]}},
              {"id": "dead", "type": "Dense", "params": {"units": 8, "activation": "relu", "bias_start": -50.0}},
              {"id": "alive", "type": "Dense", "params": {"units": 8, "activation": "relu"}, "inputs": ["x"]},
              *stack,
              {"id": "join", "type": "Concatenate", "inputs": ["dead", "alive", "s6"]},
              {"id": "out", "type": "Dense", "params": {"units": 1, "activation": "sigmoid"}}]
    record, _ = _train(blocks, {"source": "moons", "params": {"n_samples": 400}, "validation_split": 0.25},
                       tmp_path, "torch", epochs=2)
    norms = record.norms("gradients")
    at_start = [norms[f"s{i}"][0] for i in range(1, 7)]
    assert all(a < b for a, b in itertools.pairwise(at_start)), at_start  # further from the loss: less
    assert at_start[0] < at_start[-1] / 20
    assert list(record.stats("dead")["dead"]) == [1.0, 1.0, 1.0]  # every unit zero on every sample, throughout
    assert record.stats("alive")["dead"][0] < 0.5
    assert norms["dead"][-1] == 0  # a dead unit passes no gradient, so it never recovers
    assert 0 <= record.stats("s6")["saturated"][-1] <= 1
