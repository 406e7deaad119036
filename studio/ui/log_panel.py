"""The log: what the app and the training child said, warnings in amber, errors in red."""

from __future__ import annotations

import html
import time

from PySide6.QtWidgets import QPlainTextEdit, QWidget

from studio.ui import theme

MAX_LINES = 5000


class LogPanel(QPlainTextEdit):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setMaximumBlockCount(MAX_LINES)
        self.setPlaceholderText("Training messages, warnings and errors appear here.")
        self.counts = {"info": 0, "warning": 0, "error": 0, "detail": 0}

    def add(self, level: str, message: str) -> None:
        self.counts[level] = self.counts.get(level, 0) + 1
        c = theme.colors()
        color = {"warning": "#d08a00", "error": c.error, "detail": c.muted}.get(level, c.foreground)
        stamp = time.strftime("%H:%M:%S")
        prefix = {"warning": "warning: ", "error": "error: "}.get(level, "")
        text = html.escape(message).replace("\n", "<br>")
        if level == "detail":
            text = f"<pre style='margin:0'>{html.escape(message)}</pre>"
        self.appendHtml(f"<span style='color:{c.muted}'>{stamp}</span> "
                        f"<span style='color:{color}'>{prefix}{text}</span>")
