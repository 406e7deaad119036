"""Ray executor overhead (a benchmark, not a test): time to the first event (Started), to the first epoch,
and total wall time (until the terminal event, the run directory back on this side), for a run on a Ray
cluster against the same run as a local child. Two workloads: the lab spec, and a 2-epoch MNIST-size run
(the mnist_cnn preset on an .npz of random 28×28×1 images, so no download is needed).

    .venv/bin/python benchmarks/ray_bench.py [--address http://HOST:8265] [--samples 60000] [--repeats 2]

Without --address a local head is started on free ports (as the tests do; the jobs run from this
environment, so the runtime_env is empty) and stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_head(temp: str) -> str:
    import requests

    dashboard = _free_port()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": str(REPO), "RAY_USAGE_STATS_ENABLED": "0"}
    subprocess.run([str(Path(sys.executable).parent / "ray"), "start", "--head", "--port", str(_free_port()),
                    "--dashboard-port", str(dashboard), "--num-cpus", "2", "--include-dashboard=true",
                    "--dashboard-host", "127.0.0.1", "--node-ip-address", "127.0.0.1", "--temp-dir", temp,
                    "--disable-usage-stats"], env=env, check=True, timeout=240, capture_output=True)
    address = f"http://127.0.0.1:{dashboard}"
    for _ in range(120):
        try:
            if requests.get(f"{address}/api/jobs/", timeout=3).ok:
                break
        except requests.exceptions.RequestException:
            time.sleep(1)
    return address


def timed_run(spec, out: str, address: str | None) -> dict[str, float]:
    from studio.core import events as ev
    from studio.jobs.process import TrainingProcess

    t0 = time.monotonic()
    proc = TrainingProcess(spec, out, ray_address=address)
    proc.start()
    marks: dict[str, float] = {}
    try:
        for event in proc.iter_events():
            if isinstance(event, ev.Started):
                marks.setdefault("first event (Started)", time.monotonic() - t0)
            elif isinstance(event, ev.EpochEnd):
                marks.setdefault("first epoch", time.monotonic() - t0)
    finally:
        proc.close()
    marks["total"] = time.monotonic() - t0
    if not isinstance(proc.terminal, ev.Finished):
        raise SystemExit(f"the run did not finish: {proc.terminal}")
    return marks


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--address", help="a Ray cluster's dashboard; default: start a local head")
    ap.add_argument("--samples", type=int, default=60_000, help="images in the MNIST-size run")
    ap.add_argument("--lab-epochs", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--backend", default="jax")
    args = ap.parse_args()

    import numpy as np

    from studio.core.presets import load_preset
    from studio.core.spec import with_overrides
    from studio.jobs import ray_executor

    work = tempfile.mkdtemp(prefix="ksbench")
    head_temp = tempfile.mkdtemp(prefix="ksrb", dir="/tmp")
    started_head = args.address is None
    try:
        if started_head:
            os.environ[ray_executor.RUNTIME_ENV_VAR] = "{}"
            address = start_head(head_temp)
        else:
            address = args.address
        rng = np.random.default_rng(0)
        npz = Path(work) / "mnist_shape.npz"
        np.savez(npz, x=rng.integers(0, 256, (args.samples, 28, 28, 1), dtype=np.uint8),
                 y=rng.integers(0, 10, args.samples, dtype=np.int64))
        workloads = {
            f"lab, {args.lab_epochs} epochs": with_overrides(load_preset("optimization_lab"), [
                f'training.backend="{args.backend}"', f"training.epochs={args.lab_epochs}"]),
            f"MNIST-size ({args.samples:,} × 28×28), 2 epochs": with_overrides(load_preset("mnist_cnn"), [
                f'training.backend="{args.backend}"', "training.epochs=2",
                f'data={{"source": "npz", "params": {{"path": "{npz}"}}, "validation_split": 0.1}}']),
        }
        print(f"Ray {address}, backend {args.backend}, best of {args.repeats}")
        for name, spec in workloads.items():
            rows = {}
            for where, target in (("local", None), ("ray", address)):
                runs = [timed_run(spec, os.path.join(work, "runs"), target) for _ in range(args.repeats)]
                rows[where] = {k: min(r[k] for r in runs) for k in runs[0]}
            print(f"\n{name}")
            for key in rows["local"]:
                local, ray = rows["local"][key], rows["ray"].get(key, float("nan"))
                print(f"  {key:<22} local {local:7.2f} s   ray {ray:7.2f} s   overhead {ray - local:+6.2f} s")
    finally:
        if started_head:
            subprocess.run([str(Path(sys.executable).parent / "ray"), "stop", "--force"], check=False,
                           capture_output=True, timeout=120)
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(head_temp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
