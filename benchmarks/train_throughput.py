"""Training throughput inside Studio (spawned child, live event stream, checkpoints, TensorBoard) against a
plain `model.fit` script, on each backend, for the keras.io "Simple MNIST convnet" on random data.

    .venv/bin/python benchmarks/train_throughput.py [--samples 12000] [--epochs 4] [--backends tensorflow,torch,jax]
    .venv/bin/python benchmarks/train_throughput.py --inspect [--model mnist|lab]   recording on ÷ off, in Studio

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
from studio.core.presets import load_preset  # noqa: E402
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


def studio(backend: str, data: Path, epochs: int, batch: int, runs: Path, inspect: bool = True,
           model: str = "mnist") -> float:
    """Samples per second between the first and the last EpochEnd (so every epoch end's work counts)."""
    if model == "lab":
        spec = load_preset("optimization_lab").to_dict()
        spec["training"].update(backend=backend, device="cpu")
    else:
        spec = {
            "meta": {"title": f"bench {backend}"}, "model": {"blocks": MODEL},
            "data": {"source": "npz", "params": {"path": str(data), "task": "classification"}, "shuffle": True,
                     "validation_split": 0.1},
            "training": {"epochs": epochs, "batch_size": batch, "backend": backend, "device": "cpu",
                         "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"], "seed": 0}}
    spec["inspect"] = {"enabled": inspect}
    proc = TrainingProcess(parse_spec(spec), runs)
    proc.start()
    events = list(proc.iter_events())
    proc.close()
    if not isinstance(proc.terminal, ev.Finished):
        raise RuntimeError(f"Studio run failed: {proc.terminal}")
    started = next(e for e in events if isinstance(e, ev.Started))
    ends = [e for e in events if isinstance(e, ev.EpochEnd)]
    return started.train_samples * (len(ends) - 1) / (ends[-1].t - ends[0].t)


def compare_inspect(args, data: Path, runs: Path) -> None:
    """Recording on ÷ off, interleaved runs in Studio: the cost of the Inside tab's snapshots."""
    print(f"{'backend':<11} {'off best':>10} {'on best':>10} {'ratio':>6}   {'off med':>10} {'on med':>10} "
          f"{'ratio':>6}   (samples/s, model {args.model}, {args.repeats} interleaved repeats)")
    for backend in args.backends.split(","):
        off, on = [], []
        for _ in range(args.repeats):
            off.append(studio(backend, data, args.epochs, args.batch, runs, inspect=False, model=args.model))
            on.append(studio(backend, data, args.epochs, args.batch, runs, inspect=True, model=args.model))
        print(f"{backend:<11} {max(off):>10,.0f} {max(on):>10,.0f} {max(on) / max(off):>6.3f}   "
              f"{np.median(off):>10,.0f} {np.median(on):>10,.0f} {np.median(on) / np.median(off):>6.3f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=12000)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--backends", default="tensorflow,torch,jax")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--inspect", action="store_true", help="compare recording the inside of the model on and off")
    ap.add_argument("--model", choices=("mnist", "lab"), default="mnist", help="with --inspect: the MNIST "
                    "convnet on random data, or the optimisation lab preset")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "random_mnist.npz"
        rng = np.random.default_rng(0)
        np.savez(data, x=rng.random((args.samples, 28, 28, 1), dtype=np.float32),
                 y=rng.integers(0, 10, args.samples))
        if args.inspect:
            compare_inspect(args, data, Path(tmp) / "runs")
            return
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
