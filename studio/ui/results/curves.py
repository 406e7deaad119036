"""The Curves tab: loss, metrics and learning rate of the run (`studio.ui.plots`), live from the training's
events and redrawn on a timer while it runs, with the coach's findings for the run beside them
(`studio.ui.coach_panel`, hidden while it has nothing to say)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter

from studio.core import events as ev
from studio.ui.results.registry import ResultView

if TYPE_CHECKING:
    from studio.ui.coach_panel import CoachPanel
    from studio.ui.plots import PlotsPanel
    from studio.ui.results.context import ResultContext


class CurvesView(QSplitter):
    def __init__(self, plots: PlotsPanel, coach: CoachPanel):
        super().__init__(Qt.Orientation.Horizontal)
        self.plots, self.coach = plots, coach
        self.addWidget(plots)
        self.addWidget(coach)
        self.setStretchFactor(0, 1)
        self.setStretchFactor(1, 0)
        self.setCollapsible(0, False)

    def follow_coach(self, ctx: ResultContext) -> None:
        """Show the coach's findings for the run shown as they come (connected to this widget, so a view made
        afresh for another project leaves no handler behind on the area's feed)."""
        self._ctx = ctx
        ctx.coach.changed.connect(self.show_findings)
        if ctx.coach.run_dir is not None:
            self.show_findings(ctx.coach.run_dir, ctx.coach.findings)

    def show_findings(self, run_dir: str, found: list) -> None:
        self.coach.show_findings(run_dir, found, self._ctx.coach.live)
        self._ctx.set_badge(f"● {len(found)}" if found else "")  # seen from the Boundary or Inside tab too

    def apply_theme(self) -> None:
        self.plots.apply_theme()
        if self.coach.run_dir is not None:  # the cards' colours are the palette's
            self.coach.show_findings(self.coach.run_dir, self.coach.findings, self.coach.live)

    def shutdown(self) -> None:
        self.plots.shutdown()


def make(ctx: ResultContext) -> CurvesView:
    from studio.ui.coach_panel import CoachPanel
    from studio.ui.plots import PlotsPanel

    panel = PlotsPanel()
    ctx.listen(ev.Started, panel.on_started)
    ctx.listen(ev.Started, lambda _e: panel.start_live())
    ctx.listen(ev.BatchEnd, panel.on_batch)
    ctx.listen(ev.EpochEnd, panel.on_epoch)
    ctx.listen(ev.TERMINAL, lambda _e: panel.stop_live())  # the last points drawn, the timer stopped
    coach = CoachPanel(ctx.doc, ctx.links)
    view = CurvesView(panel, coach)
    view.follow_coach(ctx)
    return view


VIEW = ResultView("curves", "Curves", make, order=10)
