"""`keras-studio shootout SPEC [--backends tensorflow,torch,jax] [--repeats N] [--epochs N] [--out runs]`:
train the same spec on each installed backend, one after another (each an ordinary run in --out), and print
the table: first-epoch time, steady samples/s, peak memory, final metrics, prediction differences. The table
is also saved beside the runs as shootout-<time>.json and .csv."""

from __future__ import annotations

import signal
import sys

from studio.cli.common import error, folder_problem, load_with_overrides

EXIT_DONE, EXIT_FAILED, EXIT_STOPPED = 0, 1, 3


def add_parser(sub) -> None:
    p = sub.add_parser("shootout", help="train one spec on every installed backend and compare them",
                       description=__doc__.split(":", 1)[1].strip())
    p.add_argument("spec", help="the run spec (JSON), or the name of a preset")
    p.add_argument("--backends", metavar="LIST",
                   help="comma-separated backends to compare, in order (default: every installed one)")
    p.add_argument("--repeats", type=int, default=1, help="train each backend N times (1 to 20) and report medians")
    p.add_argument("--epochs", type=int, help="override training.epochs (at least 2 for a steady samples/s)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a field of the spec")
    p.add_argument("--out", default="runs", help="folder for the run directories and the table (default: ./runs)")


def run(args) -> int:
    from studio.jobs.shootout import Shootout, ShootoutError

    spec = load_with_overrides(args.spec, args.set)
    if spec is None:
        return EXIT_FAILED
    if problem := folder_problem(args.out):
        error(problem)
        return EXIT_FAILED
    asked = None if args.backends is None else [b.strip() for b in args.backends.split(",") if b.strip()]

    def said(backend: str, event) -> None:
        from studio.core import events as ev

        if isinstance(event, ev.Started):
            print(f"{backend}: training on {event.device} → {event.run_dir}", flush=True)
        elif isinstance(event, ev.EpochEnd):
            print(f"{backend}: epoch {event.epoch + 1}/{event.epochs}  {event.seconds:.2f}s  "
                  f"{event.samples_per_s:,.0f} samples/s", flush=True)

    try:
        runner = Shootout(spec, args.out, asked, repeats=args.repeats, epochs=args.epochs, on_event=said)
    except ShootoutError as exc:
        error(str(exc))
        return EXIT_FAILED
    for row in runner.table.rows:
        if row.state == "missing":
            print(f"{row.backend}: skipped, {row.message}", file=sys.stderr)

    def on_interrupt(*_):
        runner.cancel.set()
        print("\nCtrl-C: stopping the running training; the table keeps what finished", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        table = runner.run()
    finally:
        signal.signal(signal.SIGINT, previous)
    print()
    print(table.text())
    assert runner.paths is not None  # run() has written the table
    json_path, csv_path = runner.paths
    print(f"\ntable: {json_path}\n       {csv_path}")
    if table.fastest:
        print(f"fastest (steady samples/s): {table.fastest}")
    if runner.cancel.is_set():
        return EXIT_STOPPED
    return EXIT_DONE if any(r.state == "done" for r in table.rows) else EXIT_FAILED
