"""What the results area shows before any run: one card that says what will appear there, instead of empty
0–1 axes taking half the window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from studio.ui import theme

TITLE = "Press Train — curves stream here"
DETAIL = ("Loss and metrics appear live while the model trains; evaluation and Try it follow when it ends. "
          "Past runs are under Runs (left).")


class EmptyState(QFrame):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        self.title = QLabel(TITLE)
        font = self.title.font()
        font.setPixelSize(17)
        font.setBold(True)
        self.title.setFont(font)
        self.detail = QLabel(DETAIL, wordWrap=True)
        for label in (self.title, self.detail):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            lay.addWidget(label)
        self.apply_theme()

    def apply_theme(self) -> None:
        self.detail.setStyleSheet(f"color: {theme.colors().muted};")
