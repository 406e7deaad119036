"""`python -m studio.engine.prediction_diff_worker`: how far apart several trained models' predictions are.

The backend shoot-out trains one spec on each backend; this child loads every run's model.keras on one
backend (a .keras file is portable across backends), predicts the same inputs (the test split, else
validation, else train) and reports the max and mean absolute difference of each model's outputs from the
first model's. Same request/answer protocol as `evaluate_worker` (`studio.jobs.evaluate_job.call_engine`).

    request   {"backend": "jax", "device": "cpu", "spec": {...}, "models": ["a/model.keras", ...],
               "split": "auto"}
    result    {"split": "test", "samples": 2000, "differences": [{"max": 0.0, "mean": 0.0}, ...]}
"""

from __future__ import annotations

import sys
from typing import Any

from studio.engine.evaluate_worker import log, serve


def handle(request: dict[str, Any]) -> dict[str, Any]:
    import numpy as np

    from studio.core.spec import parse_spec
    from studio.engine import evaluate

    spec = parse_spec(request["spec"], "spec")
    split, x, _y = evaluate.pick_split(evaluate.load_data(spec), request.get("split", "auto"))
    outputs = []
    for path in request["models"]:
        log(f"predicting {len(x)} {split} samples with {path}")
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


if __name__ == "__main__":
    sys.exit(serve(handle))
