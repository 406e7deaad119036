"""The mouse wheel belongs to the form, not to the field under the pointer: a spin box or a drop-down without
focus lets a wheel turn pass to the scroll area around it (the form scrolls, no value changes); a field the user
clicked or tabbed into steps with the wheel as usual. One event filter, installed where the forms are made
(`studio.ui.forms`) and over each setup panel (`studio.ui.setup_tabs`), so no widget needs its own."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox, QWidget

GUARDED = (QAbstractSpinBox, QComboBox)  # the widgets Qt lets take a wheel without focus


class _WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget) or watched.hasFocus():
            return False
        area = _scroll_area_of(watched)
        if area is None:
            event.ignore()  # not taken: Qt offers it to the parents
            return True
        # the form's scroll area gets the turn, as if the field were not there (Qt's own propagation skips
        # synthesised events, so it is handed over rather than left to bubble up)
        wheel = cast(QWheelEvent, event)
        port = area.viewport()
        at = QPointF(port.mapFromGlobal(wheel.globalPosition().toPoint()))
        QApplication.sendEvent(port, QWheelEvent(at, wheel.globalPosition(), wheel.pixelDelta(), wheel.angleDelta(),
                                                 wheel.buttons(), wheel.modifiers(), wheel.phase(), wheel.inverted()))
        event.accept()
        return True


def _scroll_area_of(w: QWidget) -> QAbstractScrollArea | None:
    p = w.parentWidget()
    while p is not None and not isinstance(p, QAbstractScrollArea):
        p = p.parentWidget()
    return p


_guard: _WheelGuard | None = None


def _the_guard() -> _WheelGuard:
    global _guard
    if _guard is None:
        _guard = _WheelGuard(QApplication.instance())  # lives as long as the application
    return _guard


def guard(widget: QWidget) -> None:
    """Keep the wheel from changing `widget` (a spin box or a drop-down) unless it has focus; a wheel turn no
    longer gives it focus either (StrongFocus: a click or Tab does)."""
    if isinstance(widget, GUARDED):
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        widget.installEventFilter(_the_guard())  # a spin box's line edit passes the wheel up to it


def guard_all(root: QWidget) -> None:
    """Guard every spin box and drop-down under `root` (a panel that lays out fields of its own)."""
    for w in root.findChildren(QWidget):
        guard(w)
