"""What a result view is given (one context per view; the results area keeps it current):

- the run the results show, `run_dir` (the training in progress, `live`, or a finished run picked from the list),
  and `run_changed` when it changes;
- the run whose trained model the views ask questions of, `model_run` (the last run shown or trained that kept a
  model: it stays while another one trains), `model_changed`, and `predictor()`: this view's own predictor of
  that model in its backend's warm worker, opened on first ask and ended by the area when the model run changes;
- every event of the live training, `events` (Started, BatchEnd, EpochEnd, Boundary, Finished … and any later
  kind), or `listen(kinds, handler)` for some kinds only;
- the project, `doc`, and the blocks selected in the graph or the layer list, `selection` and
  `selection_changed` (a click on a graph block picks that block's layer);
- `shown` when its tab becomes the current one, `is_shown()`, `bring_forward()` and `set_badge(text)`;
- `background` to load things off the UI thread;
- the coach's findings for the run shown, `coach` (a CoachFeed: `findings`, `changed`), and `links`, what a view
  may ask of the window (pick blocks, show a setting, fork a run: studio.ui.results.links).

A view built while a run is on reads `run_dir` / `model_run` once when it is made: signals only tell of changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal

from studio.core import events as ev

if TYPE_CHECKING:
    from studio.jobs.predictor import Predictor
    from studio.ui.background import Background
    from studio.ui.coach_feed import CoachFeed
    from studio.ui.document import Document
    from studio.ui.results.links import ResultLinks
    from studio.ui.results.run_model import RunModel


class Owner(Protocol):
    """What a context reads of the results area that made it (the area is this, without a context knowing it)."""

    run_dir: str | None
    live: bool
    selection: list[str]
    model: RunModel
    doc: Document
    background: Background
    coach: CoachFeed
    links: ResultLinks

    def current_key(self) -> str | None: ...
    def show_view(self, key: str) -> None: ...
    def set_badge(self, key: str, badge: str) -> None: ...


class ResultContext(QObject):
    run_changed = Signal(str)  # the run directory the results now show
    model_changed = Signal(str)  # the run whose model the views ask; "" when the run shown kept none
    events = Signal(object)  # each event of the live training (studio.core.events), as it arrives
    selection_changed = Signal(list)  # the block ids selected in the model, the latest last
    shown = Signal()  # this view's tab became the current one

    def __init__(self, key: str, area: Owner, parent: QObject | None = None):
        super().__init__(parent)
        self.key = key
        self._area = area

    @property
    def run_dir(self) -> str | None:
        return self._area.run_dir

    @property
    def live(self) -> bool:
        """True while `run_dir` is the training in progress (its events arrive through `events`)."""
        return self._area.live

    @property
    def model_run(self) -> str | None:
        return self._area.model.run_dir

    @property
    def selection(self) -> list[str]:
        return list(self._area.selection)

    @property
    def doc(self) -> Document:
        return self._area.doc

    @property
    def background(self) -> Background:
        return self._area.background

    @property
    def coach(self) -> CoachFeed:
        return self._area.coach

    @property
    def links(self) -> ResultLinks:
        return self._area.links

    def listen(self, kinds: type[ev.Event] | tuple[type[ev.Event], ...], handler: Callable[[Any], None]) -> None:
        """Call `handler(event)` for each live event of these kinds."""
        self.events.connect(lambda e: handler(e) if isinstance(e, kinds) else None)

    def predictor(self) -> Predictor | None:
        """This view's predictor of the model run's model (None when there is none): loading, then answering."""
        return self._area.model.predictor(self.key)

    def is_shown(self) -> bool:
        return self._area.current_key() == self.key

    def bring_forward(self) -> None:
        self._area.show_view(self.key)

    def set_badge(self, badge: str) -> None:
        """A few characters after the tab's title ("● 3": something to read there); "" for none."""
        self._area.set_badge(self.key, badge)
