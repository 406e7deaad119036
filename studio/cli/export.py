"""`keras-studio export RUN_DIR --format F --out PATH`: export a trained model and check the copy."""

from __future__ import annotations

import sys
from pathlib import Path

from studio.cli.common import error
from studio.core import events as ev
from studio.core.safe_paths import output_folder_problem, run_dir_of
from studio.core.spec import BACKENDS
from studio.jobs.errors import JobError
from studio.jobs.export_job import FORMATS, export_many


def add_parser(sub) -> None:
    p = sub.add_parser("export", help="export a trained model (keras, weights, savedmodel, onnx, litert, python)")
    p.add_argument("target", help="a run directory, or a .keras file")
    p.add_argument("--format", required=True,
                   help=f"{'|'.join(FORMATS)}; several separated by commas (then --out is a folder)")
    p.add_argument("--out", help="the file (or SavedModel folder) to write; default: RUN_DIR/export/")
    p.add_argument("--force", action="store_true",
                   help="replace an existing file or non-empty folder at --out (the run's own files never are)")
    p.add_argument("--spec", help="the run spec (default: the run's spec.json); needed for the python format")
    p.add_argument("--checkpoint", choices=("model", "best"), default="model",
                   help="in a run directory: the final model (default) or the best checkpoint")
    p.add_argument("--backend", choices=BACKENDS,
                   help="backend the model was trained on (default: from the spec)")
    p.add_argument("--onnx-backend", choices=BACKENDS,
                   help="who converts to ONNX: tensorflow (tf2onnx, default), torch (torch.onnx) or jax (jax2onnx)")
    p.add_argument("--atol", type=float, default=1e-4, help="absolute tolerance of the output check")
    p.add_argument("--rtol", type=float, default=1e-4, help="relative tolerance of the output check")
    p.add_argument("--timeout", type=float, default=900, help="seconds to wait for each child process")
    p.add_argument("--quiet", action="store_true", help="no progress messages")


def run(args) -> int:
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        error(f"unknown export format `{', '.join(unknown) or args.format}`; choose from {', '.join(FORMATS)}")
        return 2
    several = len(formats) > 1
    target = Path(args.target).expanduser()
    own = run_dir_of(target.resolve()) if target.exists() else None  # its export/ folder is the default
    if several and args.out is not None and (problem := output_folder_problem(args.out, "--out", own_run=own)):
        error(f"{problem} (with several formats --out is the folder they are written into)")
        return 1
    jobs = [(f, None if several else args.out) for f in formats]

    def progress(event: ev.Event) -> None:
        if not args.quiet and isinstance(event, (ev.Log, ev.Warning)):
            print(f"  {event.message}", file=sys.stderr)

    try:
        results = export_many(args.target, jobs, spec=args.spec, checkpoint=args.checkpoint, backend=args.backend,
                              onnx_backend=args.onnx_backend, out_dir=args.out if several else None,
                              atol=args.atol, rtol=args.rtol, timeout=args.timeout, on_event=progress,
                              force=args.force)
    except JobError as exc:
        error(exc.message)
        return 1
    failed = 0
    for r in results:
        if r.ok:
            print(r.describe())
            for note in r.notes:
                print(f"  note: {note}")
        else:
            failed += 1
            error(f"{r.format} export failed: {r.error}")
    return 1 if failed else 0
