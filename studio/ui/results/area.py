"""The results area below the model: a card until the first run, then the run's headline, its progress and a tab
per registered result view (`studio.ui.results.registry`).

It is the one owner of the run the results show (`run_dir`, live or picked from the list) and of the run whose
model the views ask (`model`, a `RunModel`); it hands each view a `ResultContext` and relays to it the run
changes, the live training's events and the model's selection. The tabs are built the first time the results are
needed (the window's first paint waits for no plotting library), each view the first time it is shown or asked
for; code asks for a view by its key, never by a tab's index."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, QSize, Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QScrollArea, QSplitter, QStackedWidget, QTabWidget, QToolButton,
                               QVBoxLayout, QWidget)

from studio.core import events as ev
from studio.ui.background import Background
from studio.ui.coach_feed import CoachFeed
from studio.ui.document import Document
from studio.ui.empty_state import EmptyState
from studio.ui.result_headline import ResultHeadline
from studio.ui.results import builtin  # noqa: F401 - registers the views the app ships
from studio.ui.results.context import ResultContext
from studio.ui.results.links import ResultLinks
from studio.ui.results.registry import ResultView, views
from studio.ui.results.run_model import RunModel
from studio.ui.run_controls import RunControls

QWIDGETSIZE_MAX = 16_777_215  # Qt's "no maximum"
EMPTY_RESULTS_H = 120  # the results area before any run: the card, not half the window
RESULTS_MIN_H = 150  # the least the views are given before they scroll: a tab bar and a readable plot


class _UpDownScroll(QScrollArea):
    """Scrolls its page up and down only: as wide as the page needs (the views are laid out for their width),
    as short as RESULTS_MIN_H."""

    def __init__(self) -> None:
        super().__init__(widgetResizable=True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # the page's needs changed (a view made, the tabs built): the layout asks again
        return super().eventFilter(watched, event)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        page = self.widget()
        width = page.minimumSizeHint().width() if page is not None else 0
        return QSize(width + self.verticalScrollBar().sizeHint().width(), RESULTS_MIN_H)


@dataclass
class _Slot:
    """A registered view in this area: its context, and its tab's page (a placeholder until it is made)."""

    view: ResultView
    ctx: ResultContext
    page: QWidget
    widget: QWidget | None = None
    applies: bool = False


class ResultsArea(QWidget):
    model_available = Signal(bool)  # the model run changed: True when there is a trained model to ask

    def __init__(self, doc: Document, background: Background, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("resultsArea")
        self.doc, self.background = doc, background
        self.run_dir: str | None = None
        self.live = False
        self.selection: list[str] = []
        self.model = RunModel()
        self.coach = CoachFeed(background, self)  # the coach of the run shown, live or past
        self.links = ResultLinks(self)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        head = QHBoxLayout()
        head.setContentsMargins(6, 0, 2, 0)
        self.headline = ResultHeadline()
        head.addWidget(self.headline, 1)
        self.results_toggle = QToolButton(autoRaise=True)
        self.results_toggle.setCheckable(True)
        self.results_toggle.setObjectName("resultsToggle")
        self.results_toggle.setToolTip("Collapse or expand the results (the model gets the room)")
        self.results_toggle.toggled.connect(self.collapse)
        self.results_toggle.setText("▾ Hide results")
        head.addStretch(0)
        head.addWidget(self.results_toggle, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(head)
        self.controls = RunControls()
        spare = QWidget(self.controls)  # the toolbar carries Train / Pause / Stop; the progress read-out stays
        spare.hide()
        for b in (self.controls.train, self.controls.pause, self.controls.resume, self.controls.stop):
            b.setParent(spare)  # still driven by RunControls (enabled states), never shown twice
        lay.addWidget(self.controls)
        self.empty_state = EmptyState()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_state)
        # the views keep their room (Try it's canvas, the evaluation's table) inside a scroll area, so that the
        # results never make the window taller than a 1280×720 screen: a short area scrolls instead
        self.views_scroll = _UpDownScroll()
        self.views_scroll.setWidget(self.stack)
        lay.addWidget(self.views_scroll, 1)
        self._tabs: QTabWidget | None = None
        self._slots: dict[str, _Slot] = {}

    # ------------------------------------------------------------------ the views
    @property
    def tabs(self) -> QTabWidget:
        """A tab per view registered by now, built on first need; each view is made when first shown or asked."""
        if self._tabs is None:
            tabs = self._tabs = QTabWidget()
            tabs.setDocumentMode(True)
            for view in views():
                slot = self._slots[view.key] = _Slot(view, ResultContext(view.key, self, self), QWidget())
                slot.page.setMinimumSize(*view.room)
                i = tabs.addTab(slot.page, view.title)
                if view.tip:
                    tabs.setTabToolTip(i, view.tip)
                tabs.setTabVisible(i, view.applies is None)  # the others wait for their answer
            tabs.currentChanged.connect(self._current_changed)
            self.stack.addWidget(tabs)
            self._current_changed(tabs.currentIndex())  # the first tab is in view: make it now
            if self.run_dir is not None:
                self._ask_applies(self.run_dir)
        return self._tabs

    def keys(self) -> list[str]:
        self.tabs  # noqa: B018 - the slots are made with the tabs
        return list(self._slots)

    def view(self, key: str) -> QWidget:
        """The view registered as `key`, made now if it was not yet (KeyError for a key never registered)."""
        self.tabs  # noqa: B018 - the slots are made with the tabs
        return self._make(self._slots[key])

    def built(self, key: str) -> QWidget | None:
        """The view if it was made already (None otherwise: asking does not make it)."""
        slot = self._slots.get(key)
        return slot.widget if slot is not None else None

    def show_view(self, key: str) -> None:
        """Bring the view's tab to the front."""
        self.tabs.setCurrentWidget(self.view(key))

    def set_badge(self, key: str, badge: str) -> None:
        """The view's tab title followed by `badge` (seen from the other tabs: the coach has something to say)."""
        slot = self._slots.get(key)
        if slot is not None and self._tabs is not None:
            title = f"{slot.view.title} {badge}" if badge else slot.view.title
            self._tabs.setTabText(self._tabs.indexOf(slot.page), title)

    def current_key(self) -> str | None:
        if self._tabs is None:
            return None
        page = self._tabs.currentWidget()
        return next((k for k, s in self._slots.items() if s.page is page), None)

    def _make(self, slot: _Slot) -> QWidget:
        if slot.widget is None:
            widget = slot.widget = slot.view.factory(slot.ctx)
            tabs = self.tabs
            i, current = tabs.indexOf(slot.page), tabs.currentIndex()
            visible, text = tabs.isTabVisible(i), tabs.tabText(i)  # the title with any badge the view set
            with QSignalBlocker(tabs):  # the same tab stays current: nobody needs to hear of the swap
                tabs.removeTab(i)
                tabs.insertTab(i, widget, text)
                tabs.setTabToolTip(i, slot.view.tip)
                tabs.setTabVisible(i, visible)
                tabs.setCurrentIndex(current)
            slot.page.deleteLater()
            slot.page = widget
        return slot.widget

    def _current_changed(self, index: int) -> None:
        page = self.tabs.widget(index)
        slot = next((s for s in self._slots.values() if s.page is page), None)
        if slot is not None:
            self._make(slot)
            slot.ctx.shown.emit()

    # ------------------------------------------------------------------ which views apply to the run
    def _ask_applies(self, run_dir: str) -> None:
        for slot in self._slots.values():
            if slot.view.applies is not None:
                self._ask(slot, slot.view.applies, run_dir)

    def _ask(self, slot: _Slot, applies: Callable[[str], bool], run_dir: str) -> None:
        def failed(_exc: Exception) -> None:  # a run whose files cannot be read has nothing there to show
            self._offer(slot, run_dir, False)

        self.background.submit(partial(applies, run_dir), partial(self._offer, slot, run_dir), failed)

    def _offer(self, slot: _Slot, run_dir: str, applies: bool) -> None:
        if run_dir != self.run_dir or self._tabs is None:
            return  # an answer about a run no longer shown
        slot.applies = bool(applies)
        self._tabs.setTabVisible(self._tabs.indexOf(slot.page), slot.applies)
        first = next(iter(self._slots))
        if slot.applies and slot.view.foremost and self.current_key() == first:
            self.show_view(slot.view.key)

    # ------------------------------------------------------------------ the run, the model, the events
    def _set_run(self, run_dir: str, live: bool) -> None:
        self.run_dir, self.live = run_dir, live
        for slot in self._slots.values():
            slot.ctx.run_changed.emit(run_dir)
        self._ask_applies(run_dir)

    def _set_model(self, run_dir: str) -> None:
        run = run_dir if run_dir and RunModel.kept_by(run_dir) else None
        self.model.set_run(run)
        for slot in self._slots.values():
            slot.ctx.model_changed.emit(run or "")
        self.model_available.emit(run is not None)

    def show_run(self, run_dir: str) -> None:
        """A finished run picked from the list: the views show it, its model is the one asked."""
        self._set_run(run_dir, live=False)
        self._set_model(run_dir)
        self.coach.show_run(run_dir)
        self.show_results(True)
        self.controls.hide()  # no progress to read for a run that is over
        self.headline.show_run(run_dir, past=True)

    def on_event(self, e: ev.Event) -> None:
        """An event of the live training (the bridge's `events`): a start makes its run the one shown."""
        if isinstance(e, ev.Started):
            self._set_run(e.run_dir, live=True)
        self.coach.on_event(e)  # before the views: a view hears of an event with the findings it led to
        for slot in self._slots.values():
            slot.ctx.events.emit(e)
        if isinstance(e, ev.TERMINAL):
            self.live = False
            if isinstance(e, (ev.Finished, ev.Stopped)):
                self._set_model(e.run_dir)
                self.headline.show_run(e.run_dir, past=False)

    def set_selection(self, ids: list[str]) -> None:
        """The blocks selected in the graph or the layer list."""
        if ids != self.selection:
            self.selection = list(ids)
            for slot in self._slots.values():
                slot.ctx.selection_changed.emit(list(ids))

    def reset(self) -> None:
        """Another project: no run, no model, no headline, progress or coach of the last one, and every view made
        afresh when next shown (each forgets its run whole: curves, evaluation, Try it's inputs, boundary)."""
        self.run_dir, self.live, self.selection = None, False, []
        self.headline.clear()
        self.coach.clear()
        self.controls.reset()
        self._set_model("")
        if self._tabs is not None:
            for slot in self._slots.values():
                if slot.widget is not None and hasattr(slot.widget, "shutdown"):
                    slot.widget.shutdown()
                slot.ctx.deleteLater()  # its connections go with it
            self.stack.removeWidget(self._tabs)
            self._tabs.deleteLater()
            self._tabs, self._slots = None, {}
        self.show_results(False)

    # ------------------------------------------------------------------ showing, collapsing, sizing
    def show_results(self, shown: bool) -> None:
        """The card before any run; the result tabs once there is one."""
        self.stack.setCurrentWidget(self.tabs if shown else self.empty_state)
        if self.results_toggle.isChecked():
            self.results_toggle.setChecked(False)
        self.controls.setVisible(shown)  # the progress read-out, once there is progress to read
        self.fit()

    def collapse(self, collapsed: bool) -> None:
        self.views_scroll.setVisible(not collapsed)
        self.controls.setVisible(not collapsed and self._tabs is not None and self.stack.currentWidget() is self._tabs)
        self.results_toggle.setText("▸ Show results" if collapsed else "▾ Hide results")
        self.fit()

    def fit(self) -> None:
        """Collapsed: just its header; the empty card: a strip; results: a little over half the splitter it is in."""
        if self.results_toggle.isChecked():
            self.setMaximumHeight(self.results_toggle.sizeHint().height() + 4)
        elif self.stack.currentWidget() is self.empty_state:
            self.setMaximumHeight(EMPTY_RESULTS_H)  # the model keeps the room until there is something
        else:
            self.setMaximumHeight(QWIDGETSIZE_MAX)
        split = self.parentWidget()
        if not isinstance(split, QSplitter):
            return
        capped = self.maximumHeight() < QWIDGETSIZE_MAX
        # relative weights when uncapped: the curves get a little more than half
        sizes = [100_000, self.maximumHeight()] if capped else [450, 550]
        me = split.indexOf(self)
        split.setSizes(sizes if me else sizes[::-1])
        # once there are results they share the window's growth with the model; before, the model takes it
        split.setStretchFactor(me, 0 if capped else 1)

    # ------------------------------------------------------------------ the window's palette and its end
    def apply_theme(self) -> None:
        self.empty_state.apply_theme()
        for slot in self._slots.values():
            if slot.widget is not None and hasattr(slot.widget, "apply_theme"):
                slot.widget.apply_theme()

    def shutdown(self) -> None:
        """Stop the views' timers and children, and end the model's predictors."""
        for slot in self._slots.values():
            if slot.widget is not None and hasattr(slot.widget, "shutdown"):
                slot.widget.shutdown()
        self.model.close()
