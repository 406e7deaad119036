"""The line above the curves after a run ("test accuracy 98.9 % · val loss 0.034 · … · 42 s on jax/cpu"),
and for a past run a banner that names it. The wording comes from core.headline (tested without Qt)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from studio.core.headline import run_headline
from studio.core.lessons import judge_run
from studio.core.runs import read_run
from studio.ui import theme


class ResultHeadline(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        lay.setSpacing(2)
        self.banner = QLabel()
        self.banner.setObjectName("pastRunBanner")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.line = QLabel()
        self.line.setObjectName("resultHeadline")
        self.line.setTextFormat(Qt.TextFormat.PlainText)
        self.line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.line.font()
        font.setBold(True)
        font.setPixelSize(max(font.pixelSize(), 14))
        self.line.setFont(font)
        for label in (self.banner, self.line):
            label.setWordWrap(True)  # a long line wraps instead of widening the window's centre
        self.lesson = QLabel()  # a lesson's verdict: goal met or not, with the figure (studio.core.lessons)
        self.lesson.setObjectName("lessonVerdict")
        self.lesson.setTextFormat(Qt.TextFormat.PlainText)
        self.lesson.setWordWrap(True)
        lay.addWidget(self.banner)
        lay.addWidget(self.line)
        lay.addWidget(self.lesson)
        self.clear()

    def clear(self) -> None:
        for label in (self.banner, self.line, self.lesson):
            label.setText("")
            label.hide()
        self.hide()

    def show_run(self, run_dir: str | Path, past: bool) -> None:
        """The run's headline; `past` adds a banner naming it (its curves are not the live training)."""
        text = run_headline(run_dir)
        self.line.setText(text)
        self.line.setVisible(bool(text))
        info = read_run(run_dir)
        if past:
            c = theme.colors()
            name = f"{info.title} · {Path(run_dir).name}" if info else Path(run_dir).name
            state = f" ({info.state})" if info and info.state != "finished" else ""
            self.banner.setText(f"Showing a past run: {name}{state}")
            self.banner.setStyleSheet(f"background: {c.grid}; color: {c.foreground}; padding: 3px 6px;"
                                      "border-radius: 3px;")
        self.banner.setVisible(past)
        self._show_lesson(run_dir)
        self.setVisible(bool(text) or past or self.lesson.isVisible())

    def _show_lesson(self, run_dir: str | Path) -> None:
        verdict = judge_run(run_dir)
        if verdict is None:
            self.lesson.hide()
            return
        text = ("✔ " if verdict.met else "✘ ") + verdict.text
        if verdict.hints:
            text += f"\nHint: {verdict.hints[0]}"
        self.lesson.setText(text)
        color = "#2ea043" if verdict.met else "#d29922"
        self.lesson.setStyleSheet(f"color: white; background: {color}; padding: 4px 8px; border-radius: 3px;"
                                  "font-weight: bold;")
        self.lesson.show()
