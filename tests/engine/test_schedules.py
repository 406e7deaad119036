"""One learning-rate formula (studio.core.optimizers.learning_rate_at): the curve the GUI draws with NumPy is
the one the engine trains with on keras.ops, and both follow Keras' own built-in schedules."""

import pytest

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


def _check(probe, backend):
    payload = {name: {"optimizer": {"name": "sgd", "learning_rate": 0.1, "schedule": s},
                      "training": {"epochs": 12}} for name, s in SCHEDULES.items()}
    results = probe("tests.engine.schedule_probe", backend, payload)
    for name, rows in results.items():
        for step, engine, core, keras_builtin in rows:
            assert core == pytest.approx(engine, rel=1e-5, abs=1e-8), f"{name} at step {step}: GUI vs engine"
            assert engine == pytest.approx(keras_builtin, rel=1e-4, abs=1e-7), f"{name} at step {step}: vs Keras"


def test_one_schedule_formula_on_numpy_and_keras_ops(probe):
    _check(probe, "jax")


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["tensorflow", "torch"])
def test_the_schedule_formula_on_the_other_backends(probe, backend):
    _check(probe, backend)


def test_the_preview_draws_a_whole_curve_at_once():
    import numpy as np

    from studio.core.optimizers import learning_rate_at

    epochs = np.linspace(0, 10, 11)
    rates = learning_rate_at(0.1, "step", {"step_epochs": 4, "factor": 0.5}, epochs * 100, 100, 10)
    np.testing.assert_allclose(rates, [0.1] * 4 + [0.05] * 4 + [0.025] * 3)
    with pytest.raises(ValueError, match="Unknown schedule"):
        learning_rate_at(0.1, "linear", {}, 0.0, 100, 10)
