"""The course: the lessons of the shipped presets in their order, each ticked when a run in the runs folders met
its goal (judged by studio.core.lessons, as `keras-studio train` judges it), with its steps and hints."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from studio.core.lessons import CourseEntry, course, goal_text

MET, OPEN = "✔", "○"
DONE_COLOR = "#2ea043"  # as the headline's "goal met" line


class CourseList(QListWidget):
    """One row per lesson: "✔ 2. Exercise 19.1: CNN architectures — MNIST CNN 5×5"; `entries` in the same order."""

    def __init__(self, runs_roots: list[Path], parent: QWidget | None = None,
                 entries: list[CourseEntry] | None = None):
        super().__init__(parent)
        self.setObjectName("courseList")
        self.setWordWrap(True)
        self.setSpacing(4)
        self.setIconSize(QSize(96, 60))
        self.entries = entries if entries is not None else course(runs_roots)
        next_open = next((e for e in self.entries if not e.met), None)
        for n, e in enumerate(self.entries, 1):
            title = e.lesson.exercise or e.preset.title
            item = QListWidgetItem(f"{MET if e.met else OPEN}  {n}. {title} — {e.preset.title}\n"
                                   f"      goal: {goal_text(e.lesson.goal)}")
            item.setData(Qt.ItemDataRole.UserRole, e.lesson.id)
            item.setToolTip(e.met.text if e.met else "Not met yet by a run in the runs folder")
            if e.preset.thumbnail:
                item.setIcon(QIcon(QPixmap(str(e.preset.thumbnail))))
            if e.met:
                item.setForeground(QBrush(QColor(DONE_COLOR)))
            if e is next_open:  # the lesson to do next stands out
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
            self.addItem(item)

    @property
    def done(self) -> int:
        return sum(1 for e in self.entries if e.met)


def lesson_html(entry: CourseEntry) -> str:
    """The details pane for a lesson: goal, whether a run met it, the steps with what they point at, the hints."""
    lesson = entry.lesson
    state = (f"<p style='color:{DONE_COLOR}'><b>{MET} Done.</b> {escape(entry.met.text)}</p>" if entry.met else
             "<p><b>Not done yet.</b> Open it, follow the steps and train: the verdict shows above the curves.</p>")
    steps = "".join(f"<li>{escape(s.text)}" + (f" <code>{_breakable(s.path)}</code>" if s.path else "") + "</li>"
                    for s in lesson.steps)
    hints = "".join(f"<li>{escape(h)}</li>" for h in lesson.hints)
    locks = (f"<p><b>Fixed by the lesson:</b> {escape(', '.join(lesson.locks))} (a run that changes them does "
             "not count)</p>" if lesson.locks else "")
    return (f"<h3>{escape(lesson.exercise or entry.preset.title)}</h3><p>{escape(entry.preset.teaches)}</p>"
            f"<p><b>Goal:</b> {escape(goal_text(lesson.goal))}</p>{state}"
            + (f"<p><b>Steps</b></p><ol>{steps}</ol>" if steps else "") + locks
            + (f"<p><b>Hints</b></p><ul>{hints}</ul>" if hints else ""))


def _breakable(path: str) -> str:
    """A dotted path that may wrap after each dot in a narrow pane."""
    return escape(path).replace(".", ".\u200b")
