"""The clinic: run specs broken in one way each (written by make_clinic.py; the file's stem is the kind of
finding the coach should report), and the helpers that train one with a live Coach as `keras-studio train`
does and read back what the coach said and how well the model did.

Used by tests/coach/test_clinic.py (does the coach name each fault?) and benchmarks/coach_clinic.py (does the
coach's first fix make the model better, on each backend?).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core.coach.diagnosis import Diagnosis
from studio.core.runs import SUMMARY_FILE, read_json
from studio.core.spec import parse_spec

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
FAULTS = tuple(sorted(p.stem for p in HERE.glob("*.json")))
# how each fault's harm shows in the final model's validation scores: (metric, True when higher is better);
# the rare class's misses hide in the accuracy, so the imbalance is scored by the recall averaged over classes;
# the leak by the accuracy on new samples, which come without the answer (DEPLOYED)
METRIC: dict[str, tuple[str, bool]] = {name: ("accuracy", True) for name in FAULTS} | {
    "overfitting": ("loss", False), "class_imbalance": ("recall_macro", True),
    "label_leak": ("deployed_accuracy", True)}
DEPLOYED = {"label_leak": "leak_deployed.csv"}


def load(name: str, backend: str = "jax") -> dict[str, Any]:
    """A clinic spec as a dict, on `backend`, its CSV paths (relative to the checkout) made absolute."""
    spec = json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))
    path = spec["data"].get("params", {}).get("path")
    if path:
        spec["data"]["params"]["path"] = str(ROOT / path)
    spec["training"]["backend"] = backend
    return spec


@dataclass
class Result:
    run_dir: Path
    found: list[Diagnosis] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)  # the final model on the validation split

    def kinds(self, severity: str) -> list[str]:
        return [d.kind for d in self.found if d.severity == severity]

    def finding(self, kind: str) -> Diagnosis | None:
        return next((d for d in self.found if d.kind == kind), None)

    def score(self, name: str) -> float:
        return self.metrics.get(METRIC[name][0], math.nan)


def train(spec: dict[str, Any], out: Path) -> Result:
    """Train `spec` in a child process, with the Coach `keras-studio train` runs fed its events."""
    from studio.cli.train import coach_for
    from studio.jobs.process import TrainingProcess

    parsed = parse_spec(spec)
    proc = TrainingProcess(parsed, out)
    run_dir = proc.start()
    coach = coach_for(parsed, run_dir)
    try:
        for event in proc.iter_events():
            coach.feed(event)
    finally:
        proc.close()
    summary = read_json(run_dir / SUMMARY_FILE, {}) or {}
    if "metrics" not in summary:
        raise RuntimeError(f"{run_dir} did not finish: {proc.terminal}")
    evaluation = read_json(run_dir / "evaluation.json", {}) or {}
    return Result(run_dir, coach.diagnoses(), {**summary["metrics"].get("validation", {}),
                                               **evaluation.get("metrics", {})})


def train_all(specs: dict[str, dict[str, Any]], out: Path, backend: str = "jax") -> dict[str, Result]:
    """Train several clinic specs in one child process (one backend start for all) and feed each run's events,
    as events.jsonl kept them, to the Coach `keras-studio train` runs: what it would have said live."""
    from studio.cli.train import coach_for
    from studio.core.runs import read_events
    from tests.helpers import train_in_one_child

    done = train_in_one_child(backend, specs, out)
    results = {}
    for name, spec in specs.items():
        r = done[name]
        if r["kind"] != "Finished":
            raise RuntimeError(f"{name} did not finish: {r['message']}\n{r['details']}")
        run_dir = Path(r["run_dir"])
        coach = coach_for(parse_spec(spec), run_dir)
        for event in read_events(run_dir):
            coach.feed(event)
        summary = read_json(run_dir / SUMMARY_FILE, {}) or {}
        evaluation = read_json(run_dir / "evaluation.json", {}) or {}
        results[name] = Result(run_dir, coach.diagnoses(), {**summary["metrics"].get("validation", {}),
                                                            **evaluation.get("metrics", {})})
    return results


def score_deployed(name: str, spec: dict[str, Any], result: Result) -> None:
    """Add the accuracy on the deployed copy of the fault's data (the same rows, the leaked column shuffled), as
    the model would meet new samples, to `result.metrics`."""
    from studio.jobs.evaluate_job import evaluate

    deployed = json.loads(json.dumps(spec))
    deployed["data"]["params"]["path"] = str(HERE / DEPLOYED[name])
    doc = evaluate(result.run_dir, deployed, result.run_dir / "deployed", split="validation")
    result.metrics["deployed_accuracy"] = float(doc["metrics"]["accuracy"])
