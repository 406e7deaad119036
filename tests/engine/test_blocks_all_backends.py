"""Every catalogue block builds and runs forward on every backend, with the shapes and parameter counts
the keras-free checker predicts."""

from __future__ import annotations

import pytest

from studio.core import catalog
from tests.helpers import BACKENDS

IMAGE = {"id": "x", "type": "Input", "params": {"shape": [12, 12, 3]}}
SEQ = {"id": "x", "type": "Input", "params": {"shape": [10, 4]}}
FLAT = {"id": "x", "type": "Input", "params": {"shape": [6]}}

INPUT_FOR = {
    "Conv2D": IMAGE, "SeparableConv2D": IMAGE, "Conv2DTranspose": IMAGE, "MaxPooling2D": IMAGE,
    "AveragePooling2D": IMAGE, "GlobalAveragePooling2D": IMAGE, "GlobalMaxPooling2D": IMAGE,
    "SpatialDropout2D": IMAGE, "Flatten": IMAGE,
    "Conv1D": SEQ, "MaxPooling1D": SEQ, "AveragePooling1D": SEQ, "GlobalAveragePooling1D": SEQ,
    "GlobalMaxPooling1D": SEQ, "SimpleRNN": SEQ, "LSTM": SEQ, "GRU": SEQ, "Bidirectional": SEQ,
    "SpatialDropout1D": SEQ,
}


def _case(block_type: str, params: dict | None = None) -> dict:
    entry = catalog.get(block_type)
    params = params or {}
    if block_type == "Input":
        return {"model": {"blocks": [dict(FLAT)]}}
    if entry.arity is None:  # merging: two branches from one input
        blocks = [FLAT, {"id": "a", "type": "Dense", "params": {"units": 5}, "inputs": ["x"]},
                  {"id": "b", "type": "Dense", "params": {"units": 5}, "inputs": ["x"]},
                  {"id": "m", "type": block_type, "params": params, "inputs": ["a", "b"]}]
        return {"model": {"blocks": blocks}}
    if block_type == "Embedding":
        first = {"id": "x", "type": "Input", "params": {"shape": [7], "dtype": "int32"}}
        params = {"input_dim": 50, "output_dim": 8, **params}
    elif block_type == "Reshape":
        first, params = FLAT, {"target_shape": [3, -1], **params}
    elif block_type == "RandomCrop":
        first, params = IMAGE, {"height": 8, "width": 10, **params}
    elif entry.category == "Augmentation":
        first = IMAGE
    else:
        first = INPUT_FOR.get(block_type, FLAT)
    return {"model": {"blocks": [first, {"id": "m", "type": block_type, "params": params}]}}


CASES = {b.type: _case(b.type) for b in catalog.BLOCK_LIST}
# non-default settings whose shape or parameter arithmetic differs
CASES.update({
    "Conv2D same/2": _case("Conv2D", {"padding": "same", "strides": [2, 2], "filters": 5}),
    "Conv2D dilated": _case("Conv2D", {"dilation_rate": 2, "kernel_size": [3, 2], "use_bias": False}),
    "Conv1D causal": _case("Conv1D", {"padding": "causal", "strides": 3}),
    "MaxPooling2D same/3": _case("MaxPooling2D", {"pool_size": [3, 3], "padding": "same"}),
    "AveragePooling1D strides": _case("AveragePooling1D", {"pool_size": [3], "strides": [2]}),
    "Conv2DTranspose valid/2": _case("Conv2DTranspose", {"strides": [2, 2], "kernel_size": [3, 3]}),
    "Conv2DTranspose same/2": _case("Conv2DTranspose", {"strides": [2, 2], "padding": "same"}),
    "SeparableConv2D dm2": _case("SeparableConv2D", {"depth_multiplier": 2, "padding": "same"}),
    "GRU sequences": _case("GRU", {"return_sequences": True, "units": 7}),
    "Bidirectional GRU sum": _case("Bidirectional", {"layer": "GRU", "merge_mode": "sum", "units": 6}),
    "Bidirectional SimpleRNN seq": _case("Bidirectional", {"layer": "SimpleRNN", "return_sequences": True}),
    "BatchNormalization no center": _case("BatchNormalization", {"center": False}),
    "GlobalMaxPooling2D keepdims": _case("GlobalMaxPooling2D", {"keepdims": True}),
    "Concatenate axis 1": _case("Concatenate", {"axis": 1}),
    "Dense regularized": _case("Dense", {"kernel_l1": 0.01, "kernel_l2": 0.01}),
})


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_every_block_builds_and_matches_the_checker(backend, probe):
    results = probe("tests.engine.backend_probe", backend, CASES)
    failures = {name: r["error"] for name, r in results.items() if not r["ok"]}
    assert not failures, failures
    for name, r in results.items():
        assert r["finite"], f"{name}: non-finite output on {backend}"
        assert r["model_params"] == r["core_total"], f"{name}: keras {r['model_params']} vs core {r['core_total']}"
        for block, b in r["blocks"].items():
            assert b["keras_shape"] == b["core_shape"], f"{name}/{block}: {b}"
            assert b["keras_params"] == b["core_params"], f"{name}/{block}: {b}"
    assert set(b.type for b in catalog.BLOCK_LIST) <= set(results)
