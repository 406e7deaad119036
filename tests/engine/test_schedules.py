"""The learning-rate curve the GUI draws (core, keras-free) is the one the engine trains with (Keras)."""

import pytest

pytestmark = pytest.mark.slow  # a keras child per backend

SCHEDULES = {
    "constant": {"name": "constant"},
    "exponential": {"name": "exponential", "params": {"decay_epochs": 2, "decay_rate": 0.5}},
    "exponential staircase": {"name": "exponential", "params": {"decay_epochs": 3, "decay_rate": 0.7,
                                                                "staircase": True}},
    "step": {"name": "step", "params": {"step_epochs": 4, "factor": 0.1}},
    "cosine": {"name": "cosine", "params": {"alpha": 0.1}},
    "cosine warm-up": {"name": "cosine", "params": {"warmup_epochs": 2, "alpha": 0.0}},
    "piecewise": {"name": "piecewise", "params": {"boundaries": [3, 7], "values": [0.1, 0.01, 0.001]}},
}


def test_core_schedule_formulas_match_keras(probe):
    payload = {name: {"optimizer": {"name": "sgd", "learning_rate": 0.1, "schedule": s},
                      "training": {"epochs": 12}} for name, s in SCHEDULES.items()}
    results = probe("tests.engine.schedule_probe", "jax", payload)
    for name, rows in results.items():
        for step, engine, core in rows:
            assert core == pytest.approx(engine, rel=1e-4, abs=1e-7), f"{name} at step {step}"
