"""`python -m tests.engine.schedule_probe PAYLOAD.json`: the learning rate of each spec, step by step, three ways:
the engine's schedule (the core formula on keras.ops), the core formula on NumPy (what the GUI plots), and
Keras' own built-in schedule of the same name (what the engine used before the formula was shared)."""

import json
import os
import sys

from studio.engine import bootstrap


def builtin(keras, spec, steps_per_epoch):
    """The Keras built-in schedule each spec schedule stands for, with epochs turned into steps."""
    opt, sched = spec.optimizer, spec.optimizer.schedule
    base, p = opt.learning_rate, sched.resolved_params()
    total = spec.training.epochs * steps_per_epoch
    s = keras.optimizers.schedules
    if sched.name == "constant":
        return lambda step: base
    if sched.name == "exponential":
        return s.ExponentialDecay(base, max(1, round(p["decay_epochs"] * steps_per_epoch)), p["decay_rate"],
                                  staircase=p["staircase"])
    if sched.name == "step":
        return s.ExponentialDecay(base, p["step_epochs"] * steps_per_epoch, p["factor"], staircase=True)
    if sched.name == "cosine":
        warm = round(p["warmup_epochs"] * steps_per_epoch)
        if warm:
            return s.CosineDecay(0.0, max(1, total - warm), alpha=p["alpha"], warmup_target=base, warmup_steps=warm)
        return s.CosineDecay(base, max(1, total), alpha=p["alpha"])
    return s.PiecewiseConstantDecay([int(b * steps_per_epoch) for b in p["boundaries"]], list(p["values"]))


def main(path: str) -> None:
    keras = bootstrap.start(os.environ["KERAS_BACKEND"], "cpu")
    from studio.core.optimizers import learning_rate_at
    from studio.core.spec import parse_spec
    from studio.engine.build import learning_rate

    out = {}
    steps_per_epoch = 10
    with open(path) as f:
        payload = json.load(f)
    for name, data in payload.items():
        spec = parse_spec(data)
        sched = learning_rate(spec, steps_per_epoch)
        reference = builtin(keras, spec, steps_per_epoch)
        rows = []
        for step in range(0, (spec.training.epochs + 2) * steps_per_epoch, 3):
            engine = float(keras.ops.convert_to_numpy(sched(step))) if callable(sched) else float(sched)
            core = float(learning_rate_at(spec.optimizer.learning_rate, spec.optimizer.schedule.name,
                                          spec.optimizer.schedule.resolved_params(), float(step), steps_per_epoch,
                                          spec.training.epochs))
            rows.append([step, engine, core, float(keras.ops.convert_to_numpy(reference(step)))])
        out[name] = rows
    print("RESULT " + json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
