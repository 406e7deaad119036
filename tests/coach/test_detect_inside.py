"""The inside detectors read per-block gradient scales and activation statistics from inspect snapshots."""

from __future__ import annotations

import numpy as np

from studio.core.coach import detect_inside as di
from studio.core.coach.fixes import apply_fix
from studio.core.coach.history import RunHistory
from tests.coach.histories import mlp_spec

BLOCKS = ("dense_1", "dense_2", "head")


def snapshot(grads: dict[str, float], stats: dict[str, list[float]] | None = None) -> dict[str, np.ndarray]:
    """An inspect snapshot: each block's kernel gradient of `size` values with the given RMS (norm = rms·√size)."""
    size = 64
    out: dict[str, np.ndarray] = {}
    for block, rms in grads.items():
        out[f"gradients/{block}/kernel/norm"] = np.array(rms * np.sqrt(size), np.float32)
        out[f"gradients/{block}/kernel/counts"] = np.full(32, size // 32, np.int32)
        out[f"weights/{block}/kernel/norm"] = np.array(np.sqrt(size), np.float32)
        out[f"weights/{block}/kernel/counts"] = np.full(32, size // 32, np.int32)
    for block, row in (stats or {}).items():
        out[f"stats/{block}"] = np.array(row, np.float32)
    return out


def recorded(*snapshots: dict[str, np.ndarray], activation: str = "relu") -> RunHistory:
    h = RunHistory(spec=mlp_spec(activation))
    for epoch, snap in enumerate(snapshots):
        h.add_snapshot(epoch, snap)
    return h


def test_snapshots_become_per_block_gradient_scales():
    h = recorded(snapshot({"dense_1": 0.5, "head": 0.1}), snapshot({"dense_1": 0.25}))
    assert h.inspect_epochs == [0, 1]
    assert np.allclose(h.grad_rms["dense_1"], [0.5, 0.25]) and np.isnan(h.grad_rms["head"][1])
    assert np.allclose(h.weight_rms["head"][0], 1.0)


def test_gradients_fading_towards_the_input_of_a_sigmoid_stack_are_vanishing():
    grads = {"dense_1": 1e-6, "dense_2": 1e-3, "head": 0.01}
    h = recorded(snapshot({"dense_1": 0.005, "dense_2": 0.008, "head": 0.01}), snapshot(grads), snapshot(grads),
                 activation="sigmoid")
    d = di.detect_vanishing_gradients(h)
    assert d is not None and d.blocks == ["dense_1"] and d.epoch == 1 and "1e+04×" in d.evidence
    assert d.fixes[0].label == "Use relu in dense_1, dense_2"
    relu = apply_fix(h.spec.to_dict(), d.fixes[0])
    assert [b["params"].get("activation") for b in relu["model"]["blocks"][1:3]] == ["relu", "relu"]
    with_bn = apply_fix(h.spec.to_dict(), d.fixes[1])
    assert [b["type"] for b in with_bn["model"]["blocks"]][:3] == ["Input", "Dense", "BatchNormalization"]
    assert di.detect_vanishing_gradients(recorded(snapshot({"dense_1": 0.005, "dense_2": 0.008, "head": 0.01}))) \
        is None


def test_growing_or_infinite_gradients_are_exploding():
    h = recorded(snapshot({"dense_1": 0.01, "head": 0.01}), snapshot({"dense_1": 0.5, "head": 0.02}))
    d = di.detect_exploding_gradients(h)
    assert d is not None and d.severity == "warning" and d.blocks == ["dense_1"] and "50×" in d.evidence
    assert d.fixes[0].changes[0].path == "optimizer.clipnorm"
    apply_fix(h.spec.to_dict(), d.fixes[0])
    broken = di.detect_exploding_gradients(recorded(snapshot({"dense_1": float("inf"), "head": 0.1})))
    assert broken is not None and broken.severity == "problem"
    assert di.detect_exploding_gradients(recorded(snapshot({"dense_1": 0.1, "head": 0.1}),
                                                  snapshot({"dense_1": 0.05, "head": 0.04}))) is None


def test_relu_layers_with_many_dead_units_are_reported_from_the_snapshot_they_appeared():
    nan = float("nan")
    h = recorded(snapshot({}, {"dense_1": [0.3, 0.5, 0.0, nan], "dense_2": [0.3, 0.5, 0.1, nan]}),
                 snapshot({}, {"dense_1": [0.3, 0.5, 0.5, nan], "dense_2": [0.3, 0.5, 0.2, nan]}),
                 snapshot({}, {"dense_1": [0.3, 0.5, 0.85, nan], "dense_2": [0.3, 0.5, 0.2, nan]}))
    d = di.detect_dead_relu(h)
    assert d is not None and d.severity == "problem" and d.blocks == ["dense_1"] and d.epoch == 1
    assert "dense_1 85%" in d.evidence
    assert apply_fix(h.spec.to_dict(), d.fixes[0])["model"]["blocks"][1]["params"]["activation"] == "leaky_relu"
    assert di.detect_dead_relu(recorded(snapshot({}, {"dense_1": [0.3, 0.5, 0.1, nan]}))) is None


def test_saturated_hidden_layers_count_but_a_confident_head_does_not():
    nan = float("nan")
    h = recorded(snapshot({}, {"dense_2": [0.5, 0.49, nan, 0.7], "head": [0.3, 0.4, nan, 0.99]}),
                 activation="tanh")
    d = di.detect_saturation(h)
    assert d is not None and d.blocks == ["dense_2"] and d.epoch is None  # seen at the initial weights
    assert apply_fix(h.spec.to_dict(), d.fixes[0])["model"]["blocks"][2]["params"]["activation"] == "relu"
    assert di.detect_saturation(recorded(snapshot({}, {"head": [0.3, 0.4, nan, 0.99]}))) is None
