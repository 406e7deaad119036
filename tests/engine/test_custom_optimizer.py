"""Your own optimizer (optimizer.name = "custom"): a keras.optimizers.Optimizer subclass in keras.ops trains
on every backend through the engine's own build, and the model it saved opens in Studio only with its file,
allowed. The optimizer is sign-SGD, written here (not the template): every weight moves by exactly the
learning rate each step, which no gradient-sized rule does."""

import pytest

pytestmark = pytest.mark.slow  # a keras child per backend

SIGN_SGD = '''
import keras
from keras import ops


class SignSGD(keras.optimizers.Optimizer):
    """w <- w - lr * sign(g)"""

    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        self.assign_sub(variable, ops.multiply(ops.sign(ops.cast(gradient, variable.dtype)), lr))


class Broken(keras.optimizers.Optimizer):
    def update_step(self, gradient, variable, learning_rate):
        raise ArithmeticError("a rule that breaks")  # line 16
'''
RATE = 0.05


def _spec(file):
    from tests.helpers import spec_from

    spec = spec_from([{"type": "Input", "params": {"shape": [3]}}, {"type": "Dense", "params": {"units": 1}}],
                     optimizer={"name": "custom", "path": str(file), "class_name": "SignSGD", "learning_rate": RATE})
    return spec.to_dict()


@pytest.mark.parametrize("backend", ["jax", "tensorflow", "torch"])
def test_sign_sgd_trains_and_its_model_reloads_only_with_its_file(probe, tmp_path, backend):
    file = tmp_path / "sign_sgd.py"
    file.write_text(SIGN_SGD)
    r = probe("tests.engine.custom_optimizer_probe", backend, {"spec": _spec(file), "work": str(tmp_path),
                                                                "steps": 5})
    assert r["optimizer"] == "SignSGD"
    assert r["losses"][-1] < r["losses"][0] * 0.95, r["losses"]
    assert all(a > b for a, b in zip(r["losses"], r["losses"][1:], strict=False)), r["losses"]  # every step goes down
    moved = [m for step in r["moves"] for m in step]
    assert moved and all(m == pytest.approx(RATE, rel=1e-3) for m in moved), "each weight moves by exactly lr"
    assert r["reloaded_same"] and r["full_optimizer"] == "SignSGD"
    assert "trained with your own optimizer `SignSGD`" in r["no_file"] and "--allow-code" in r["no_file"]
    assert "sign_sgd.py" in r["not_granted"] and "--allow-code" in r["not_granted"]
    assert r["broken"].startswith("custom_code|True|sign_sgd.py, line 16: ArithmeticError: a rule that breaks")
