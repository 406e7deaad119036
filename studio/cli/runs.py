"""`keras-studio runs [DIR] [--sort KEY] [--csv FILE]`: the run table of a runs folder, as the app shows it."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from studio.core.run_files import display
from studio.core.run_index import COLUMNS, RunIndex, cell_text, table
from studio.core.safe_paths import output_file_problem, write_text_atomic


def add_parser(sub) -> None:
    p = sub.add_parser("runs", help="list the runs in a folder as a table (sortable; --csv to save it)")
    p.add_argument("dir", nargs="?", default="runs", metavar="DIR", help="a runs folder (default: ./runs)")
    p.add_argument("--sort", metavar="KEY", help="sort by a column: started, duration, val_loss, "
                                                 "best_val_accuracy, test_accuracy, optimizer.learning_rate …")
    p.add_argument("--ascending", action="store_true", help="smallest first (default: largest first)")
    p.add_argument("--csv", metavar="FILE", help="also write the whole table to a CSV file")
    p.add_argument("--force", action="store_true", help="replace an existing --csv file")


def run(args) -> int:
    root = Path(args.dir)
    if not root.is_dir():
        print(f"error: {root} is not a folder; give the runs folder (the --out of `keras-studio train`)",
              file=sys.stderr)
        return 1
    if args.csv is not None and (problem := output_file_problem(args.csv, "--csv", args.force)):
        print(f"error: {problem}", file=sys.stderr)
        return 1
    rows = RunIndex(root).rows()
    try:
        keys, values = table(rows, sort=args.sort, descending=not args.ascending)
    except KeyError:
        keys, _ = table(rows)
        print(f"error: --sort {args.sort}: no such column; the columns are: {', '.join(keys)}", file=sys.stderr)
        return 1
    if args.csv is not None:
        buffer = io.StringIO()
        w = csv.writer(buffer)
        w.writerow(keys)
        w.writerows([["" if v is None else v for v in row] for row in values])
        try:
            write_text_atomic(args.csv, buffer.getvalue())
        except OSError as exc:
            print(f"error: cannot write {args.csv}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    if not rows:
        print(f"no runs in {display(str(root))}")
        return 0
    shown = [k for k in keys if k not in ("note",)]  # the note can be long; the CSV has it
    cells = [[cell_text(k, row[keys.index(k)], "—") for k in shown] for row in values]
    heads = [COLUMNS.get(k, k) for k in shown]
    widths = [min(40, max(len(h), *(len(c[i]) for c in cells))) for i, h in enumerate(heads)]
    print("  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip())
    for c in cells:
        shown_cells = ((v if len(v) <= w else v[: w - 1] + "…").ljust(w) for v, w in zip(c, widths, strict=True))
        print("  ".join(shown_cells).rstrip())
    if args.csv is not None:
        print(f"wrote {args.csv}", file=sys.stderr)
    return 0
