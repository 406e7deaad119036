"""`keras-studio inspect RUN_DIR`: what a run recorded of the inside of its model, as JSON, arrays or pictures.

    keras-studio inspect RUN --list
    keras-studio inspect RUN --view activations|weights|gradients|filters|saliency|gradcam
                         [--layer BLOCK] [--epoch N|last] [--probe K] --out FILE.npz|FILE.png [--force]
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from studio.cli.common import error
from studio.core import inside_pictures as pictures
from studio.core.inspect_store import VIEWS, InspectError, InspectRecord
from studio.core.safe_paths import discard, place, refusal, staging_path

SUFFIXES = (".npz", ".png")


def add_parser(sub) -> None:
    p = sub.add_parser("inspect", help="what a run recorded inside its model: activations, weights, gradients, "
                                       "filters, saliency, Grad-CAM")
    p.add_argument("run_dir", help="a run directory")
    p.add_argument("--list", action="store_true", help="print the recorded epochs, layers and views as JSON")
    p.add_argument("--view", choices=VIEWS, help="what to write")
    p.add_argument("--layer", help="the block (default: the first that has the view; for gradcam the last "
                                   "convolution; for saliency the input)")
    p.add_argument("--epoch", default="last", help="an epoch number or `last` (default); 0 is before training")
    p.add_argument("--probe", type=int, default=None,
                   help="one probe sample (0-based); a .png shows probe 0 unless told")
    p.add_argument("--out", help="FILE.npz (the arrays, channels last; histograms as counts and edges) or "
                                 "FILE.png (the picture the app draws)")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")


def run(args) -> int:
    run_dir = Path(args.run_dir)
    if not run_dir.is_dir():
        error(f"{run_dir} is not a folder; give a run directory (keras-studio runs lists them)")
        return 1
    try:
        record = InspectRecord(run_dir)
        if args.list or not args.view:
            print(json.dumps(record.listing(), indent=2))
            return 0
        return _write(record, args, run_dir)
    except InspectError as exc:
        error(str(exc))
        return 1


def _write(record: InspectRecord, args, run_dir: Path) -> int:
    if not args.out:
        error("--view needs --out FILE.npz or FILE.png")
        return 1
    out = Path(args.out)
    if out.suffix.lower() not in SUFFIXES:
        error(f"{out.name}: write .npz (arrays) or .png (the picture); received `{out.suffix or 'no suffix'}`")
        return 1
    if problem := refusal(out, keep=[run_dir], folder=False, force=args.force, no_entry=[run_dir]):
        error(problem)
        return 1
    if not out.parent.is_dir():
        error(f"{out.parent} does not exist; create the folder first or choose another --out")
        return 1
    epoch = record.epoch(args.epoch)
    arrays = record.arrays(args.view, args.layer, epoch, args.probe)
    layer = args.layer or _default_layer(record, args.view)
    staging = staging_path(out)
    try:
        if out.suffix.lower() == ".npz":
            with open(staging, "wb") as f:
                np.savez(f, **arrays)  # type: ignore[arg-type]
        else:
            from PIL import Image

            rgb = pictures.picture(record, args.view, layer, epoch, args.probe or 0)
            Image.fromarray(rgb).save(staging, format="PNG")
        place(staging, out)
    except OSError as exc:
        discard(staging)
        error(f"cannot write {out}: {exc.strerror or exc}")
        return 1
    print(f"{args.view} of {layer}, epoch {epoch}: {out}")
    return 0


def _default_layer(record: InspectRecord, view: str) -> str:
    having = [b for b, vs in record.listing()["layers"].items() if view in vs]
    return having[-1 if view == "gradcam" else 0]
