"""The coach clinic (a benchmark, not a test): each spec of tests/coach/clinic, broken in one way, is trained; the
coach must name that fault, and nothing else at problem level; then the coach's first fix for it is applied
(studio.core.coach.fixes.apply_fix) and the spec trained again: the fault's metric must get better. Prints the
table as markdown and writes it as JSON. With --presets, the false alarms instead: the healthy presets trained
as shipped (MNIST on the small stand-in tests/data/files/mnist.npz), and whatever the coach says of them.

    .venv/bin/python benchmarks/coach_clinic.py [--backend jax --backend torch] [--only overfitting] [--json F]
    .venv/bin/python benchmarks/coach_clinic.py --presets [--backend jax]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the clinic lives with the tests


def row(name: str, backend: str, out: Path) -> dict:
    from studio.core.coach.fixes import apply_fix
    from tests.coach.clinic import DEPLOYED, METRIC, load, score_deployed, train

    spec = load(name, backend)
    before = train(spec, out)
    if name in DEPLOYED:
        score_deployed(name, spec, before)
    found = before.finding(name)
    r = {"fault": name, "backend": backend, "named": found.severity if found else None,
         "other_problems": [k for k in before.kinds("problem") if k != name],
         "others": [f"{d.severity} {d.kind}" for d in before.found if d.kind != name and d.severity != "problem"],
         "said": found.evidence if found else "", "fix": found.fixes[0].label if found and found.fixes else None,
         "metric": METRIC[name][0], "before": before.score(name), "after": None, "improved": None}
    if found and found.fixes:
        fixed = apply_fix(spec, found.fixes[0])
        after = train(fixed, out)
        if name in DEPLOYED:
            score_deployed(name, fixed, after)
        r["after"] = after.score(name)
        r["improved"] = (r["after"] > r["before"]) == METRIC[name][1] and r["after"] != r["before"]
    return r


def markdown(rows: list[dict]) -> str:
    lines = ["| fault | backend | coach said | first fix | metric | before | after | improved | also said |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        said = f"**{r['named']}**: {r['said']}" if r["named"] else "(not named)"
        also = ", ".join([f"problem {k}" for k in r["other_problems"]] + r["others"]) or "—"
        after = "—" if r["after"] is None else f"{r['after']:.4f}"
        lines.append(f"| {r['fault']} | {r['backend']} | {said} | {r['fix'] or '(none offered)'} | {r['metric']} "
                     f"| {r['before']:.4f} | {after} | {r['improved']} | {also} |")
    return "\n".join(lines)


HEALTHY = ("optimization_lab", "mnist_cnn", "timeseries_rnn", "optimizer_adam", "regression_mlp")
STAND_IN = {"mnist_cnn": Path(__file__).resolve().parents[1] / "tests" / "data" / "files" / "mnist.npz"}


def false_alarms(name: str, backend: str, out: Path) -> dict:
    from studio.core.presets import presets_dir
    from tests.coach.clinic import train

    spec = json.loads((presets_dir() / f"{name}.json").read_text(encoding="utf-8"))
    spec["training"]["backend"] = backend
    if name in STAND_IN:
        spec["data"].setdefault("params", {})["path"] = str(STAND_IN[name])
    result = train(spec, out)
    return {"preset": name, "backend": backend, "findings": [f"{d.severity} {d.kind}: {d.evidence}"
                                                             for d in result.found],
            "alarms": [d.kind for d in result.found if d.severity != "info"]}


def main() -> int:
    from tests.coach.clinic import FAULTS

    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", action="append", help="jax, torch or tensorflow (repeatable; default: jax, torch)")
    ap.add_argument("--only", action="append", choices=FAULTS, help="just these faults (repeatable)")
    ap.add_argument("--json", type=Path, help="also write the rows as JSON here")
    ap.add_argument("--presets", action="store_true", help="the healthy presets' false alarms instead")
    args = ap.parse_args()
    rows = []
    if args.presets:
        with tempfile.TemporaryDirectory() as tmp:
            rows = [false_alarms(name, backend, Path(tmp)) for backend in args.backend or ["jax"] for name in HEALTHY]
        for r in rows:
            print(f"{r['preset']} ({r['backend']}): " + ("; ".join(r["findings"]) or "nothing"))
        if args.json:
            args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
        return 0 if not any(r["alarms"] for r in rows) else 1
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backend or ["jax", "torch"]:
            for name in args.only or FAULTS:
                rows.append(row(name, backend, Path(tmp)))
                print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print(markdown(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    ok = all(r["named"] and not r["other_problems"] and r["improved"] for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
