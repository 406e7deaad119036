"""One finding of the coach: what was seen, where, how sure, and the spec changes that would help.

A fix is a list of changes to the run spec, best fix first. A change is one of two forms (studio.core.coach.fixes
applies them):
    {"path": "optimizer.learning_rate", "value": 0.001}
        set the field at `path` (dots between keys; a list of blocks is addressed by block id, as `--set` does:
        "model.blocks.dense_1.params.activation"); a whole section or list may be the value ("model.blocks")
    {"path": "model.blocks", "insert_after": "dense_1", "value": {"type": "Dropout", "params": {"rate": 0.3}}}
        insert a new block (given a fresh id) right after block `dense_1`; blocks that named dense_1 as their
        input read the new block instead
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["info", "warning", "problem"]
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "problem")  # in rising order: a finding may only climb


@dataclass
class Change:
    path: str
    value: Any
    insert_after: str | None = None  # a block id: insert `value` (a block) after it instead of setting `path`

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "value": self.value}
        if self.insert_after is not None:
            out["insert_after"] = self.insert_after
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Change:
        return cls(str(d["path"]), d.get("value"), d.get("insert_after"))


@dataclass
class Fix:
    label: str  # what the button would say: "Divide the learning rate by 10 (0.1 → 0.01)"
    changes: list[Change]

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "changes": [c.to_dict() for c in self.changes]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Fix:
        return cls(str(d["label"]), [Change.from_dict(c) for c in d.get("changes", [])])


@dataclass
class Diagnosis:
    kind: str  # overfitting, lr_too_high, … (one message per kind per run)
    severity: Severity
    epoch: int | None  # 1-based epoch where it was first seen, as the plots show it; None: before training
    evidence: str  # the numbers read, in words
    advice: str  # one or two sentences in a course's terms
    blocks: list[str] = field(default_factory=list)  # block ids concerned
    settings: list[str] = field(default_factory=list)  # spec paths concerned, e.g. "optimizer.learning_rate"
    fixes: list[Fix] = field(default_factory=list)  # best first
    resolved: int | None = None  # the epoch by which the run outgrew it (a withdrawn warning); None: it holds

    def to_dict(self) -> dict[str, Any]:
        out = {"kind": self.kind, "severity": self.severity, "epoch": self.epoch, "blocks": list(self.blocks),
               "settings": list(self.settings), "evidence": self.evidence, "advice": self.advice,
               "fixes": [f.to_dict() for f in self.fixes]}
        if self.resolved is not None:
            out["resolved"] = self.resolved
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Diagnosis:
        severity = d.get("severity")
        if severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, received {severity!r}")
        epoch, resolved = d.get("epoch"), d.get("resolved")
        return cls(kind=str(d["kind"]), severity=severity, epoch=None if epoch is None else int(epoch),
                   evidence=str(d.get("evidence", "")), advice=str(d.get("advice", "")),
                   blocks=[str(b) for b in d.get("blocks", [])], settings=[str(s) for s in d.get("settings", [])],
                   fixes=[Fix.from_dict(f) for f in d.get("fixes", [])],
                   resolved=None if resolved is None else int(resolved))

    def rank(self) -> int:
        return SEVERITIES.index(self.severity)
