"""`python -m tests.engine.load_probe PAYLOAD.json`: load model.keras files (safe mode) and report them."""

import json
import os
import sys
from pathlib import Path

from studio.engine import bootstrap


def main(path: str) -> None:
    keras = bootstrap.start(os.environ["KERAS_BACKEND"], "cpu")
    out = {}
    for name, model_path in json.loads(Path(path).read_text()).items():
        model = keras.saving.load_model(model_path, safe_mode=True)
        out[name] = {"params": int(model.count_params()), "layers": [layer.name for layer in model.layers]}
    print("RESULT " + json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
