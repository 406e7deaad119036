"""The check_optimizer job's handler: one training step of the user's optimizer on a tiny model.

    payload  {"backend": "jax", "device": "cpu", "path": ".../my_optimizer.py", "class_name": "MomentumSGD",
              "learning_rate": 0.01, "params": {}, "code": [the granted file]}
    result   {"loss_before": float, "loss_after": float, "changed": int (weights the step changed)}
    failure  CustomCodeError naming the file and line of the user's code that raised

Run in the warm worker of the backend (studio.jobs.workers), so the Check button answers in a second; the
file is imported fresh each time (studio.engine.custom_optimizer), so an edit is what gets checked.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from studio.engine.parent_watch import GONE_EXIT_CODE


def run(payload: dict[str, Any], channel: Any) -> dict[str, Any]:
    channel.on_gone(lambda: os._exit(GONE_EXIT_CODE), grace=5)
    from studio.engine.evaluate_worker import start_backend

    start_backend(payload)
    import keras
    import numpy as np

    from studio.engine import custom_optimizer
    from studio.engine.custom_optimizer import CustomCodeError, user_line

    custom_optimizer.grant(payload.get("code"))
    path, class_name = payload["path"], payload["class_name"]
    opt = custom_optimizer.make(path, class_name, float(payload.get("learning_rate", 0.01)),
                                dict(payload.get("params") or {}))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], dtype="float32")).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, name="dense")])
    model.compile(optimizer=opt, loss="mse")
    before = [np.array(w) for w in model.get_weights()]
    loss_before = float(model.evaluate(x, y, verbose=0))
    try:
        model.train_on_batch(x, y)
    except Exception as exc:  # noqa: BLE001 - the user's build or update_step may raise anything
        raise CustomCodeError(f"{Path(path).name}{user_line(exc, path)}: one training step failed: "
                              f"{type(exc).__name__}: {exc}") from None
    loss_after = float(model.evaluate(x, y, verbose=0))
    changed = sum(not np.array_equal(a, np.array(b)) for a, b in zip(before, model.get_weights(), strict=True))
    if not math.isfinite(loss_after):
        raise CustomCodeError(f"{Path(path).name}: one step made the loss {loss_after}; the update rule "
                              "overflows (a sign or a learning-rate factor may be wrong)")
    if not changed:
        raise CustomCodeError(f"{Path(path).name}: one step changed no weight; update_step must change the "
                              "variable (self.assign_add(variable, …) or self.assign(variable, …))")
    return {"loss_before": loss_before, "loss_after": loss_after, "changed": changed}
