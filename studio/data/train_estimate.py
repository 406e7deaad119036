"""A rough, deliberately conservative guess of how long a spec trains on a laptop CPU, from its size:
training samples × epochs × multiply-adds per sample (parameters, times the positions a convolution or a
recurrent layer slides them over), plus a per-step and per-epoch overhead and the backend's start.

Calibration (DESIGN.md, 2-core CPU): the keras.io MNIST convnet (3.4 M by this count per sample) trains
at 5,000 samples/s on TensorFlow and 1,450 on JAX, i.e. 17 and 4.9 G/s; MACS_PER_S sits below the slow
end, so the estimate errs long (mnist_cnn: ≈ 11 min; measured ≈ 3 min on TensorFlow, ≈ 9 on JAX). Always
shown with "≈"."""

from __future__ import annotations

from math import prod

from studio.core.analysis import check_spec
from studio.core.spec import RunSpec
from studio.data.keras_cache import TRAIN_SAMPLES
from studio.data.loaders import data_shape, load

MACS_PER_S = 4.5e9  # forward + backward, effective
STEP_S = 0.003  # per batch: dispatch, callbacks
EPOCH_S = 0.05  # per epoch: validation pass, logging
START_S = 8.0  # spawn, import a backend, build, compile


# Rows of the scikit-learn bundled sets: known without importing scikit-learn (seconds, the first time).
BUNDLED_ROWS = {"digits": 1797, "iris": 150, "wine": 178, "breast_cancer": 569, "diabetes": 442}


def train_samples(spec: RunSpec) -> int:
    d = spec.data
    held_out = 1 - (d.validation_split or 0) - (d.test_split or 0)
    if d.source in TRAIN_SAMPLES and not d.params.get("path"):
        n = TRAIN_SAMPLES[d.source]
        n = min(n, d.params.get("limit") or n)
        return int(n * (1 - (d.validation_split or 0)))  # their test set ships apart
    if d.source in BUNDLED_ROWS:
        return int(BUNDLED_ROWS[d.source] * max(held_out, 0.1))
    if "n_samples" in d.params:
        return int(d.params["n_samples"] * max(held_out, 0.1))
    return load(d, spec.training.seed).sizes()[0]


def macs_per_sample(spec: RunSpec) -> float:
    report = check_spec(spec, None)  # the Input blocks' own shapes: no data read
    if not report.total_params or any(b.output_shape is None for b in report.blocks if b.enabled):
        report = check_spec(spec, data_shape(spec.data, spec.training.seed))
    shapes = {b.id: b.output_shape for b in report.blocks}
    total = 0.0
    for b in report.blocks:
        if not b.enabled or not b.params:
            continue
        seen = [shapes.get(i) for i in b.inputs] + [b.output_shape]
        # shapes without the batch axis: all but the last (channels, features) are positions
        positions = max((prod(int(x or 1) for x in s[:-1]) for s in seen if s and len(s) >= 2), default=1)
        total += b.params * positions
    return total


def estimate_seconds(spec: RunSpec) -> float:
    """Seconds, erring long; raises what loading the data raises when the data cannot be read here."""
    n = train_samples(spec)
    epochs = spec.training.epochs
    batch = spec.training.batch_size or n or 1
    steps = -(-n // batch) if n else 1
    return START_S + epochs * (EPOCH_S + steps * STEP_S + n * macs_per_sample(spec) / MACS_PER_S)


def duration_text(seconds: float) -> str:
    """"≈ 40 s", "≈ 6 min", "≈ 2.5 h": rounded, never falsely precise."""
    if seconds < 60:
        return f"≈ {max(10, round(seconds, -1)):.0f} s"
    if seconds < 3600:
        return f"≈ {round(seconds / 60):.0f} min"
    return f"≈ {seconds / 3600:.1f} h"


def estimate_text(spec: RunSpec) -> str:
    try:
        return duration_text(estimate_seconds(spec))
    except Exception:  # noqa: BLE001 - an estimate is a nicety: data that cannot be read here has none
        return "unknown here"
