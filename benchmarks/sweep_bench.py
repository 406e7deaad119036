"""Sweep overhead (a benchmark, not a test): the wall time of N trials through `studio.jobs.sweep` with jobs=1,
against the same N specs trained alone one after another, and the speed-up with jobs=2.

    .venv/bin/python benchmarks/sweep_bench.py [--trials 4] [--epochs 20] [--backend jax]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=4)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--backend", default="jax")
    args = ap.parse_args()

    from studio.core.presets import load_preset
    from studio.core.spec import with_overrides
    from studio.core.sweep_spec import parse_sweep
    from studio.jobs.process import TrainingProcess
    from studio.jobs.sweep import Sweep

    base = with_overrides(load_preset("optimization_lab"), [f'training.backend="{args.backend}"',
                                                            f"training.epochs={args.epochs}"])
    rates = [10 ** (-3 + 2 * i / max(args.trials - 1, 1)) for i in range(args.trials)]

    def sweep(jobs: int, root: str) -> float:
        s = parse_sweep({"name": f"bench{jobs}", "spec": "lab", "metric": "loss", "trials": args.trials, "jobs": jobs,
                         "search": [{"path": "optimizer.learning_rate", "distribution": "loguniform",
                                     "low": 1e-3, "high": 0.1}]})
        runner = Sweep(s, base, root)
        study = runner.study()
        for lr in rates:  # the same trials every time
            study.enqueue_trial({"optimizer.learning_rate": lr})
        t = time.perf_counter()
        runner.run()
        return time.perf_counter() - t

    alone = []
    root = tempfile.mkdtemp(prefix="sweep-bench-")
    for lr in rates:
        proc = TrainingProcess(with_overrides(base, [f"optimizer.learning_rate={lr}"]), root)
        t = time.perf_counter()
        proc.start()
        proc.wait()
        proc.close()
        alone.append(time.perf_counter() - t)
    one = sweep(1, tempfile.mkdtemp(prefix="sweep-bench-"))
    two = sweep(2, tempfile.mkdtemp(prefix="sweep-bench-"))
    print(json.dumps({
        "trials": args.trials, "epochs": args.epochs, "backend": args.backend, "load_average": os.getloadavg()[0],
        "runs_alone_s": round(sum(alone), 1), "sweep_jobs1_s": round(one, 1),
        "overhead_per_trial_s": round((one - sum(alone)) / args.trials, 2),
        "sweep_jobs2_s": round(two, 1), "speedup_jobs2": round(one / two, 2)}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
