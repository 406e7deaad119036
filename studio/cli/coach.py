"""`keras-studio coach RUN_DIR [--json]`: what the training coach makes of a finished or running run: each finding
with its severity, the epoch it was first seen, the evidence, the advice and the spec changes on offer.

Read-only: it never writes into the run directory (the process training it is its only writer). The data is
loaded again (without Keras) for class counts and feature scales; a source that needs Keras or a download,
or --no-data, leaves only the sample counts the run recorded.
"""

from __future__ import annotations

import json
from pathlib import Path

from studio.cli.common import error
from studio.core.coach.coach import Coach
from studio.core.coach.data_summary import DataSummary
from studio.core.coach.diagnosis import Diagnosis
from studio.core.coach.history import RunHistory
from studio.core.runs import SPEC_FILE, read_json
from studio.core.spec import SpecError, parse_spec
from studio.data.dataset import DataError


def add_parser(sub) -> None:
    p = sub.add_parser("coach", help="what went wrong in a run, and the spec changes that would help")
    p.add_argument("run_dir", help="a run directory (keras-studio runs lists them)")
    p.add_argument("--json", action="store_true", help="print a JSON list of the findings")
    p.add_argument("--no-data", action="store_true", help="do not load the data again (no class counts or "
                                                          "feature scales)")


def run(args) -> int:
    run_dir = Path(args.run_dir)
    if not run_dir.is_dir():
        error(f"{run_dir} is not a folder; give a run directory (keras-studio runs lists them)")
        return 2
    if not isinstance(read_json(run_dir / SPEC_FILE), dict):
        error(f"{run_dir} is not a run directory: it has no readable {SPEC_FILE}")
        return 2
    data, note = (None, "") if args.no_data else _data(run_dir)
    coach = Coach(RunHistory.from_run_dir(run_dir, data))
    coach.check()
    found = coach.diagnoses()
    if args.json:
        print(json.dumps([d.to_dict() for d in found], indent=2))
        return 0
    if note:
        print(f"note: {note}\n")
    if not found:
        state = coach.history.state
        print(f"No findings after {coach.history.epochs_done} epochs ({state}).")
    for d in found:
        print(format_diagnosis(d))
    return 0


def format_diagnosis(d: Diagnosis) -> str:
    when = "before training" if d.epoch is None else f"epoch {d.epoch}"
    lines = [f"{d.severity.upper()} [{when}] {d.kind}", f"  {d.advice}", f"  evidence: {d.evidence}"]
    if d.blocks:
        lines.append(f"  blocks: {', '.join(d.blocks)}")
    for n, fix in enumerate(d.fixes):
        changes = "; ".join(f"{c.path}{' after ' + c.insert_after if c.insert_after else ''} = "
                            f"{json.dumps(c.value)}" for c in fix.changes)
        lines.append(f"  {'fix' if n == 0 else ' or'}: {fix.label}  [{changes}]")
    return "\n".join(lines) + "\n"


def _data(run_dir: Path) -> tuple[DataSummary | None, str]:
    """The data summary of the run's spec, or None and why it could not be made here."""
    try:
        spec = parse_spec(read_json(run_dir / SPEC_FILE), str(run_dir / SPEC_FILE))
    except SpecError:
        return None, "the spec cannot be read by this version; the data was not loaded"
    from studio.data.loaders import load
    from studio.data.summary import summarize

    try:
        ds = load(spec.data, spec.training.seed, keep_lazy=True)
    except DataError as exc:
        return None, f"the data was not loaded ({exc}); class counts and feature scales are left out"
    return summarize(ds, spec.data.normalize), ""
