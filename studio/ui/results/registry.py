"""The result views the results area can show, by key (napari's `layer_to_controls`, glue's `qt_client`): a
view is a widget made by a factory from a `ResultContext`, and one `register` call makes it a tab of every
results area built afterwards, in `order`, made the first time it is shown or asked for.

    register(ResultView("inside", "Inside", make_inside, order=35))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from studio.ui.results.context import ResultContext


@dataclass(frozen=True)
class ResultView:
    """One kind of result view.

    key: stable name (`ResultsArea.view(key)`); title: the tab's text; factory: makes the widget (import heavy
    libraries inside it: the window's first paint waits for none); order: tabs sort by it; applies: whether the
    view has something to show for a run directory, asked in a background thread (it may read the run's files;
    a view with one stays hidden until it answers True); foremost: a view that applies comes forward from the
    first tab (what a run on two-feature data is about); tip: the tab's tooltip; room: the least width and height
    the view needs, held by its tab before the view is made (a tab widget is as large as its largest page: so
    making a view later moves neither the docks nor the splitter).

    The widget may define `apply_theme()` (the palette changed) and `shutdown()` (the window closes)."""

    key: str
    title: str
    factory: Callable[[ResultContext], QWidget]
    order: int = 100
    applies: Callable[[str], bool] | None = None
    foremost: bool = False
    tip: str = ""
    room: tuple[int, int] = (0, 0)


_VIEWS: dict[str, ResultView] = {}


def register(view: ResultView) -> None:
    if view.key in _VIEWS:
        raise ValueError(f"A result view with the key `{view.key}` is registered already "
                         f"(title {_VIEWS[view.key].title!r}); received another titled {view.title!r}")
    _VIEWS[view.key] = view


def unregister(key: str) -> None:
    _VIEWS.pop(key, None)


def views() -> list[ResultView]:
    """The registered views in tab order (the built-in ones are registered by `studio.ui.results.builtin`)."""
    return sorted(_VIEWS.values(), key=lambda v: v.order)
