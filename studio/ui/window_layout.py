"""Where the main window and its docks were: kept in the settings when it closes, given back at the next start
(the first start: 1440×900, or most of a smaller screen)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QMainWindow

from studio.ui.project_files import settings


def save(window: QMainWindow) -> None:
    s = settings()
    s.setValue("geometry", window.saveGeometry())
    s.setValue("state", window.saveState())


def restore(window: QMainWindow) -> None:
    s = settings()
    geometry, state = s.value("geometry"), s.value("state")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    else:
        screen = window.screen().availableGeometry() if window.screen() else None
        if screen is not None and (screen.width() < 1440 or screen.height() < 900):
            window.resize(min(1440, int(screen.width() * 0.95)), min(900, int(screen.height() * 0.92)))
            window.move(screen.center() - window.rect().center())
    if isinstance(state, QByteArray):
        window.restoreState(state)
