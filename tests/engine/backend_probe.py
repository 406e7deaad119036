"""Run inside a child process with KERAS_BACKEND set: build every case, compare with the core checker.

`python -m tests.engine.backend_probe CASES.json` prints one JSON object: {case name: result}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(path: str) -> None:
    import numpy as np

    from studio.engine import bootstrap

    import os

    keras = bootstrap.start(os.environ["KERAS_BACKEND"], "cpu")
    from studio.core.analysis import check_spec
    from studio.core.spec import parse_spec
    from studio.engine.build import build_model

    cases = json.loads(Path(path).read_text())
    out = {}
    for name, spec_dict in cases.items():
        spec = parse_spec(spec_dict)
        report = check_spec(spec)
        try:
            model = build_model(spec)
            inputs = []
            for t in model.inputs:
                shape = (2,) + tuple(d or 5 for d in t.shape[1:])
                inputs.append(np.random.randint(0, 5, shape).astype("int32") if "int" in str(t.dtype)
                              else np.random.rand(*shape).astype("float32"))
            x = inputs if len(inputs) > 1 else inputs[0]
            y_infer = model(x, training=False)
            y_train = model(x, training=True)
            layers = {layer.name: layer for layer in model.layers}
            per_block = {}
            for b in report.blocks:
                if b.id in layers and b.enabled:
                    layer = layers[b.id]
                    per_block[b.id] = {
                        "keras_shape": [d for d in layer.output.shape[1:]],
                        "keras_params": int(layer.count_params()),
                        "core_shape": list(b.output_shape),
                        "core_params": b.params,
                    }
            out[name] = {"ok": True, "blocks": per_block,
                         "finite": bool(np.isfinite(keras.ops.convert_to_numpy(y_infer)).all()
                                        and np.isfinite(keras.ops.convert_to_numpy(y_train)).all()),
                         "model_params": int(model.count_params()), "core_total": report.total_params}
        except Exception as exc:  # noqa: BLE001 - reported to the test
            out[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    print("RESULT " + json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
