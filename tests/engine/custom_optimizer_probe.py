"""`python -m tests.engine.custom_optimizer_probe PAYLOAD.json`: train a tiny regression with the user's own
optimizer through the engine's own path (spec → build → compile), step by step, then save the model and load
it back through Studio's loader with and without the optimizer's file. Prints one RESULT line."""

import json
import os
import shutil
import sys
from pathlib import Path

from studio.engine import bootstrap


def main(path: str) -> None:
    keras = bootstrap.start(os.environ["KERAS_BACKEND"], "cpu")
    import numpy as np

    from studio.core.analysis import DataShape
    from studio.core.spec import parse_spec
    from studio.engine import build, custom_optimizer
    from studio.engine.evaluate import EvaluationError, load_model

    payload = json.loads(Path(path).read_text())
    spec = parse_spec(payload["spec"])
    work = Path(payload["work"])
    custom_optimizer.grant([spec.optimizer.path])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x @ np.array([[2.0], [-1.0], [0.5]], dtype="float32") + 0.3).astype("float32")
    model = build.build_model(spec)
    build.compile_model(model, spec, DataShape((3,), "regression", 0, 1), steps_per_epoch=1)
    losses, moves = [float(model.evaluate(x, y, verbose=0, return_dict=True)["loss"])], []
    for _ in range(payload["steps"]):
        before = [np.array(w) for w in model.get_weights()]
        model.train_on_batch(x, y)
        moves += [np.abs(np.array(a) - b).ravel().tolist() for a, b in zip(model.get_weights(), before, strict=True)]
        losses.append(float(model.evaluate(x, y, verbose=0, return_dict=True)["loss"]))
    saved = work / "model.keras"
    model.save(saved)

    def refusal(code):
        try:
            load_model(saved, code)
        except EvaluationError as exc:
            return str(exc)
        return ""

    cls = spec.optimizer.class_name
    reloaded = load_model(saved, (spec.optimizer.path, cls))  # Studio's loader, the trusted file beside it
    full = keras.saving.load_model(saved, safe_mode=True)  # its optimizer too: registered by the trusted file
    elsewhere = work / "copy" / Path(spec.optimizer.path).name
    elsewhere.parent.mkdir()
    shutil.copy(spec.optimizer.path, elsewhere)
    result = {
        "optimizer": type(model.optimizer).__name__, "losses": losses, "moves": moves,
        "reloaded_same": bool(np.allclose(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))),
        "full_optimizer": type(full.optimizer).__name__,
        "no_file": refusal(None), "not_granted": refusal((str(elsewhere), cls)),
    }
    result["broken"] = _broken_step(keras, spec, x, y)
    print("RESULT " + json.dumps(result), flush=True)


def _broken_step(keras, spec, x, y) -> str:
    """What the error classifier says of an update_step that raises while training: its file and line."""
    from studio.engine import build
    from studio.engine.errors import classify

    broken = spec.model_copy(deep=True)
    broken.optimizer.class_name = "Broken"
    model = build.build_model(broken)
    model.compile(optimizer=build.make_optimizer(broken, 1), loss="mse")
    try:
        model.train_on_batch(x, y)
    except Exception as exc:  # noqa: BLE001 - the point: whatever it raised
        c = classify(exc)
        return f"{c.reason}|{c.expected}|{c.message}"
    return "no error"


if __name__ == "__main__":
    main(sys.argv[1])
