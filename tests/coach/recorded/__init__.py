"""Real runs of the presets as shipped, kept small: the events the coach was fed live and, for each inspect
snapshot, only the statistics it reads (written by record_run.py from a run directory). Replaying one feeds a
live Coach exactly what it saw while the run trained, without training anything in the tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from studio.core.coach.coach import Coach
from studio.core.coach.data_summary import DataSummary
from studio.core.coach.diagnosis import Diagnosis
from studio.core.coach.history import RunHistory
from studio.core.spec import parse_spec

HERE = Path(__file__).resolve().parent
RECORDED = tuple(sorted(p.stem for p in HERE.glob("*.json")))


def load(name: str) -> dict[str, Any]:
    return json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))


def replay(name: str) -> tuple[Coach, list[Diagnosis]]:
    """A Coach fed the recorded run in its order (each snapshot where its Inspect event came); the coach and
    every message it reported on the way (new or firmer), in order."""
    rec = load(name)
    spec = parse_spec(rec["spec"])
    coach = Coach(RunHistory(spec=spec, data=DataSummary.from_dict(rec["data"])))
    said: list[Diagnosis] = []
    for event in rec["events"]:
        if event.get("event") == "Inspect":
            coach.history.add_snapshot(int(event["epoch"]), rec["snapshots"][str(event["epoch"])])
            said += coach.check()
        else:
            said += coach.feed(event)
    return coach, said
