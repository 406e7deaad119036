"""`python -m tests.coach.recorded.record_run RUN_DIR NAME`: keep a real run as tests/coach/recorded/NAME.json,
its events (batch ends thinned to the last of each epoch) and the statistics the coach reads from each inspect
snapshot, so a test can replay what the live coach saw without training."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from studio.core.inspect_store import InspectRecord
from studio.core.runs import SPEC_FILE, read_events, read_json
from studio.core.spec import parse_spec
from studio.data.summary import summary_for
from tests.coach.recorded import HERE


def coach_arrays(snapshot) -> dict:
    """The arrays RunHistory.add_snapshot reads: per-block statistics, and each variable's norm and count."""
    out = {}
    for key in snapshot.files if hasattr(snapshot, "files") else snapshot:
        parts = key.split("/")
        if parts[0] == "stats" and len(parts) == 2:
            out[key] = [float(v) for v in np.asarray(snapshot[key]).ravel()]
        elif parts[0] in ("gradients", "weights") and len(parts) == 4 and parts[3] in ("norm", "counts"):
            value = np.asarray(snapshot[key])
            out[key] = float(value) if parts[3] == "norm" else [float(np.sum(value))]
    return out


def main(run_dir: str, name: str) -> None:
    run = Path(run_dir)
    spec = parse_spec(read_json(run / SPEC_FILE))
    events = []
    for e in read_events(run):
        if e.get("event") == "BatchEnd" and e.get("step") != e.get("steps"):
            continue  # the epoch's last batch is enough for the curves the coach reads
        events.append(e)
    record = InspectRecord(run)
    snapshots = {str(epoch): coach_arrays(record.snapshot(epoch)) for epoch in record.epochs}
    record.close()
    kept = {int(k) for k in snapshots}
    events = [e for e in events if e.get("event") != "Inspect" or int(e["epoch"]) in kept]
    data = summary_for(spec)
    out = {"run": run.name, "spec": spec.to_dict(), "data": data.to_dict() if data else {}, "events": events,
           "snapshots": snapshots}
    (HERE / f"{name}.json").write_text(json.dumps(out, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:3])
