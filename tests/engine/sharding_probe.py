"""Run in a child with KERAS_BACKEND=jax and simulated CPU devices: set up the spec's distribution as the
engine does, build, compile and fit one epoch, then report how each kernel is laid out over the devices.

`python -m tests.engine.sharding_probe SPEC.json` prints `RESULT {block id: {spec, shard_shape}}`.
"""

from __future__ import annotations

import json
import sys


def main(path: str) -> None:
    import numpy as np

    from studio.engine import bootstrap

    bootstrap.start("jax", "cpu")
    from studio.core.analysis import DataShape
    from studio.core.spec import parse_spec
    from studio.engine import distribution
    from studio.engine.build import build_model, compile_model

    with open(path) as f:
        spec = parse_spec(json.load(f))
    placement = distribution.setup(spec.training.distribution, "jax")
    shape = DataShape((2,), "classification", 2, 1)
    with placement.scope():
        model = build_model(spec, shape)
        compile_model(model, spec, shape, 4)
    x = np.random.rand(64, 2).astype("float32")
    model.fit(x, (x[:, 0] > x[:, 1]).astype("int32"), batch_size=16, epochs=1, verbose=0)
    out = {"devices": placement.devices}
    for layer in model.layers:
        kernel = getattr(layer, "kernel", None)
        if kernel is not None:
            sharding = kernel.value.sharding
            out[layer.name] = {"spec": [a for a in sharding.spec],
                               "shard_shape": list(sharding.shard_shape(kernel.value.shape)),
                               "devices": len(sharding.device_set)}
    print("RESULT " + json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
