"""The Curves tab: loss, metrics and learning rate of the run (`studio.ui.plots`), live from the training's
events and redrawn on a timer while it runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from studio.core import events as ev
from studio.ui.results.registry import ResultView

if TYPE_CHECKING:
    from studio.ui.plots import PlotsPanel
    from studio.ui.results.context import ResultContext


def make(ctx: ResultContext) -> PlotsPanel:
    from studio.ui.plots import PlotsPanel

    panel = PlotsPanel()
    ctx.listen(ev.Started, panel.on_started)
    ctx.listen(ev.Started, lambda _e: panel.start_live())
    ctx.listen(ev.BatchEnd, panel.on_batch)
    ctx.listen(ev.EpochEnd, panel.on_epoch)
    ctx.listen(ev.TERMINAL, lambda _e: panel.stop_live())  # the last points drawn, the timer stopped
    return panel


VIEW = ResultView("curves", "Curves", make, order=10)
