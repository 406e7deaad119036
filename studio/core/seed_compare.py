"""A comparison over seeds as a table: each arm's final and best metric (mean ± std over its seeds) and, for each
pair of arms, the difference with its 95 % interval and a verdict, "larger than seed noise" or "within seed noise".

Each arm trains with seeds of its own (arm 1 with 1…N, arm 2 with 1001…1000+N, …): Welch's interval assumes the
arms' runs independent, and the same spec given twice must show honest seed noise, not the same runs twice. The
CLI prints `Comparison.text()`; the app shows the same rows. No Qt, no keras, no Optuna here (studio.jobs.seed_compare
trains the runs).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any

from studio.core.seed_stats import CONFIDENCE, Spread, Verdict, lower_is_better, spread, welch

SEED_STRIDE = 1000  # arm i's seeds start at i * SEED_STRIDE + 1
MAX_SEEDS = SEED_STRIDE - 1
MIN_SEEDS = 2  # Welch's interval needs two runs per arm; three or more make it worth reading
TABLE_PREFIX = "compare-"


def seeds_of(arm: int, n: int) -> list[int]:
    """The seeds arm `arm` (0-based) trains with: its own block of the seed range."""
    if not MIN_SEEDS <= n <= MAX_SEEDS:
        raise ValueError(f"--seeds must be between {MIN_SEEDS} and {MAX_SEEDS}, received {n}")
    return [arm * SEED_STRIDE + k + 1 for k in range(n)]


def unique_labels(labels: list[str]) -> list[str]:
    """The same label twice gets "#2", "#3" …: a pair's verdict must say which arm is which."""
    out = []
    for i, label in enumerate(labels):
        count = labels[:i].count(label)
        out.append(f"{label} #{count + 1}" if count or labels.count(label) > 1 else label)
    return out


def default_name(arm_specs: list[dict[str, Any]], metric: str) -> str:
    """compare-<8 hex>: the same specs and metric give the same study (so a rerun resumes it); a changed spec
    starts a new one. The seed and title are left out: every arm's seeds are set by the comparison."""
    import hashlib

    def essence(spec: dict[str, Any]) -> dict[str, Any]:
        data = json.loads(json.dumps(spec))
        data.get("training", {}).pop("seed", None)
        data.get("meta", {}).pop("title", None)
        return data

    text = json.dumps([metric, [essence(s) for s in arm_specs]], sort_keys=True)
    return TABLE_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:8]


def safe_name(name: str) -> bool:
    return bool(re.fullmatch(r"[\w.-]{1,80}", name))


@dataclass
class Arm:
    """One spec trained with several seeds: one run (and one final and one best value) per finished seed."""

    label: str
    planned: int
    seeds: list[int] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)
    finals: list[float] = field(default_factory=list)
    bests: list[float] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one message per seed that failed on its own

    @property
    def final(self) -> Spread:
        return spread(self.finals)

    @property
    def best(self) -> Spread:
        return spread(self.bests)


@dataclass
class Pair:
    a: int
    b: int
    final: Verdict
    best: Verdict


@dataclass
class Comparison:
    name: str
    metric: str
    seeds: int
    arms: list[Arm]
    confidence: float = CONFIDENCE

    @property
    def lower_is_better(self) -> bool:
        return lower_is_better(self.metric)

    def pairs(self) -> list[Pair]:
        """Every pair of arms, in the order given (b − a for a before b)."""
        return [Pair(i, j, welch(a.finals, b.finals, self.confidence), welch(a.bests, b.bests, self.confidence))
                for (i, a), (j, b) in combinations(enumerate(self.arms), 2)]

    def better(self, pair: Pair, verdict: Verdict) -> str:
        """The label of the better arm of a pair when the verdict says they differ, else ""."""
        if not verdict.larger or verdict.reason:
            return ""
        b_higher = verdict.difference > 0
        return self.arms[pair.b if b_higher != self.lower_is_better else pair.a].label

    def headers(self) -> list[str]:
        return ["arm", "seeds", f"final {self.metric}", f"best {self.metric}", "min – max (final)"]

    def rows(self) -> list[list[str]]:
        out = []
        for arm in self.arms:
            f = arm.final
            out.append([arm.label, f"{f.n}/{arm.planned}", f.text(), arm.best.text(),
                        "—" if f.n == 0 else f"{f.low:.4g} – {f.high:.4g}"])
        return out

    def pair_lines(self) -> list[str]:
        """One line per pair and figure: "B − A, final loss: -0.41, 95 % interval […]: larger than seed noise (A)"."""
        lines = []
        for p in self.pairs():
            a, b = self.arms[p.a].label, self.arms[p.b].label
            for what, v in (("final", p.final), ("best", p.best)):
                better = self.better(p, v)
                lines.append(f"{b} − {a}, {what} {self.metric}: {v.text()}" + (f" ({better} is better)"
                                                                                if better else ""))
        return lines

    def text(self) -> str:
        direction = "lower" if self.lower_is_better else "higher"
        headers, rows = self.headers(), self.rows()
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
        out = [f"{self.name}: {self.metric} over {self.seeds} seeds per arm ({direction} is better; mean ± std)", ""]
        out.append("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
        out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
        out.append("")
        out += self.pair_lines()
        for arm in self.arms:
            for message in arm.failed:
                out.append(f"{arm.label}: a seed failed: {message}")
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        def clean(x: Any) -> Any:  # NaN is not JSON
            if isinstance(x, float) and not math.isfinite(x):
                return None
            if isinstance(x, dict):
                return {k: clean(v) for k, v in x.items()}
            if isinstance(x, list):
                return [clean(v) for v in x]
            return x

        arms = [asdict(a) | {"final": asdict(a.final), "best": asdict(a.best)} for a in self.arms]
        pairs = [{"a": p.a, "b": p.b, "final": asdict(p.final) | {"words": p.final.words},
                  "best": asdict(p.best) | {"words": p.best.words}} for p in self.pairs()]
        return clean({"kind": "compare", "name": self.name, "metric": self.metric, "seeds": self.seeds,
                      "confidence": self.confidence, "arms": arms, "pairs": pairs})
