"""`keras-studio train SPEC`: train headless in a child process with a progress bar, print final metrics."""

from __future__ import annotations

import argparse
import signal
import sys

from tqdm import tqdm

from studio.cli.common import add_allow_code, allowed_code, backend_problem, error, folder_problem, load_with_overrides
from studio.core import events as ev
from studio.core.coach.coach import Coach
from studio.core.coach.data_summary import DataSummary
from studio.core.coach.diagnosis import Diagnosis
from studio.core.coach.history import RunHistory
from studio.core.spec import BACKENDS, RunSpec
from studio.jobs.process import TrainingProcess


# exit codes, also in `train --help`
EXIT_FINISHED, EXIT_FAILED, EXIT_STOPPED, EXIT_KILLED = 0, 1, 3, 130

EPILOG = f"""exit codes:
  {EXIT_FINISHED}    the run finished every epoch; the model is saved
  {EXIT_FAILED}    the run failed (bad spec, bad data, a crash, a full disk …); the message says why
  {EXIT_STOPPED}    the run was stopped (Ctrl-C once) before its last epoch; the model so far is saved
  {EXIT_KILLED}  Ctrl-C twice: the training process was killed; the message says what is kept (model.keras if it
         was saved before the kill, else best.keras, the best epoch so far)
"""


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="train a run spec headless", epilog=EPILOG,
                       description="Train a run spec in a child process. Ctrl-C stops after the current batch "
                                   "and keeps the model; a second Ctrl-C kills the training at once.",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("spec", help="the run spec (JSON), or the name of a preset")
    p.add_argument("--backend", choices=BACKENDS, help="override training.backend")
    p.add_argument("--device", help="override training.device: auto, cpu, gpu or gpu:N")
    p.add_argument("--epochs", type=int, help="override training.epochs")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override any spec field, e.g. --set optimizer.learning_rate=0.01 (repeatable)")
    p.add_argument("--out", default="runs", help="folder for run directories (default: ./runs)")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no coach lines")
    p.add_argument("--on", metavar="ADDRESS", help="send the run to a Ray cluster: ray://HOST:PORT or the dashboard's "
                   "http://HOST:8265 (needs keras-studio[ray]); artifacts come back to --out")
    add_allow_code(p)


def _fmt(logs: dict) -> str:
    return "  ".join(f"{k} {v:.4g}" for k, v in logs.items() if not k.startswith("batch_"))


def coach_for(spec: RunSpec, run_dir) -> Coach:
    """A Coach for the run, keeping coach.jsonl in its directory: this process is the file's only writer (the
    training child never writes it). The data is summarised here, while the child starts, for class counts and
    feature scales; a Keras download or data that fails to load leaves the sample counts of the Started event."""
    from studio.data.summary import summary_for

    data = summary_for(spec) or DataSummary()
    data.normalize = spec.data.normalize
    return Coach(RunHistory(spec=spec, data=data, run_dir=run_dir), save_to=run_dir)


def coach_line(d: Diagnosis) -> str:
    when = "before training" if d.epoch is None else f"epoch {d.epoch}"
    fix = f" Fix: {d.fixes[0].label}." if d.fixes else ""
    return f"coach: {d.severity} {d.kind} ({when}): {d.evidence}{fix}"


def ray_problem(address: str) -> str:
    """Why the run cannot go to the Ray cluster at `address` ("" when it can be tried); prints which address
    the Jobs API is reached at."""
    from studio.jobs.ray_cluster import RayClusterError, dashboard_address, ray_available

    try:
        note = dashboard_address(address)[1]  # a bad address is told even where Ray is not installed
    except RayClusterError as exc:
        return f"--on: {exc.message}"
    if hint := ray_available():
        return hint
    print(note)
    return ""


def print_verdict(spec: RunSpec, run_dir, args) -> None:
    """The lesson's verdict on the run: its goal met or not, with the figure; a run that changed a setting the
    lesson locks (with --set, --epochs …) does not count."""
    from studio.core.lessons import judge_run

    original = load_with_overrides(args.spec, [])  # the lesson as handed out, before this run's overrides
    verdict = judge_run(run_dir, original.to_dict() if original is not None else None)
    if verdict is None:
        return
    print(("✔ " if verdict.met else "✘ ") + verdict.text)
    for hint in verdict.hints:
        print(f"  hint: {hint}")


def run(args) -> int:
    spec = load_with_overrides(args.spec, args.set, **{"training.backend": args.backend,
                                                       "training.device": args.device,
                                                       "training.epochs": args.epochs})
    if spec is None or (code := allowed_code(spec, args.allow_code)) is None:
        return 1
    if problem := backend_problem(spec.training.backend) or folder_problem(args.out):
        error(problem)
        return 1
    if args.on is not None and code:
        error("a custom optimizer's .py file does not travel to a Ray cluster yet; train this spec on this "
              "computer (without --on), or use one of Keras' own optimizers there")
        return 1
    if args.on is not None and (problem := ray_problem(args.on)):  # --on '' is refused, not local
        error(problem)
        return 1
    proc = TrainingProcess(spec, args.out, ray_address=args.on, code=code)
    try:
        run_dir = proc.start()
    except OSError as exc:  # a full disk, a read-only or missing folder
        error(f"cannot create a run directory in {args.out}: {exc.strerror or exc}; choose another --out")
        return EXIT_FAILED
    print(f"run directory: {run_dir}")
    coach = coach_for(spec, run_dir)
    told: set[str] = set()  # kinds already printed at problem level: an update naming more blocks is not news
    interrupts = []

    def on_interrupt(*_):
        interrupts.append(True)
        if len(interrupts) == 1:
            proc.stop()
            print("\nCtrl-C: stopping after this batch and saving the model … (Ctrl-C again to kill the training)",
                  file=sys.stderr)
        else:
            proc.kill()
            print("\nCtrl-C again: killing the training … (the message below says which models are kept)",
                  file=sys.stderr)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    bar = None
    try:
        for event in proc.iter_events():
            if isinstance(event, ev.Started):
                print(f"{event.backend} on {event.device}: {event.total_params:,} parameters, "
                      f"{event.train_samples:,} training samples")
                if not args.quiet and sys.stdout.isatty():  # a log or a pipe gets the one line per epoch below
                    bar = tqdm(total=event.epochs * event.steps_per_epoch, unit="step", dynamic_ncols=True,
                               file=sys.stdout)
            elif isinstance(event, ev.BatchEnd) and bar is not None:
                bar.update(event.global_step - bar.n)
                bar.set_description(f"epoch {event.epoch + 1}")
                bar.set_postfix_str(_fmt(event.logs) + f"  {event.samples_per_s:,.0f} samples/s", refresh=False)
            elif isinstance(event, ev.EpochEnd):
                (bar.write if bar else print)(f"epoch {event.epoch + 1}/{event.epochs}  {_fmt(event.logs)}  "
                                              f"lr {event.learning_rate:.3g}  {event.seconds:.1f}s")
            elif isinstance(event, ev.Warning):
                (bar.write if bar else print)(f"warning: {event.message}")
            for d in coach.feed(event):  # after the epoch's own line, which its findings are about
                if d.severity == "problem" and d.kind not in told and not args.quiet:
                    told.add(d.kind)
                    (bar.write if bar else print)(coach_line(d))  # tqdm clears its line, prints, redraws below
    finally:
        signal.signal(signal.SIGINT, previous)
        if bar is not None:
            bar.close()
        proc.close()
    result = proc.terminal
    if isinstance(result, ev.Failed):
        error(f"{result.message} [{result.reason}]")
        return EXIT_KILLED if len(interrupts) > 1 else EXIT_FAILED
    assert isinstance(result, (ev.Finished, ev.Stopped))  # the loop above ends on a terminal event
    summary = result.summary
    print(f"{result.reason if isinstance(result, ev.Stopped) else 'finished'} after {summary['epochs_run']} epochs "
          f"in {summary['seconds']:.1f}s ({summary['samples_per_s']:,.0f} samples/s)")
    for split, metrics in summary["metrics"].items():
        print(f"  {split:<10} " + "  ".join(f"{k} {v:.4f}" for k, v in metrics.items()))
    print(f"model: {run_dir / 'model.keras'}")
    if coach.found and not args.quiet:
        print(f"coach: {len(coach.found)} finding(s); keras-studio coach {run_dir} explains them")
    if spec.lesson is not None:  # last: the line a learner looks for
        print_verdict(spec, run_dir, args)
    return EXIT_STOPPED if isinstance(result, ev.Stopped) else EXIT_FINISHED
