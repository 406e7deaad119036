"""A placeholder widget that builds the real one on first use.

The window's first paint must not wait for what nobody sees yet: pyqtgraph alone takes about 0.27 s to import
and each PlotWidget about 10 ms to build, while before the first run the results area is an empty-state card and
most previews sit on hidden tabs. A `Deferred` stands in the layout (or a stacked widget, or a tab) at once and
calls its factory when its widget is asked for, or on the event loop's next turn after it is first shown (so the
frame that shows it is painted first). `call(fn)` hands the widget to `fn` now if it exists, else once it does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

W = TypeVar("W", bound=QWidget)


class Deferred(QWidget, Generic[W]):
    def __init__(self, factory: Callable[[], W], parent: QWidget | None = None):
        super().__init__(parent)
        self._factory = factory
        self._widget: W | None = None
        self._pending: list[Callable[[W], Any]] = []
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)

    @property
    def built(self) -> bool:
        return self._widget is not None

    def widget(self) -> W:
        """The real widget, built now if it was not yet."""
        if self._widget is None:
            widget = self._widget = self._factory()
            self._box.addWidget(widget)
            pending, self._pending = self._pending, []
            for fn in pending:
                fn(widget)
        return self._widget

    def call(self, fn: Callable[[W], Any]) -> None:
        """`fn(widget)` now if the widget is built, else as soon as it is."""
        if self._widget is not None:
            fn(self._widget)
        else:
            self._pending.append(fn)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._widget is None:
            QTimer.singleShot(0, self, self.widget)  # the frame that shows the placeholder is painted first
