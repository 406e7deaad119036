"""`keras-studio compare A.json B.json [C.json …] --seeds N [--metric M] [--jobs J] [--out runs]`: train each
spec with N seeds of its own (through the sweep machinery: each run an ordinary run in --out, the study in the
sweeps' storage, J at once; running the same command again resumes it) and print, per arm, the final and best
metric as mean ± std, and per pair the difference with its 95 % interval (Welch) and whether it is larger than
seed noise. The table is also saved beside the runs as compare-<name>.json."""

from __future__ import annotations

import functools
import signal
import sys
from pathlib import Path

from studio.cli.common import add_allow_code, allowed_code, backend_problem, error, folder_problem, \
    load_with_overrides
from studio.core.seed_compare import MAX_SEEDS, MIN_SEEDS

EXIT_DONE, EXIT_FAILED, EXIT_STOPPED = 0, 1, 3


def add_parser(sub) -> None:
    p = sub.add_parser("compare", help="train specs with several seeds each and say whether they differ by more "
                                       "than seed noise", description=__doc__.split(":", 1)[1].strip())
    p.add_argument("specs", nargs="+", metavar="SPEC", help="two or more run specs (JSON) or presets' names")
    p.add_argument("--seeds", type=int, default=5, help=f"seeds per spec, {MIN_SEEDS} to {MAX_SEEDS} (default 5)")
    p.add_argument("--metric", help="the figure to judge, as the runs log it (default val_loss when every spec "
                                    "holds out validation data, else loss)")
    p.add_argument("--jobs", type=int, default=1, help="runs trained at once (default 1)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a field of every spec (e.g. training.epochs=20)")
    p.add_argument("--name", help="the comparison's name in the storage (default: derived from the specs, so the "
                                  "same command resumes)")
    p.add_argument("--storage", metavar="URL", help="an Optuna storage URL (default: the sweeps' SQLite file in --out)")
    p.add_argument("--out", default="runs", help="folder for the run directories and the table (default: ./runs)")
    add_allow_code(p)


def _label(path: str) -> str:
    return Path(path).stem if path.endswith(".json") else path


def run(args) -> int:
    from studio.core.sweep_spec import SweepError
    from studio.jobs.process import TrainingProcess
    from studio.jobs.seed_compare import SeedCompare
    from studio.jobs.sweep import TrialResult

    if len(args.specs) < 2:
        error(f"compare needs two or more specs, received {len(args.specs)}; e.g. "
              "keras-studio compare optimizer_adam optimizer_sgd --seeds 5")
        return EXIT_FAILED
    if not MIN_SEEDS <= args.seeds <= MAX_SEEDS:
        error(f"--seeds must be between {MIN_SEEDS} and {MAX_SEEDS} (3 or more make the verdict worth reading), "
              f"received {args.seeds}")
        return EXIT_FAILED
    if args.jobs < 1:
        error(f"--jobs must be 1 or more, received {args.jobs}")
        return EXIT_FAILED
    arms = []
    for path in args.specs:
        spec = load_with_overrides(path, args.set)
        if spec is None:
            return EXIT_FAILED  # the loader has said why
        arms.append(spec)
    for backend in dict.fromkeys(a.training.backend for a in arms):
        if problem := backend_problem(backend):
            error(problem)
            return EXIT_FAILED
    if problem := folder_problem(args.out):
        error(problem)
        return EXIT_FAILED
    code: list[str] = []
    for spec in arms:  # a custom optimizer's file runs only when allowed (--allow-code)
        if (files := allowed_code(spec, args.allow_code)) is None:
            return EXIT_FAILED
        code += [f for f in files if f not in code]
    done: list[TrialResult] = []
    total = len(arms) * args.seeds

    def said(r: TrialResult) -> None:
        done.append(r)
        value = "" if r.value is None else f"  best {runner.metric} {r.value:.4g}"
        print(f"{runner.label_of(r.params)}, seed {r.params.get('training.seed')}: {r.state}{value}"
              + (f"  ({r.message})" if r.message and r.state != "complete" else ""), flush=True)

    try:
        runner = SeedCompare(arms, args.seeds, args.out, labels=[_label(p) for p in args.specs], metric=args.metric,
                             jobs=args.jobs, name=args.name, storage=args.storage, on_trial=said,
                             start_run=functools.partial(TrainingProcess, code=code))
        runner.prepare()
    except SweepError as exc:
        error(str(exc))
        return EXIT_FAILED
    print(f"{runner.name}: {len(arms)} specs × {args.seeds} seeds ({total} runs), {args.jobs} at a time, judged on "
          f"{runner.metric}; storage {runner.storage}", flush=True)

    def on_interrupt(*_):
        runner.cancel.set()
        print("\nCtrl-C: stopping the running trainings; run the same command again to resume", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        comparison = runner.run()
    except SweepError as exc:
        error(str(exc))
        return EXIT_FAILED
    finally:
        signal.signal(signal.SIGINT, previous)
    print()
    print(comparison.text())
    print(f"\ntable: {runner.table_path}")
    if runner.cancel.is_set():
        return EXIT_STOPPED
    return EXIT_DONE if all(a.final.n >= MIN_SEEDS for a in comparison.arms) else EXIT_FAILED
