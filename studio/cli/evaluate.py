"""`keras-studio evaluate RUN_DIR|MODEL.keras`: evaluate a trained model and print its metrics table."""

from __future__ import annotations

from pathlib import Path

from studio.cli.common import error, folder_problem
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
    p.add_argument("--allow-code", action="store_true",
                   help="run the spec's own Python code (a custom optimizer's file), which its model needs")
    p.add_argument("--timeout", type=float, default=900, help="seconds to wait for the evaluation")


def run(args) -> int:
    if args.out and (problem := folder_problem(args.out)):
        error(problem)
        return 1
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
    if args.csv:
        try:
            Path(args.csv).write_text(metrics_csv(doc), encoding="utf-8")
        except OSError as exc:
            error(f"cannot write {args.csv}: {exc.strerror}")
            return 1
        print(f"metrics CSV: {args.csv}")
    return 0
