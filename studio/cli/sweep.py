"""`keras-studio sweep SPEC --param PATH=DIST:… [--trials N] [--jobs N] [--metric M] [--direction D]`:
a hyperparameter sweep on Optuna, each trial an ordinary run in --out. SPEC is a run spec (or a preset's name)
searched with --param, or a sweep spec JSON ({"kind": "sweep", …}). `--join NAME --storage URL` works on a
sweep that was started elsewhere; running the same command again resumes an interrupted sweep."""

from __future__ import annotations

import functools
import json
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from studio.cli.common import add_allow_code, allowed_code, backend_problem, error, folder_problem, load_with_overrides
from studio.core.spec import SpecError, parse_spec
from studio.core.sweep_spec import (PRUNERS, SAMPLERS, SweepError, check_space, is_sweep_document, load_sweep,
                                    parse_param, parse_sweep)

EXIT_DONE, EXIT_FAILED, EXIT_STOPPED = 0, 1, 3


def add_parser(sub) -> None:
    p = sub.add_parser("sweep", help="search hyperparameters with Optuna (each trial is an ordinary run)")
    p.add_argument("spec", nargs="?", metavar="SPEC", help="a run spec, a preset's name, or a sweep spec JSON")
    p.add_argument("--param", action="append", default=[], metavar="PATH=DIST",
                   help="a search parameter: optimizer.learning_rate=loguniform:1e-4:1e-1, "
                        "model.blocks.dropout_1.params.rate=uniform:0:0.6, training.batch_size=int:16:128, "
                        "optimizer.name=choice:adam,sgd,rmsprop (repeat for more)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a field of the spec")
    add_allow_code(p)
    p.add_argument("--name", help="the sweep's name in the storage (default: from the spec's file name); a study "
                                  "keeps its search, metric and direction: a new search needs a new name")
    p.add_argument("--trials", type=int, help="trials to run in all (default 20)")
    p.add_argument("--jobs", type=int, help="trials trained at once (default 1)")
    p.add_argument("--metric", help="what to optimise, as the runs log it: val_loss, val_accuracy … (default val_loss)")
    p.add_argument("--direction", choices=("minimize", "maximize"), help="default: minimize")
    p.add_argument("--pruner", choices=PRUNERS, help="stop unpromising trials early (default none)")
    p.add_argument("--sampler", choices=SAMPLERS, help="default tpe")
    p.add_argument("--seed", type=int, help="the sampler's seed")
    p.add_argument("--storage", metavar="URL",
                   help="where the study lives (default: --out/.sweeps.sqlite3): sqlite:///FILE (or a .db/.sqlite3 "
                        "path), postgresql://USER:PASSWORD@HOST/DB or mysql://… (let other machines join), or a "
                        "journal file on a shared folder: journal:FILE or a path ending in .journal or .log")
    p.add_argument("--share-gpus", action="store_true", default=None,
                   help="let the trials trained at once share a GPU (default: each gets its own, or --jobs is refused)")
    p.add_argument("--join", metavar="NAME", help="work on the stored sweep NAME (needs --storage)")
    p.add_argument("--out", default="runs", help="folder for the trials' run directories (default: ./runs)")
    p.add_argument("--on", metavar="ADDRESS", help="send every trial to a Ray cluster as its own job (ray://HOST:PORT "
                   "or http://HOST:8265; needs keras-studio[ray]); --jobs of them at once")


def _sweep_from_args(args):
    """The sweep spec and its base run spec from the command line; SweepError/SpecError on bad input."""
    from studio.jobs.sweep import load_joined

    overrides = {k: v for k, v in (("trials", args.trials), ("jobs", args.jobs), ("metric", args.metric),
                                   ("direction", args.direction), ("pruner", args.pruner),
                                   ("sampler", args.sampler), ("seed", args.seed), ("storage", args.storage),
                                   ("share_gpus", args.share_gpus))
                 if v is not None}
    if args.join:
        if not args.storage:
            raise SweepError(["--join needs --storage URL: the storage the sweep was started with"])
        sweep, base = load_joined(args.join, args.storage)
        return parse_sweep({**sweep.to_dict(), **overrides}), base
    if not args.spec:
        raise SweepError(["give a run spec (or a sweep spec JSON) to sweep, or --join NAME --storage URL"])
    doc = None
    if Path(args.spec).is_file():
        try:
            doc = json.loads(Path(args.spec).read_text(encoding="utf-8-sig"))
        except ValueError:
            doc = None  # the run spec loader says what is wrong with it
    if is_sweep_document(doc):
        sweep = load_sweep(args.spec)
        if isinstance(sweep.spec, dict):
            base = parse_spec(sweep.spec, args.spec)
        else:  # a file beside the sweep spec, else a path or a preset's name as given
            beside = Path(args.spec).parent / sweep.spec
            base = _load(str(beside) if beside.is_file() else sweep.spec, args.set)
        search = [p.model_dump() for p in sweep.search] + [parse_param(t).model_dump() for t in args.param]
        data = {**sweep.to_dict(), **overrides, "search": search}
        if args.name:
            data["name"] = args.name
        return parse_sweep(data), base
    base = _load(args.spec, args.set)
    if not args.param:
        raise SweepError(["no search parameters: add --param PATH=DIST, e.g. "
                          "--param optimizer.learning_rate=loguniform:1e-4:1e-1"])
    name = args.name or Path(args.spec).stem.replace(" ", "-")
    data = {"name": name, "spec": args.spec, "search": [parse_param(t).model_dump() for t in args.param],
            **overrides}
    return parse_sweep(data), base


def _load(path: str, sets: list[str]):
    spec = load_with_overrides(path, sets)
    if spec is None:
        raise SpecError([], "")  # load_with_overrides has printed the reason
    return spec


def run(args) -> int:
    from studio.jobs.process import TrainingProcess
    from studio.jobs.sweep import Sweep, TrialResult

    try:
        sweep, base = _sweep_from_args(args)
        check_space(sweep, base)
    except SweepError as exc:
        error(str(exc))
        return EXIT_FAILED
    except SpecError as exc:
        if exc.problems:
            error(str(exc))
        return EXIT_FAILED
    if problem := backend_problem(base.training.backend) or folder_problem(args.out):
        error(problem)
        return EXIT_FAILED
    if (code := allowed_code(base, args.allow_code)) is None:  # the spec's own optimizer file, when allowed
        return EXIT_FAILED
    start_run: Callable[..., TrainingProcess] = functools.partial(TrainingProcess, code=code)
    if args.on is not None:  # --on '' is refused, not a local sweep
        from studio.cli.train import ray_problem

        if problem := ray_problem(args.on):
            error(problem)
            return EXIT_FAILED
        start_run = functools.partial(TrainingProcess, ray_address=args.on)  # each trial a Ray job

    def said(r: TrialResult) -> None:
        value = "—" if r.value is None else f"{r.value:.4g}"
        params = ", ".join(f"{k.rsplit('.', 1)[-1]}={v:.3g}" if isinstance(v, float) else f"{k.rsplit('.', 1)[-1]}={v}"
                           for k, v in r.params.items())
        print(f"trial {r.number:>3}  {r.state:<11} {sweep.metric} {value:<10} {params}"
              + (f"  ({r.message})" if r.message and r.state != "complete" else ""), flush=True)

    runner = Sweep(sweep, base, args.out, start_run=start_run, on_trial=said,
                   assign_gpus=not args.on)  # a Ray cluster gives each trial its GPU itself
    print(f"sweep {sweep.name}: {sweep.trials} trials, {sweep.jobs} at a time, {sweep.direction} {sweep.metric}; "
          f"storage {runner.storage}", flush=True)

    def on_interrupt(*_):
        runner.cancel.set()
        print("\nCtrl-C: stopping the running trials; run the same command again to resume", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        runner.run()
    except SweepError as exc:
        error(str(exc))
        return EXIT_FAILED
    finally:
        signal.signal(signal.SIGINT, previous)
    from studio.jobs.sweep import best_trial

    best = best_trial(sweep, args.out)
    if best:
        print(f"best: trial {best['number']}  {best['metric']} {best['value']:.4g}  {best['params']}\n"
              f"      {best['run_dir']}")
    return EXIT_STOPPED if runner.cancel.is_set() else EXIT_DONE
