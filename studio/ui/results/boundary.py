"""The Boundary tab: for runs on two-feature data, the model's decision boundary (or regression surface) under
the training points (`BoundaryView`), redrawn live from the training's Boundary events and kept with the run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from studio.core import events as ev
from studio.ui.results.registry import ResultView

if TYPE_CHECKING:
    from studio.ui.boundary_view import BoundaryView
    from studio.ui.results.context import ResultContext


def on_plane(run_dir: str) -> bool:
    """Whether the run's data has exactly two features (read off the UI thread: it loads the data)."""
    from studio.core.runs import SPEC_FILE, read_json
    from studio.core.spec import parse_spec
    from studio.data.loaders import data_shape, load
    from studio.data.plane import is_plane

    spec = read_json(Path(run_dir) / SPEC_FILE)
    if not isinstance(spec, dict):
        return False
    parsed = parse_spec(spec)
    shape = data_shape(parsed.data, parsed.training.seed)  # images and keras.datasets answer without a load
    if shape is None or tuple(shape.input_shape) != (2,):
        return False
    return is_plane(load(parsed.data, parsed.training.seed))


def make(ctx: ResultContext) -> BoundaryView:
    from studio.ui.boundary_view import BoundaryView

    view = BoundaryView(ctx.background)

    def follow(run_dir: str) -> None:
        if not ctx.live:  # a live run is followed from its Started event, which carries its epochs
            view.load_run(run_dir)

    ctx.run_changed.connect(follow)
    ctx.listen(ev.Started, view.on_started)
    ctx.listen(ev.Boundary, view.show_boundary)
    if ctx.run_dir and ctx.live:  # made while a run is shown: catch up with it
        view.follow(ctx.run_dir)
    elif ctx.run_dir:
        view.load_run(ctx.run_dir)
    return view


VIEW = ResultView("boundary", "Boundary", make, order=40, applies=on_plane, foremost=True,
                  tip="The model's decision boundary (or regression surface) over two-feature data")
