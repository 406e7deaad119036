"""Help ▸ Glossary: the terms of studio.core.glossary with a filter box; each names the setting it maps to."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QTextBrowser, QVBoxLayout, QWidget

from studio.core.glossary import search


class GlossaryDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Glossary")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(640, 560)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter: a word of the term, its explanation or its setting")
        self.filter.setClearButtonEnabled(True)
        self.text = QTextBrowser()
        self.text.setObjectName("glossaryText")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.filter)
        lay.addWidget(self.text, 1)
        lay.addWidget(buttons)
        self.filter.textChanged.connect(self._show)
        self._show("")

    def _show(self, needle: str) -> None:
        terms = search(needle)
        if not terms:
            self.text.setHtml(f"<p>No term mentions “{escape(needle)}”.</p>")
            return
        self.text.setHtml("".join(
            f"<p><b>{escape(t.term)}</b><br>{escape(t.text).replace(chr(10), '<br>')}"
            + (f"<br><i>Setting:</i> <code>{escape(t.setting)}</code>" if t.setting else "") + "</p>"
            for t in terms))
