"""`python -m tests.engine.unsafe_model_probe DIR`: build .keras files that safe mode refuses (a TFSMLayer, a
Lambda holding a Python lambda) and print what studio.engine.evaluate.load_model says about each."""

from __future__ import annotations

import json
import os
import sys
import zipfile
from pathlib import Path

from studio.engine import bootstrap

INPUT = {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
         "config": {"batch_shape": [None, 2], "dtype": "float32", "name": "x"}}
LAYERS = {
    "tfsm": {"module": "keras.layers", "class_name": "TFSMLayer", "registered_name": None,
             "config": {"name": "tfsm", "filepath": "/nowhere/saved_model", "call_endpoint": "serve",
                        "trainable": False, "dtype": "float32"}},
    "lambda": {"module": "keras.layers", "class_name": "Lambda", "registered_name": None,
               "config": {"name": "fn", "trainable": True, "dtype": "float32",
                          "function": {"class_name": "__lambda__", "config": {"value": ["4wEAAAAAAAAA", None, None]}},
                          "arguments": {}}},
}


def write(path: Path, layer: dict) -> None:
    config = {"module": "keras", "class_name": "Sequential", "registered_name": None,
              "config": {"name": "s", "trainable": True, "layers": [INPUT, layer]}}
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("config.json", json.dumps(config))
        z.writestr("metadata.json", json.dumps({"keras_version": "3.10.0", "date_saved": "2026-01-01"}))


def main(folder: str) -> None:
    bootstrap.start(os.environ["KERAS_BACKEND"], "cpu")
    from studio.engine.evaluate import EvaluationError, load_model

    out = {}
    for name, layer in LAYERS.items():
        path = Path(folder) / f"{name}.keras"
        write(path, layer)
        try:
            load_model(path)
            out[name] = "loaded"
        except EvaluationError as exc:
            out[name] = exc.message if hasattr(exc, "message") else str(exc)
    print("RESULT " + json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
