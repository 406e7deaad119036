"""The Try it tab: draw, open an image or fill in a form and see the model run's answer (`TryItPanel`). The
model loads in its backend's warm worker only when the tab is opened, from the area's `RunModel`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from studio.ui.results.registry import ResultView

if TYPE_CHECKING:
    from studio.ui.evaluation import TryItPanel
    from studio.ui.results.context import ResultContext


def make(ctx: ResultContext) -> TryItPanel:
    from studio.ui.evaluation import TryItPanel

    panel = TryItPanel()
    tried = ""  # the run whose model the panel answers from

    def open_if_shown() -> None:
        nonlocal tried
        # the predictor loads a model in a backend: only for the user who opened the tab
        run = ctx.model_run
        if ctx.is_shown() and run and run != tried and (predictor := ctx.predictor()) is not None:
            panel.use(predictor)
            tried = run

    def model_changed(run_dir: str) -> None:
        nonlocal tried
        if tried and run_dir != tried:
            panel.close_model()  # the area ends the old predictor
            tried = ""
        if not run_dir:
            panel.status.setText("The run shown kept no trained model to try.")
        open_if_shown()

    ctx.model_changed.connect(model_changed)
    ctx.shown.connect(open_if_shown)
    return panel


# the canvas, what the model sees and the answer side by side, under the status and "Look inside" (TryItPanel's
# minimum; tests/ui checks it holds it)
VIEW = ResultView("try_it", "Try it", make, order=30, room=(628, 370))
