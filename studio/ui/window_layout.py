"""Where the main window and its docks were: kept in the settings when it closes, given back at the next start
(the first start: 1440×900, or most of a smaller screen), always within the screen it opens on."""

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
    fit_screen(window)


def fit_screen(window: QMainWindow) -> None:
    """Keep the whole window, frame included, on its screen's available area: a size saved on a larger screen
    (or a taller layout) would put the status bar and the edges off screen."""
    screen = window.screen().availableGeometry() if window.screen() else None
    if screen is None:
        return
    window.winId()  # the native window made now, so that its frame's size is known
    frame, inner = window.frameGeometry(), window.geometry()
    extra_w, extra_h = frame.width() - inner.width(), frame.height() - inner.height()
    width = min(inner.width(), screen.width() - extra_w)
    height = min(inner.height(), screen.height() - extra_h)
    if (width, height) != (inner.width(), inner.height()):
        window.resize(max(width, 1), max(height, 1))
    frame = window.frameGeometry()
    x = min(max(frame.x(), screen.x()), screen.right() + 1 - frame.width())
    y = min(max(frame.y(), screen.y()), screen.bottom() + 1 - frame.height())
    if (x, y) != (frame.x(), frame.y()):
        window.move(max(x, screen.x()), max(y, screen.y()))
