"""`python -m tests.engine.schedule_probe PAYLOAD.json`: the learning rate of each spec, step by step, from the
engine's Keras schedule and from the keras-free core formula the GUI plots."""

import json
import os
import sys
from pathlib import Path

from studio.engine import bootstrap


def main(path: str) -> None:
    keras = bootstrap.start(os.environ["KERAS_BACKEND"], "cpu")
    from studio.core.optimizers import learning_rate_at
    from studio.core.spec import parse_spec
    from studio.engine.build import learning_rate

    out = {}
    steps_per_epoch = 10
    for name, data in json.loads(Path(path).read_text()).items():
        spec = parse_spec(data)
        sched = learning_rate(spec, steps_per_epoch)
        rows = []
        for step in range(0, spec.training.epochs * steps_per_epoch, 3):
            engine = float(keras.ops.convert_to_numpy(sched(step))) if callable(sched) else float(sched)
            core = learning_rate_at(spec.optimizer.learning_rate, spec.optimizer.schedule.name,
                                    spec.optimizer.schedule.resolved_params(), step / steps_per_epoch,
                                    spec.training.epochs)
            rows.append([step, engine, core])
        out[name] = rows
    print("RESULT " + json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
