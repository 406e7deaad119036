"""The Inside tab: what the training recorded inside the model (studio.ui.inside_view), for the run shown, live
as snapshots arrive; a click on a block in the graph picks its layer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from studio.core import events as ev
from studio.ui.results.registry import ResultView

if TYPE_CHECKING:
    from studio.ui.inside_view import InsideView
    from studio.ui.results.context import ResultContext


def make(ctx: ResultContext) -> InsideView:
    from studio.ui.inside_view import InsideView

    view = InsideView()
    ctx.run_changed.connect(view.show_run)
    ctx.listen(ev.EpochEnd, view.on_epoch)
    ctx.listen(ev.Inspect, view.on_inspect)

    def ended(_e: ev.Event) -> None:  # a short run's snapshots are all measured at its end: read them again
        if ctx.run_dir:
            view.show_run(ctx.run_dir)

    ctx.listen(ev.TERMINAL, ended)
    ctx.selection_changed.connect(lambda ids: view.select_layer(ids[-1]) if ids else None)
    if ctx.run_dir:
        view.show_run(ctx.run_dir)
    return view


VIEW = ResultView("inside", "Inside", make, order=15,
                  tip="Inside the model, epoch by epoch: activations, weights, gradients, filters, saliency")
