"""The compare job's handler in the child runner: how far apart several trained models' predictions are.

The backend shoot-out trains one spec on each backend; this child loads every run's model.keras on one
backend (a .keras file is portable across backends), predicts the same inputs (the test split, else
validation, else train) and reports the max and mean absolute difference of each model's outputs from the
first model's.

    payload   {"backend": "jax", "device": "cpu", "spec": {...}, "models": ["a/model.keras", ...],
               "split": "auto"}
    result    {"split": "test", "samples": 2000, "differences": [{"max": 0.0, "mean": 0.0}, ...]}
"""

from __future__ import annotations

import os
from typing import Any

from studio.core import events as ev
from studio.engine.evaluate_worker import start_backend
from studio.engine.parent_watch import GONE_EXIT_CODE


def run(request: dict[str, Any], channel: Any) -> dict[str, Any]:
    channel.on_gone(lambda: os._exit(GONE_EXIT_CODE), grace=5)  # nobody will read the answer
    start_backend(request)
    import numpy as np

    from studio.core.spec import parse_spec
    from studio.engine import evaluate

    spec = parse_spec(request["spec"], "spec")
    split, x, _y = evaluate.pick_split(evaluate.load_data(spec), request.get("split", "auto"))
    outputs = []
    for path in request["models"]:
        channel.emit(ev.Log(message=f"predicting {len(x)} {split} samples with {path}"))
        model = evaluate.load_model(path)
        evaluate.check_fits(model, x)
        outputs.append(evaluate.predict(model, x).astype(np.float64))
    reference = outputs[0]
    differences = []
    for out in outputs:
        if out.shape != reference.shape:
            raise evaluate.EvaluationError(f"the models' outputs differ in shape: {tuple(reference.shape)} "
                                           f"and {tuple(out.shape)}; a shoot-out compares runs of one spec")
        diff = np.abs(out - reference)
        differences.append({"max": float(diff.max(initial=0.0)), "mean": float(diff.mean()) if diff.size else 0.0})
    return {"split": split, "samples": len(x), "differences": differences}
