"""`keras-studio optimizer-template FILE`: write a custom optimizer to start from (SGD with momentum, written
out with keras.ops), and print the spec's optimizer section that trains with it."""

from __future__ import annotations

import json
from pathlib import Path

from studio.cli.common import error
from studio.core.custom_code import TEMPLATE_CLASS, template
from studio.core.runs import write_atomic


def add_parser(sub) -> None:
    p = sub.add_parser("optimizer-template", help="write a custom optimizer's .py file to start from",
                       description="Write plain SGD with momentum as a keras.optimizers.Optimizer subclass in "
                                   "keras.ops (runs on every backend), with comments at the update rule.")
    p.add_argument("file", help="the .py file to write, e.g. my_optimizer.py next to your spec")
    p.add_argument("--class-name", default=TEMPLATE_CLASS, help=f"the class's name (default: {TEMPLATE_CLASS})")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")


def run(args) -> int:
    path = Path(args.file)
    if path.suffix != ".py":
        error(f"{path} is not a .py file; give a name such as my_optimizer.py")
        return 1
    if not args.class_name.isidentifier():
        error(f"--class-name {args.class_name!r} is not a Python name; use letters, digits and _, e.g. MySGD")
        return 1
    if path.exists() and not args.force:
        error(f"{path} exists; choose another name, or add --force to replace it")
        return 1
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, template(args.class_name, path.name))
    except OSError as exc:
        error(f"cannot write {path}: {exc.strerror or exc}")
        return 1
    section = {"name": "custom", "path": path.name, "class_name": args.class_name, "learning_rate": 0.01}
    print(f"wrote {path}; train with it by putting this in the spec (next to the file):\n"
          f'  "optimizer": {json.dumps(section)}\n'
          "and run it with --allow-code (it is code you run: read it first)")
    return 0
