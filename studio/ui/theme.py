"""Light or dark, following the system: Qt's palette already follows it (Qt 6.5+), so this module only
tells the few hand-drawn things (plots, error markers) which scheme is in force and repaints on a change."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette


@dataclass(frozen=True)
class Colors:
    dark: bool
    background: str
    foreground: str
    grid: str
    error: str
    error_bg: str
    ok: str
    muted: str
    accent: str
    series: tuple[str, ...]


LIGHT = Colors(False, "#ffffff", "#202124", "#d0d0d0", "#c62828", "#fdecea", "#2e7d32", "#6b6b6b", "#1565c0",
               ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf"))
DARK = Colors(True, "#1e1f22", "#e6e6e6", "#3a3b3e", "#ff6b6b", "#4a2326", "#81c784", "#9aa0a6", "#64b5f6",
              ("#5fa8ff", "#ff6b6b", "#7ddc7d", "#c39bff", "#ffb347", "#4dd0e1"))


def is_dark() -> bool:
    app = cast(QGuiApplication | None, QGuiApplication.instance())
    if app is None:
        return False
    hints = app.styleHints()
    scheme = hints.colorScheme() if hasattr(hints, "colorScheme") else Qt.ColorScheme.Unknown
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    # unknown (offscreen, older desktops): judge by the window colour the style chose
    return app.palette().color(QPalette.ColorRole.Window).lightness() < 128


ENV = "KERAS_STUDIO_THEME"  # light | dark: force a scheme (screenshots, offscreen, desktops that don't say)


def apply_requested() -> None:
    """Force the scheme named in KERAS_STUDIO_THEME: a dark palette (Fusion's roles) or the style's own light one."""
    wanted = os.environ.get(ENV, "").strip().lower()
    app = cast(QGuiApplication | None, QGuiApplication.instance())
    if app is None or wanted not in ("dark", "light"):
        return
    if wanted == "light":
        if is_dark():
            from PySide6.QtWidgets import QApplication

            app.setPalette(QApplication.style().standardPalette())
        return
    c, p = DARK, QPalette()
    R = QPalette.ColorRole  # noqa: N806 - a short alias of a Qt enum
    for role, colour in ((R.Window, "#2b2d30"), (R.WindowText, c.foreground), (R.Base, c.background),
                         (R.AlternateBase, "#26282b"), (R.ToolTipBase, "#3c3f41"), (R.ToolTipText, c.foreground),
                         (R.Text, c.foreground), (R.Button, "#35373a"), (R.ButtonText, c.foreground),
                         (R.BrightText, "#ffffff"), (R.Highlight, "#2f65ca"), (R.HighlightedText, "#ffffff"),
                         (R.Link, c.accent), (R.PlaceholderText, c.muted), (R.Mid, "#3c3f41"),
                         (R.Dark, "#1b1c1e"), (R.Light, "#4a4d50")):
        p.setColor(role, QColor(colour))
    for role in (R.WindowText, R.Text, R.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6f7378"))
    app.setPalette(p)


def colors() -> Colors:
    return DARK if is_dark() else LIGHT


def on_change(callback) -> None:
    """Call `callback()` when the system switches between light and dark."""
    app = cast(QGuiApplication | None, QGuiApplication.instance())
    if app is not None and hasattr(app.styleHints(), "colorSchemeChanged"):
        app.styleHints().colorSchemeChanged.connect(lambda *_: callback())


def style_plot(widget, title: str | None = None) -> None:
    """A pyqtgraph PlotWidget in the window's scheme: background, axes and title."""
    c = colors()
    widget.setBackground(c.background)
    if title is not None:
        widget.setTitle(title, color=c.foreground)
    for side in ("left", "bottom"):
        widget.getAxis(side).setPen(c.foreground)
        widget.getAxis(side).setTextPen(c.foreground)


# one colour per catalogue category (Netron-like: the kind of a block is seen before its name is read)
CATEGORY_COLORS = {
    "Input": "#607d8b", "Core": "#1e88e5", "Convolution": "#e53935", "Pooling": "#43a047",
    "Recurrent": "#8e24aa", "Normalization": "#00897b", "Regularization": "#f4511e", "Reshaping": "#6d4c41",
    "Merging": "#fdd835", "Augmentation": "#9e9e9e",
}


def category_color(category: str) -> str:
    return CATEGORY_COLORS.get(category, colors().muted)
