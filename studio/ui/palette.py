"""The block palette: the catalogue by category, a search box, drag a block onto the model or double-click
to append it. Built from `studio.core.catalog` alone."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from studio.core import catalog

BLOCK_MIME = "application/x-keras-studio-block"


class _Tree(QTreeWidget):
    def mimeData(self, items):  # noqa: N802 - Qt's name
        types = [i.data(0, Qt.ItemDataRole.UserRole) for i in items if i.data(0, Qt.ItemDataRole.UserRole)]
        mime = QMimeData()
        if types:
            mime.setData(BLOCK_MIME, types[0].encode())
            mime.setText(types[0])
        return mime


class Palette(QWidget):
    add_requested = Signal(str)  # block type

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.search = QLineEdit(placeholderText="Search blocks…", clearButtonEnabled=True)
        self.search.textChanged.connect(self.filter)
        lay.addWidget(self.search)
        self.tree = _Tree()
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.itemActivated.connect(self._activated)
        lay.addWidget(self.tree)
        for category, blocks in catalog.by_category().items():
            if not blocks:
                continue
            top = QTreeWidgetItem([category])
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            f = top.font(0)
            f.setBold(True)
            top.setFont(0, f)
            self.tree.addTopLevelItem(top)
            for b in blocks:
                item = QTreeWidgetItem([b.type])
                item.setData(0, Qt.ItemDataRole.UserRole, b.type)
                item.setToolTip(0, f"<b>{b.type}</b><br>{b.help}<br><i>Double-click to append, or drag onto "
                                   "the model</i>")
                top.addChild(item)
        self.tree.expandAll()

    def filter(self, text: str) -> None:
        words = text.lower().split()
        for top in self._tops():
            shown = 0
            for j in range(top.childCount()):
                item = top.child(j)
                if item is None:
                    continue
                hay = f"{item.text(0)} {top.text(0)} {item.toolTip(0)}".lower()
                hide = not all(w in hay for w in words)
                item.setHidden(hide)
                shown += not hide
            top.setHidden(shown == 0)

    def _activated(self, item: QTreeWidgetItem, _col: int) -> None:
        block_type = item.data(0, Qt.ItemDataRole.UserRole)
        if block_type:
            self.add_requested.emit(block_type)

    def item_for(self, block_type: str) -> QTreeWidgetItem | None:
        for top in self._tops():
            for j in range(top.childCount()):
                child = top.child(j)
                if child is not None and child.data(0, Qt.ItemDataRole.UserRole) == block_type:
                    return child
        return None

    def _tops(self) -> list[QTreeWidgetItem]:
        """The category items."""
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item for item in items if item is not None]
