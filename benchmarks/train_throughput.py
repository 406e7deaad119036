"""Training throughput inside Studio (spawned child, live event stream, checkpoints, TensorBoard) against a
plain `model.fit` script, on each backend, for the keras.io "Simple MNIST convnet" on random data.

    .venv/bin/python benchmarks/train_throughput.py [--samples 12000] [--epochs 4] [--backends tensorflow,torch,jax]

Both sides skip the first epoch (compilation). Studio's figure is wall time between EpochEnd events, so it
includes everything Studio does per epoch. A 2-core machine is noisy (±20 % between identical runs): use
--repeats 3 or more and compare the medians as well as the bests.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studio.core import events as ev  # noqa: E402
from studio.core.spec import parse_spec  # noqa: E402
from studio.jobs.process import TrainingProcess  # noqa: E402

MODEL = [
    {"id": "x", "type": "Input", "params": {"shape": [28, 28, 1]}},
    {"id": "c1", "type": "Conv2D", "params": {"filters": 32, "activation": "relu"}},
    {"id": "p1", "type": "MaxPooling2D"},
    {"id": "c2", "type": "Conv2D", "params": {"filters": 64, "activation": "relu"}},
    {"id": "p2", "type": "MaxPooling2D"},
    {"id": "f", "type": "Flatten"}, {"id": "d", "type": "Dropout", "params": {"rate": 0.5}},
    {"id": "out", "type": "Dense", "params": {"units": 10, "activation": "softmax"}},
]


def plain(backend: str, data: Path, epochs: int, batch: int) -> float:
    env = dict(os.environ, KERAS_BACKEND=backend, CUDA_VISIBLE_DEVICES="-1", JAX_PLATFORMS="cpu",
               TF_CPP_MIN_LOG_LEVEL="3")
    script = ROOT / "benchmarks" / "plain_fit.py"
    out = subprocess.run([sys.executable, str(script), str(data), str(epochs), str(batch)],
                         env=env, capture_output=True, text=True, check=True)
    return float(next(line for line in out.stdout.splitlines() if line.startswith("RESULT")).split()[1])


def studio(backend: str, data: Path, epochs: int, batch: int, runs: Path) -> float:
    spec = parse_spec({
        "meta": {"title": f"bench {backend}"}, "model": {"blocks": MODEL},
        "data": {"source": "npz", "params": {"path": str(data), "task": "classification"}, "shuffle": True},
        "training": {"epochs": epochs, "batch_size": batch, "backend": backend, "device": "cpu",
                     "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"], "seed": 0}})
    proc = TrainingProcess(spec, runs)
    proc.start()
    ends = [e for e in proc.iter_events() if isinstance(e, ev.EpochEnd)]
    proc.close()
    if not isinstance(proc.terminal, ev.Finished):
        raise RuntimeError(f"Studio run failed: {proc.terminal}")
    n = len(np.load(data)["y"])
    return n * (len(ends) - 1) / (ends[-1].t - ends[0].t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=12000)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--backends", default="tensorflow,torch,jax")
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "random_mnist.npz"
        rng = np.random.default_rng(0)
        np.savez(data, x=rng.random((args.samples, 28, 28, 1), dtype=np.float32),
                 y=rng.integers(0, 10, args.samples))
        print(f"{'backend':<11} {'plain best':>11} {'Studio best':>12} {'ratio':>6}   {'plain med':>10} "
              f"{'Studio med':>11} {'ratio':>6}   (samples/s, {args.samples} samples, batch {args.batch}, "
              f"epochs 2..{args.epochs}, {args.repeats} interleaved repeats)")
        for backend in args.backends.split(","):
            # interleaved, so that a slow spell of a shared machine hits both sides alike
            ps, ss = [], []
            for _ in range(args.repeats):
                ps.append(plain(backend, data, args.epochs, args.batch))
                ss.append(studio(backend, data, args.epochs, args.batch, Path(tmp) / "runs"))
            pb, sb, pm, sm = max(ps), max(ss), float(np.median(ps)), float(np.median(ss))
            print(f"{backend:<11} {pb:>11,.0f} {sb:>12,.0f} {sb / pb:>6.3f}   {pm:>10,.0f} {sm:>11,.0f} "
                  f"{sm / pm:>6.3f}", flush=True)

if __name__ == "__main__":
    main()
