"""Trained runs shared by the evaluation and export tests (trained once per session, concurrently)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from studio.core import events as ev
from studio.core.spec import parse_spec
from studio.jobs.process import TrainingProcess

IRIS = {
    "meta": {"title": "Iris eval"},
    "model": {"blocks": [
        {"id": "input_1", "type": "Input", "params": {"shape": [4]}},
        {"id": "dense_1", "type": "Dense", "params": {"units": 16, "activation": "relu", "kernel_l2": 0.001}},
        {"id": "dropout_1", "type": "Dropout", "params": {"rate": 0.1}},
        {"id": "dense_2", "type": "Dense", "params": {"units": 3, "activation": "softmax"}}]},
    "data": {"source": "iris", "normalize": "standard", "validation_split": 0.2, "test_split": 0.2},
    "optimizer": {"name": "adam", "learning_rate": 0.02},
    "training": {"epochs": 4, "batch_size": 32, "backend": "jax", "seed": 3},
}

SINE = {
    "meta": {"title": "Sine eval"},
    "model": {"blocks": [
        {"id": "input_1", "type": "Input", "params": {"shape": [16, 1]}},
        {"id": "conv_1", "type": "Conv1D", "params": {"filters": 8, "kernel_size": [3], "activation": "relu"}},
        {"id": "flatten_1", "type": "Flatten"},
        {"id": "dense_1", "type": "Dense", "params": {"units": 1, "activation": "linear"}}]},
    "data": {"source": "sine", "params": {"length": 240, "window": 16}, "normalize": "standard",
             "test_split": 0.2},
    "optimizer": {"name": "adam", "learning_rate": 0.01},
    "training": {"epochs": 3, "batch_size": 32, "backend": "torch", "metrics": ["mae"], "seed": 1},
}


@pytest.fixture(scope="session")
def runs(tmp_path_factory) -> dict[str, Path]:
    """{'iris': run dir trained on jax, 'sine': run dir trained on torch}."""
    root = tmp_path_factory.mktemp("eval-runs")
    procs = {name: TrainingProcess(parse_spec(spec), root) for name, spec in (("iris", IRIS), ("sine", SINE))}
    dirs = {name: p.start() for name, p in procs.items()}
    end = time.monotonic() + 300
    try:
        while any(p.terminal is None for p in procs.values()) and time.monotonic() < end:
            for p in procs.values():
                p.poll(0.1)
    finally:
        for p in procs.values():
            p.close()
    for name, p in procs.items():
        assert isinstance(p.terminal, ev.Finished), f"training {name} did not finish: {p.terminal}"
    return dirs
