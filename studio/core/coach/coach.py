"""The Coach: runs every detector over a RunHistory after each epoch and reports each finding once.

At most one message per kind per run. A kind seen again is reported again only when it firms up: its severity
rises or it names more blocks; it keeps the epoch where it was first seen, and its severity never falls while
it holds (a warning that was true at epoch 8 stays part of the run's story). A finding about the curves' present
course (WITHDRAWABLE) that the run outgrows, its detector silent for WITHDRAW_AFTER epochs, is withdrawn: kept,
as a note that says by when it no longer held, rather than left standing as a warning the run proved wrong.
The findings live in the run directory's coach.jsonl, one Diagnosis a line, rewritten atomically whenever one is
new or updated.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from studio.core import events as ev
from studio.core.coach.detectors import ALL, Detector, run_detectors
from studio.core.coach.diagnosis import Diagnosis
from studio.core.coach.history import RunHistory
from studio.core.runs import write_atomic

COACH_FILE = "coach.jsonl"
# the events after which findings may change
CHECK_AFTER = frozenset(c.__name__ for c in (ev.EpochEnd, ev.Inspect, ev.Finished, ev.Stopped, ev.Failed))
# kinds that describe where the curves are going, which later epochs can reverse (a validation loss that rises for
# six epochs and then reaches a new best was no over-fitting); a NaN, a data fault or a dead layer stays what it was
WITHDRAWABLE = frozenset({"overfitting", "plateau", "underfitting", "lr_too_high", "lr_too_low"})
WITHDRAW_AFTER = 3  # epochs of silence before a finding is withdrawn: one epoch back under a threshold is noise


def read_coach(run_dir: str | Path) -> list[Diagnosis]:
    """The findings kept in a run's coach.jsonl ([] when there is none); unreadable lines are skipped."""
    out = []
    try:
        lines = (Path(run_dir) / COACH_FILE).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    for line in lines:
        try:
            found = json.loads(line)
            if isinstance(found, dict):
                out.append(Diagnosis.from_dict(found))
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):  # a damaged line of any shape
            continue
    return out


def write_coach(run_dir: str | Path, diagnoses: list[Diagnosis]) -> None:
    write_atomic(Path(run_dir) / COACH_FILE, "".join(json.dumps(d.to_dict()) + "\n" for d in diagnoses))


class Coach:
    def __init__(self, history: RunHistory | None = None, save_to: str | Path | None = None,
                 detectors: tuple[Detector, ...] = ALL):
        """`save_to`: a run directory to keep coach.jsonl in (its findings so far are read back first)."""
        self.history = history or RunHistory()
        self.detectors = detectors
        self.save_to = Path(save_to) if save_to is not None else None
        self.found: dict[str, Diagnosis] = {}  # kind → the finding as last reported
        self._silent: dict[str, int] = {}  # withdrawable kind → the epoch from which its detector found nothing
        if self.save_to is not None:
            self.found = {d.kind: d for d in read_coach(self.save_to)}

    def feed(self, event: ev.Event | dict[str, Any]) -> list[Diagnosis]:
        """Take one event; after an epoch (or a snapshot, or the run's end) the new or updated findings."""
        self.history.feed(event)
        kind = event.get("event") if isinstance(event, dict) else event.kind
        if kind in CHECK_AFTER:
            return self.check()
        return []

    def check(self) -> list[Diagnosis]:
        """Run the detectors now; the findings that are new, firmer than when last reported, or withdrawn."""
        current = run_detectors(self.history, self.detectors)
        news = self._withdraw({d.kind for d in current})
        for d in current:
            old = self.found.get(d.kind)
            self._silent.pop(d.kind, None)
            if old is not None and old.resolved is None:
                if d.rank() < old.rank():
                    continue  # severity never falls while it holds
                if d.rank() == old.rank() and set(d.blocks) <= set(old.blocks):
                    continue  # nothing firmer: not repeated
            if old is not None:  # firmer, or back after it was withdrawn: the same message, updated
                d.epoch = old.epoch  # first seen stays first seen
                d.blocks = list(dict.fromkeys([*old.blocks, *d.blocks]))
            self.found[d.kind] = d
            news.append(d)
        if news and self.save_to is not None:
            write_coach(self.save_to, self.diagnoses())
        return news

    def _withdraw(self, holding: set[str]) -> list[Diagnosis]:
        """Withdraw the warnings about the curves' course that have not held for WITHDRAW_AFTER epochs."""
        done = self.history.epochs_done
        out = []
        for kind, old in list(self.found.items()):
            if kind in holding or kind not in WITHDRAWABLE or old.resolved is not None or old.severity == "info":
                continue
            since = self._silent.setdefault(kind, done)
            if done - since + 1 < WITHDRAW_AFTER:
                continue
            note = replace(old, severity="info", resolved=done,
                           evidence=f"{old.evidence} Withdrawn at epoch {done}: the last {WITHDRAW_AFTER} epochs no "
                                    "longer show it.")
            self.found[kind] = note
            out.append(note)
        return out

    def diagnoses(self) -> list[Diagnosis]:
        """Every finding so far, the most severe first, then by the epoch it was first seen."""
        return sorted(self.found.values(), key=lambda d: (-d.rank(), -1 if d.epoch is None else d.epoch))
