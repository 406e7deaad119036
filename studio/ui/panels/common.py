"""What every setup panel shares: it watches the document, redraws under a signal blocker, and writes
each change back as one undoable edit (merged while the same field keeps changing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QLabel, QWidget

from studio.ui import theme
from studio.ui.document import Document


class SectionPanel(QWidget):
    message = Signal(str)

    def __init__(self, doc: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc = doc
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet(f"color: {theme.colors().error};")
        self.error.hide()
        self._refreshing = False
        doc.changed.connect(self._on_changed)

    def _on_changed(self) -> None:
        self._refreshing = True
        try:
            blockers = [QSignalBlocker(w) for w in self.findChildren(QWidget)]
            self.refresh(self.doc.view())
            del blockers
        finally:
            self._refreshing = False

    def refresh(self, spec: dict[str, Any]) -> None:  # overridden
        raise NotImplementedError

    def patch(self, mutate: Callable[[dict], None], text: str, key: str | None = None) -> bool:
        if self._refreshing:
            return False
        problem = self.doc.patch(mutate, text, merge_key=key)
        if problem:
            self.refuse(problem)
            self._on_changed()  # put the widgets back to what the document holds
            return False
        self.error.hide()
        return True

    def set_field(self, section: str, name: str, value: Any, text: str | None = None) -> bool:
        def mutate(s):
            node = s
            for part in section.split("."):
                node = node[part] if node.get(part) is not None else node.setdefault(part, {})
            node[name] = value
        return self.patch(mutate, text or f"Set {section}.{name}", key=f"{section}.{name}")

    def refuse(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.message.emit(message)
