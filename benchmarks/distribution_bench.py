"""Data-parallel training speed: samples/s of a small convnet on one device against `data_parallel` over
N simulated CPU devices (KERAS_STUDIO_SIMULATE_CPU_DEVICES), per backend, both as Studio runs.

    .venv/bin/python benchmarks/distribution_bench.py [--devices 4] [--samples 4096] [--epochs 3]
        [--batch 128] [--backends jax,tensorflow] [--repeats 1]

Both runs of a pair get the same simulated devices; only `training.distribution` differs. The figure is wall
time between the first and last EpochEnd (the first epoch compiles). Simulated devices share the machine's
cores, so this measures the distribution's overhead, not a speed-up: on real GPUs each device adds compute.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout: studio is importable only after this

from studio.core import events as ev  # noqa: E402
from studio.core.spec import parse_spec  # noqa: E402
from studio.engine.bootstrap import SIMULATE_CPU_DEVICES  # noqa: E402
from studio.jobs.process import TrainingProcess  # noqa: E402

MODEL = [
    {"id": "x", "type": "Input", "params": {"shape": [28, 28, 1]}},
    {"id": "c1", "type": "Conv2D", "params": {"filters": 16, "activation": "relu"}},
    {"id": "p1", "type": "MaxPooling2D"},
    {"id": "c2", "type": "Conv2D", "params": {"filters": 32, "activation": "relu"}},
    {"id": "p2", "type": "MaxPooling2D"},
    {"id": "f", "type": "Flatten"},
    {"id": "out", "type": "Dense", "params": {"units": 10, "activation": "softmax"}},
]


def samples_per_s(backend: str, distribution: str, data: Path, args, runs: Path) -> float:
    spec = parse_spec({
        "meta": {"title": f"bench {backend} {distribution}"}, "model": {"blocks": MODEL},
        "data": {"source": "npz", "params": {"path": str(data), "task": "classification"}, "shuffle": True},
        "training": {"epochs": args.epochs, "batch_size": args.batch, "backend": backend, "device": "cpu",
                     "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"], "seed": 0,
                     "distribution": distribution}})
    proc = TrainingProcess(spec, runs)
    proc.start()
    ends = [e for e in proc.iter_events() if isinstance(e, ev.EpochEnd)]
    proc.close()
    if not isinstance(proc.terminal, ev.Finished):
        raise RuntimeError(f"{backend} {distribution} failed: {getattr(proc.terminal, 'message', proc.terminal)}")
    return args.samples * (len(ends) - 1) / (ends[-1].t - ends[0].t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=4)
    ap.add_argument("--samples", type=int, default=4096)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--backends", default="jax,tensorflow")
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()
    os.environ[SIMULATE_CPU_DEVICES] = str(args.devices)  # the training children inherit it
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "random_mnist.npz"
        rng = np.random.default_rng(0)
        np.savez(data, x=rng.random((args.samples, 28, 28, 1), dtype=np.float32), y=rng.integers(0, 10, args.samples))
        print(f"{'backend':<11} {'1 device':>10} {'data_parallel':>14} {'ratio':>6}   "
              f"(best samples/s of {args.repeats}, "
              f"{args.devices} simulated CPU devices on {os.cpu_count()} cores, {args.samples} samples, "
              f"batch {args.batch} global, epochs 2..{args.epochs})")
        for backend in args.backends.split(","):
            single, parallel = [], []
            for _ in range(args.repeats):  # interleaved: a slow spell of a shared machine hits both alike
                single.append(samples_per_s(backend, "none", data, args, Path(tmp) / "runs"))
                parallel.append(samples_per_s(backend, "data_parallel", data, args, Path(tmp) / "runs"))
            print(f"{backend:<11} {max(single):>10,.0f} {max(parallel):>14,.0f} {max(parallel) / max(single):>6.2f}",
                  flush=True)


if __name__ == "__main__":
    main()
