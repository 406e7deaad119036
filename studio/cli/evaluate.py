"""`keras-studio evaluate RUN_DIR|MODEL.keras`: evaluate a trained model and print its metrics table."""

from __future__ import annotations

from pathlib import Path

from studio.cli.common import error
from studio.core.safe_paths import output_file_problem, output_folder_problem, run_dir_of, write_text_atomic
from studio.core.spec import BACKENDS
from studio.data.evaluation import format_table, metrics_csv
from studio.jobs.errors import JobError
from studio.jobs.evaluate_job import evaluate


def add_parser(sub) -> None:
    p = sub.add_parser("evaluate", help="evaluate a trained model: metrics, confusion matrix, errors")
    p.add_argument("target", help="a run directory, or a .keras file (with --spec)")
    p.add_argument("--spec", help="the run spec describing the data (default: the run's spec.json)")
    p.add_argument("--checkpoint", choices=("model", "best"), default="model",
                   help="in a run directory: the final model (default) or the best checkpoint")
    p.add_argument("--split", choices=("auto", "test", "validation", "train"), default="auto",
                   help="which split to evaluate (auto: test, else validation, else train)")
    p.add_argument("--backend", choices=BACKENDS,
                   help="backend to evaluate on (default: the one it was trained on)")
    p.add_argument("--device", default="cpu", help="cpu (default), auto, gpu or gpu:N")
    p.add_argument("--out", help="folder for evaluation.json/.npz (default: beside the model)")
    p.add_argument("--csv", metavar="FILE", help="also write the metrics as CSV")
    p.add_argument("--force", action="store_true", help="replace an existing --csv file, or an evaluation in --out")
    p.add_argument("--allow-code", action="store_true",
                   help="run the spec's own Python code (a custom optimizer's file), which its model needs")
    p.add_argument("--timeout", type=float, default=900, help="seconds to wait for the evaluation")


OUTPUTS = ("evaluation.json", "evaluation.npz", "evaluation-best.json", "evaluation-best.npz")


def _output_problem(args) -> str | None:
    """Why --out or --csv cannot be written, found before the model is loaded (the shared output-path rule)."""
    target = Path(args.target).expanduser()
    own = run_dir_of(target.resolve()) if target.exists() else None
    if args.out is not None and (problem := output_folder_problem(args.out, "--out", OUTPUTS, args.force, own)):
        return problem
    if args.csv is not None:
        return output_file_problem(args.csv, "--csv", args.force, own)
    return None


def run(args) -> int:
    if problem := _output_problem(args):
        error(problem)
        return 1
    if args.out:
        Path(args.out).expanduser().mkdir(parents=True, exist_ok=True)
    try:
        doc = evaluate(args.target, args.spec, args.out, args.split, args.checkpoint, args.backend, args.device,
                       timeout=args.timeout, allow_code=args.allow_code)
    except JobError as exc:
        error(exc.message)
        return 1
    print(format_table(doc))
    if doc.get("baseline"):
        print(f"\n  naive baseline: {doc['baseline']}")
    print(f"\nsaved: {doc['path']}")
    if args.csv is not None:
        try:
            write_text_atomic(args.csv, metrics_csv(doc))
        except OSError as exc:
            error(f"cannot write {args.csv}: {exc.strerror}")
            return 1
        print(f"metrics CSV: {args.csv}")
    return 0
