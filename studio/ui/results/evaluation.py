"""The Evaluation tab: the model run's figures, per-class table and plots (`studio.ui.evaluation`), from the
evaluation the engine wrote at the end of its training."""

from __future__ import annotations

from typing import TYPE_CHECKING

from studio.ui.results.registry import ResultView

if TYPE_CHECKING:
    from studio.ui.evaluation import EvaluationView
    from studio.ui.results.context import ResultContext


def make(ctx: ResultContext) -> EvaluationView:
    from studio.ui.evaluation import EvaluationView

    view = EvaluationView()

    def show(run_dir: str) -> None:
        if run_dir:  # a run without a model leaves the last evaluation in view
            view.show_run(run_dir)

    ctx.model_changed.connect(show)
    show(ctx.model_run or "")
    return view


VIEW = ResultView("evaluation", "Evaluation", make, order=20)  # tables, forms and plots scroll on their own
