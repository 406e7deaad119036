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


def test_a_run_trains_with_the_schedule_and_studio_loads_its_model(tmp_path):
    """The shared formula drives a real run (the epoch-end rates are the formula's) and the saved model, whose
    optimizer holds the Keras Studio schedule, opens in Studio's own loader."""
    from studio.core import events as ev
    from studio.core.optimizers import learning_rate_at
    from tests.helpers import spec_from, train_in_child

    spec = spec_from([{"type": "Input", "params": {"shape": [2]}},
                      {"type": "Dense", "params": {"units": 2, "activation": "softmax"}}],
                     data={"source": "optimization_lab", "validation_split": 0.0},
                     optimizer={"name": "sgd", "learning_rate": 0.1,
                                "schedule": {"name": "step", "params": {"step_epochs": 1, "factor": 0.5}}},
                     regularization={"early_stopping": {"monitor": "val_loss", "patience": 50}},
                     training={"epochs": 3, "batch_size": 5, "backend": "jax", "seed": 1})
    terminal, seen = train_in_child(spec, tmp_path)
    assert isinstance(terminal, ev.Finished), terminal
    rates = [e.learning_rate for e in seen if isinstance(e, ev.EpochEnd)]
    steps = 2  # 10 samples in batches of 5
    want = [float(learning_rate_at(0.1, "step", {"step_epochs": 1, "factor": 0.5}, (i + 1) * steps, steps, 3))
            for i in range(3)]
    assert rates == pytest.approx(want, rel=1e-5)
    import subprocess
    import sys

    code = ("import sys; from studio.engine import bootstrap; bootstrap.start('jax', 'cpu'); "
            "from studio.engine.evaluate import load_model; print(load_model(sys.argv[1]).count_params())")
    done = subprocess.run([sys.executable, "-c", code, terminal.run_dir + "/model.keras"], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "6"
