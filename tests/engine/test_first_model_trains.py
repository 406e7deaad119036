"""The first-hour model (Input → Dense → Dropout → Dense on the two-class lab data, loss auto) trains without
NaN after each fix the checker offers; unfixed, the engine refuses it with the checker's reason instead of
failing at step 1 with advice about the learning rate."""

from __future__ import annotations

import math

import pytest

from studio.core import events as ev
from studio.core.analysis import DataShape, apply_run_fix, check_spec
from studio.core.spec import parse_spec
from tests.helpers import train_in_child

pytestmark = pytest.mark.slow  # every test trains in a child

TWO = DataShape((2,), "classification", 2)


def _first_model(head: dict) -> dict:
    return {"model": {"blocks": [{"id": "input_1", "type": "Input", "params": {"shape": [2]}},
                                 {"id": "dense_1", "type": "Dense", "params": {}},
                                 {"id": "dropout_1", "type": "Dropout", "params": {}},
                                 {"id": "dense_2", "type": "Dense", "params": head}]},
            "training": {"epochs": 5, "backend": "jax", "loss": "auto"}}


def test_a_relu_head_is_refused_with_the_checkers_reason_not_a_nan(tmp_path):
    result, _ = train_in_child(parse_spec(_first_model({"units": 2})), tmp_path)
    assert isinstance(result, ev.Failed) and result.reason == ev.MODEL_ERROR, result
    assert "relu" in result.message and "softmax" in result.message


@pytest.mark.parametrize("choice", [0, 1])
def test_each_offered_fix_trains_without_nan(tmp_path, choice):
    spec = _first_model({})
    fix = check_spec(parse_spec(spec), TWO).by_id()["dense_2"].fixes[choice]
    apply_run_fix(spec, "dense_2", fix)
    result, events = train_in_child(parse_spec(spec), tmp_path)
    assert isinstance(result, ev.Finished), getattr(result, "details", result)
    losses = [e.logs["loss"] for e in events if isinstance(e, ev.EpochEnd)]
    assert len(losses) == 5 and all(math.isfinite(v) for v in losses)
