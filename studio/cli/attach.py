"""`keras-studio attach RUN_DIR`: follow again a run sent to a Ray cluster (after a lost connection or a
closed app): its events from the start, Ctrl-C stops it, its run directory comes back when it ends."""

from __future__ import annotations

import signal
import sys

from studio.cli.common import error
from studio.cli.train import EXIT_FAILED, EXIT_FINISHED, EXIT_STOPPED
from studio.core import events as ev


def add_parser(sub) -> None:
    p = sub.add_parser("attach", help="follow a run on a Ray cluster again",
                       description="Follow again a run sent with `train --on` (its status.json keeps the cluster "
                                   "and the job id); Ctrl-C stops the job after its current batch.")
    p.add_argument("run_dir", help="the run directory of a run sent to a Ray cluster")


def run(args) -> int:
    from studio.jobs.ray_executor import RayClusterError, attach, ray_available

    if hint := ray_available():
        error(hint)
        return EXIT_FAILED
    try:
        job = attach(args.run_dir)
    except RayClusterError as exc:
        error(exc.message)
        return EXIT_FAILED
    print(f"following Ray job {job.job_id} at {job.address}")
    previous = signal.signal(signal.SIGINT, lambda *_: (job.send({"control": "stop"}),
                                                          print("\nCtrl-C: stopping the job after this batch …",
                                                                file=sys.stderr)))
    try:
        job.start()
        for event in job.iter_events():
            if isinstance(event, ev.EpochEnd):
                logs = "  ".join(f"{k} {v:.4g}" for k, v in event.logs.items())
                print(f"epoch {event.epoch + 1}/{event.epochs}  {logs}")
            elif isinstance(event, ev.Warning):
                print(f"warning: {event.message}")
    finally:
        signal.signal(signal.SIGINT, previous)
        job.close()
    result = job.terminal
    if isinstance(result, ev.Failed):
        error(f"{result.message} [{result.reason}]")
        return EXIT_FAILED
    print(f"{'stopped' if isinstance(result, ev.Stopped) else 'finished'}: {args.run_dir}")
    return EXIT_STOPPED if isinstance(result, ev.Stopped) else EXIT_FINISHED
