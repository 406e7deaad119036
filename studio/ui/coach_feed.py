"""The coach in the app process: the live training's events go through a `Coach` (cheap: it reads curves and
the inside snapshots, never a backend) that keeps the run's coach.jsonl; a past run shows the coach.jsonl it
kept, or, for a run trained before the coach existed, findings worked out from its files in the background
without writing anything into the run."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from studio.core import events as ev
from studio.core.coach.coach import COACH_FILE, Coach, read_coach
from studio.core.coach.data_summary import DataSummary
from studio.core.coach.diagnosis import Diagnosis
from studio.core.coach.history import RunHistory
from studio.core.runs import SPEC_FILE
from studio.core.spec import RunSpec
from studio.ui.background import Background


def findings_from_files(run_dir: str) -> list[Diagnosis]:
    """What the coach makes of a run's files (read-only: nothing is written into the run)."""
    coach = Coach(RunHistory.from_run_dir(run_dir))
    coach.check()
    return coach.diagnoses()


def newest_first(findings: list[Diagnosis]) -> list[Diagnosis]:
    """A past run's findings by the epoch they were first seen, the latest first (those before training last)."""
    return sorted(findings, key=lambda d: (-1 if d.epoch is None else d.epoch, d.rank()), reverse=True)


def _summary_for(spec: RunSpec) -> DataSummary | None:
    from studio.data.summary import summary_for  # loaders and their readers: only once a run trains

    return summary_for(spec)


class CoachFeed(QObject):
    changed = Signal(str, list)  # run directory, every finding for it so far, newest first

    def __init__(self, background: Background, parent: QObject | None = None):
        super().__init__(parent)
        self.background = background
        self.run_dir: str | None = None
        self.findings: list[Diagnosis] = []
        self.live = False
        self._coach: Coach | None = None
        self._waiting: Coach | None = None  # the coach whose data summary is being loaded

    def on_event(self, e: ev.Event) -> None:
        """An event of the live training (the bridge's `events`)."""
        if isinstance(e, ev.Started):
            # the child wrote spec.json before it started: the history reads the spec the run trains
            self._coach = Coach(RunHistory.from_run_dir(e.run_dir), save_to=e.run_dir)
            self.live = True
            self._set(e.run_dir, newest_first(self._coach.diagnoses()))
            spec = self._coach.history.spec
            if spec is not None:  # class counts and feature scales, loaded off the UI thread while it trains
                self._waiting = coach = self._coach
                self.background.submit(partial(_summary_for, spec), partial(self._summarised, coach))
        if self._coach is None:
            return
        self._report(self._coach.feed(e), isinstance(e, ev.TERMINAL))

    def _summarised(self, coach: Coach, summary: DataSummary | None) -> None:
        """The data's summary arrived: the coach reads it from now on and looks again at what it has seen."""
        if coach is not self._waiting:
            return  # another run started meanwhile
        self._waiting = None
        if summary is None:
            return  # a download or data that failed to load: the coach reads the curves alone
        summary.train_samples = summary.train_samples or coach.history.data.train_samples
        coach.history.data = summary
        news = coach.check()  # also when a short run ended first: its coach.jsonl gets what the data shows
        if coach is self._coach or (news and self.run_dir == str(coach.save_to)):
            self._report(news, False)

    def _report(self, news: list[Diagnosis], ended: bool) -> None:
        # newest first: what was just found, or just firmed up, goes to the top (the most severe of them first)
        news = sorted(news, key=lambda d: d.rank(), reverse=True)
        kinds = {d.kind for d in news}
        findings = news + [d for d in self.findings if d.kind not in kinds]
        if ended:
            self._coach, self.live = None, False
        if news or ended:  # at the end listeners hear too: the run is no longer live
            self._set(self.run_dir or "", findings)

    def show_run(self, run_dir: str) -> None:
        """A finished run shown: its kept findings, else worked out from its files off the UI thread."""
        self._coach, self.live = None, False
        self._set(run_dir, newest_first(read_coach(run_dir)))
        # a coach.jsonl, even empty, is the coach's word on the run; only a run without one is worked out
        if (Path(run_dir) / COACH_FILE).exists() or not (Path(run_dir) / SPEC_FILE).is_file():
            return
        self.background.submit(lambda: findings_from_files(run_dir),
                               lambda found: self._set(run_dir, newest_first(found)) if run_dir == self.run_dir
                               else None)

    def clear(self) -> None:
        """Runs compared together: no one run's advice (each run's is there when it is shown alone)."""
        self._coach, self.live = None, False
        self._set("", [])

    def _set(self, run_dir: str, findings: list[Diagnosis]) -> None:
        self.run_dir, self.findings = run_dir, list(findings)
        self.changed.emit(run_dir, self.findings)
