"""The model as a list: blocks in order with their output shape and parameter count, kept live; errors
inline in red with the checker's message and its one-click fixes; drag to reorder, drop palette blocks in.

The list is redrawn from the document on every change (a hundred rows take a few milliseconds), so it can
never drift from the spec. Edits go back through `Document.patch` as undoable steps.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSizePolicy,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from studio.core import catalog, model_edits
from studio.core.analysis import ModelReport
from studio.core.document import Change
from studio.core.shapes import Fix
from studio.ui import theme
from studio.ui.checker import Checker
from studio.ui.document import Document
from studio.ui.palette import BLOCK_MIME

ROWS_MIME = "application/x-keras-studio-rows"
CLIP_KEY = "keras_studio_blocks"
ID_ROLE = Qt.ItemDataRole.UserRole
FOOTER_MISFITS = 2  # misfits listed with their fixes under the model; the rest are marked in place
COL_ON, COL_BLOCK, COL_SHAPE, COL_PARAMS = range(4)


class _Tree(QTreeWidget):
    """Drops are turned into requests (move / insert); the document then redraws the list."""

    move_requested = Signal(list, int)  # ids, target row
    insert_requested = Signal(str, int)  # block type, target row

    def __init__(self):
        super().__init__()
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)

    def mimeTypes(self):  # noqa: N802
        return [ROWS_MIME, BLOCK_MIME]

    def mimeData(self, items):  # noqa: N802
        ids = [i.data(0, ID_ROLE) for i in items if i.data(0, ID_ROLE)]
        mime = QMimeData()
        mime.setData(ROWS_MIME, json.dumps(ids).encode())
        return mime

    def _target_row(self, event) -> int:
        item = self.itemAt(event.position().toPoint())
        while item is not None and item.parent() is not None:
            item = item.parent()
        if item is None:
            return self.topLevelItemCount()
        row = self.indexOfTopLevelItem(item)
        rect = self.visualItemRect(item)
        return row + (1 if event.position().y() > rect.center().y() else 0)

    def dragEnterEvent(self, event):  # noqa: N802
        md = event.mimeData()
        if md.hasFormat(ROWS_MIME) or md.hasFormat(BLOCK_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event):  # noqa: N802
        super().dragMoveEvent(event)
        self.dragEnterEvent(event)

    def dropEvent(self, event):  # noqa: N802
        md = event.mimeData()
        row = self._target_row(event)
        if md.hasFormat(BLOCK_MIME):
            self.insert_requested.emit(bytes(md.data(BLOCK_MIME)).decode(), row)
        elif md.hasFormat(ROWS_MIME):
            self.move_requested.emit(json.loads(bytes(md.data(ROWS_MIME)).decode()), row)
        event.setDropAction(Qt.DropAction.CopyAction)  # the tree must not move its items itself
        event.accept()


class ModelEditor(QWidget):
    selection_changed = Signal(list)  # block ids
    message = Signal(str)  # a refused edit, for the status bar

    def __init__(self, doc: Document, checker: Checker, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc, self.checker = doc, checker
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.tree = _Tree()
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["On", "Block", "Output shape", "Params"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_ON, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_BLOCK, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_SHAPE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_PARAMS, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.headerItem().setTextAlignment(COL_PARAMS, Qt.AlignmentFlag.AlignRight)
        self.tree.itemChanged.connect(self._item_changed)
        self.tree.itemSelectionChanged.connect(self._selection)
        self.tree.move_requested.connect(self.move_blocks)
        self.tree.insert_requested.connect(lambda t, row: self.add_block(t, row))
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        lay.addWidget(self.tree, 1)

        # the problems with their one-click fixes, and the totals: the window shows this footer under both views
        # of the model (graph and layers), so a misfit's fixes are in sight whichever view is open
        self.footer = QWidget()
        self.footer.setObjectName("modelFooter")
        foot = QVBoxLayout(self.footer)
        foot.setContentsMargins(0, 0, 0, 0)
        foot.setSpacing(0)
        self.problems = QWidget()
        self.problems_lay = QVBoxLayout(self.problems)
        self.problems_lay.setContentsMargins(6, 2, 6, 2)
        foot.addWidget(self.problems)
        self.totals = QLabel()
        self.totals.setObjectName("totals")
        self.totals.setContentsMargins(6, 4, 6, 4)
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        foot.addWidget(self.totals)
        lay.addWidget(self.footer)
        # long fix labels must not widen the centre and squeeze the docks beside it
        self.footer.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Maximum)

        self.actions_by_name: dict[str, QAction] = {}
        for name, text, keys, slot in (
            ("cut", "Cu&t", QKeySequence.StandardKey.Cut, self.cut),
            ("copy", "&Copy", QKeySequence.StandardKey.Copy, self.copy),
            ("paste", "&Paste", QKeySequence.StandardKey.Paste, self.paste),
            ("duplicate", "D&uplicate", QKeySequence("Ctrl+D"), self.duplicate),
            ("delete", "&Delete", QKeySequence.StandardKey.Delete, self.delete),
            ("toggle", "Enable/&Disable", QKeySequence("Ctrl+E"), self.toggle_enabled),
            ("up", "Move &Up", QKeySequence("Alt+Up"), lambda: self.shift(-1)),
            ("down", "Move Do&wn", QKeySequence("Alt+Down"), lambda: self.shift(1)),
        ):
            act = QAction(text, self)
            act.setShortcut(keys)
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(slot)
            self.tree.addAction(act)
            self.actions_by_name[name] = act
        self._rebuilding = False
        checker.report_changed.connect(self.rebuild)
        self.rebuild(checker.report)

    # ------------------------------------------------------------------ drawing
    def rebuild(self, report: ModelReport) -> None:
        c = theme.colors()
        selected = set(self.selected_ids())
        current = self.tree.currentItem().data(0, ID_ROLE) if self.tree.currentItem() else None
        reports = report.by_id()
        self._rebuilding = True
        self.tree.setUpdatesEnabled(False)
        try:
            self.tree.clear()
            for b in model_edits.blocks(self.doc.view()):
                rep = reports.get(b["id"])
                item = QTreeWidgetItem()
                item.setData(0, ID_ROLE, b["id"])
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                              | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled)
                item.setCheckState(COL_ON, Qt.CheckState.Checked if b.get("enabled", True) else Qt.CheckState.Unchecked)
                item.setToolTip(COL_ON, "Enabled: a disabled block is bypassed")
                links = b.get("inputs")
                via = f"  ← {', '.join(links)}" if links else ""
                item.setText(COL_BLOCK, f"{b['type']}  ·  {b['id']}{via}")
                item.setToolTip(COL_BLOCK, catalog.BLOCKS[b["type"]].help)
                if not b.get("enabled", True):
                    item.setText(COL_SHAPE, "(disabled)")
                    for col in range(4):
                        item.setForeground(col, QBrush(QColor(c.muted)))
                elif rep is not None:
                    item.setText(COL_SHAPE, rep.shape_text)
                    item.setText(COL_PARAMS, f"{rep.params:,}" if rep.output_shape is not None else "")
                    if rep.waiting_for:
                        item.setForeground(COL_SHAPE, QBrush(QColor(c.muted)))
                        item.setToolTip(COL_SHAPE, f"No shape until {rep.waiting_for} fits")
                item.setTextAlignment(COL_PARAMS, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                font = item.font(COL_SHAPE)
                font.setFamily("monospace")
                item.setFont(COL_SHAPE, font)
                item.setFont(COL_PARAMS, font)
                self.tree.addTopLevelItem(item)
                if rep is not None and rep.error:
                    for col in range(4):
                        item.setBackground(col, QBrush(QColor(c.error_bg)))
                    item.setForeground(COL_SHAPE, QBrush(QColor(c.error)))
                    item.setText(COL_SHAPE, "✖ " + item.text(COL_SHAPE))
                    self._error_row(item, rep.id, rep.error, [])  # its fixes are offered in the footer
                item.setSelected(b["id"] in selected)
                if b["id"] == current:
                    self.tree.setCurrentItem(item, 0, self.tree.selectionModel().SelectionFlag.NoUpdate)
            self.tree.expandAll()
        finally:
            self.tree.setUpdatesEnabled(True)
            self._rebuilding = False
        self._problems(report)
        self._totals(report)

    def _error_row(self, parent: QTreeWidgetItem, block_id: str, message: str, fixes: list[Fix]) -> None:
        c = theme.colors()
        child = QTreeWidgetItem(parent)
        child.setFlags(Qt.ItemFlag.ItemIsEnabled)
        child.setFirstColumnSpanned(True)
        self.tree.setItemWidget(child, 0, self._message_widget(message, fixes, block_id, c))

    def _message_widget(self, message: str, fixes: list[Fix], block_id: str, c) -> QWidget:
        """The message, then one button per fix (best first): `fix_<id>`, then `fix_<id>_2`, `fix_<id>_3` …"""
        w = QWidget()
        w.setObjectName("blockError")
        col = QVBoxLayout(w)
        col.setContentsMargins(24, 2, 6, 4)
        col.setSpacing(2)
        label = QLabel(message)
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {c.error};")
        col.addWidget(label)
        if fixes:
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            for n, fix in enumerate(fixes, 1):
                btn = QPushButton(fix.label)
                btn.setObjectName(f"fix_{block_id}" + (f"_{n}" if n > 1 else ""))
                btn.setToolTip(f"{fix.label} (one undoable step)")  # the whole label where a narrow window cuts it
                btn.clicked.connect(lambda _=False, f=fix: self.apply_fix(block_id, f))
                row.addWidget(btn)
            row.addStretch(1)
            col.addLayout(row)
        return w

    def _problems(self, report: ModelReport) -> None:
        while self.problems_lay.count():
            w = self.problems_lay.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        c = theme.colors()
        if not model_edits.blocks(self.doc.view()):  # a new project is not an error: say how to begin, calmly
            hint = QLabel("Start with an Input block: double-click it in the palette (or drag it here), then add "
                          "layers the same way. Or open an example: File ▸ New from Preset.", wordWrap=True)
            hint.setStyleSheet(f"color: {c.muted};")
            self.problems_lay.addWidget(hint)
            self.problems.setVisible(True)
            return
        for p in report.problems:
            w = self._message_widget(p, [], "", c)
            w.layout().setContentsMargins(0, 0, 0, 0)
            self.problems_lay.addWidget(w)
        misfits = [b for b in report.blocks if b.error]
        for rep in misfits[:FOOTER_MISFITS]:  # the first ones: fixing one often mends those after it
            w = self._message_widget(f"✖ {rep.id} ({rep.type}): {rep.error}", rep.fixes, rep.id, c)
            w.layout().setContentsMargins(0, 0, 0, 0)
            self.problems_lay.addWidget(w)
        if len(misfits) > FOOTER_MISFITS:
            more = QLabel(f"… and {len(misfits) - FOOTER_MISFITS} more (marked ✖ in the model)")
            more.setStyleSheet(f"color: {c.error};")
            self.problems_lay.addWidget(more)
        self.problems.setVisible(bool(report.problems or misfits))

    def _totals(self, report: ModelReport) -> None:
        n = sum(1 for b in model_edits.blocks(self.doc.view()))
        out = report.by_id().get(report.outputs[0]) if len(report.outputs) == 1 else None
        shape = f" · output {out.shape_text}" if out is not None and out.output_shape is not None else ""
        bad = sum(1 for b in report.blocks if b.error) + (len(report.problems) if n else 0)  # empty: see the hint
        status = f" · <span style='color:{theme.colors().error}'>{bad} problem{'s' * (bad != 1)}</span>" if bad else ""
        self.totals.setText(f"<b>{report.total_params:,}</b> parameters (trainable {report.trainable_params:,}, "
                            f"non-trainable {report.non_trainable_params:,}) · {n} block{'s' * (n != 1)}{shape}{status}")

    # ------------------------------------------------------------------ selection
    def selected_ids(self) -> list[str]:
        ids = [i.data(0, ID_ROLE) for i in self.tree.selectedItems() if i.data(0, ID_ROLE)]
        order = [b["id"] for b in model_edits.blocks(self.doc.view())]
        return sorted((i for i in ids if i in order), key=order.index)

    def select(self, ids: list[str]) -> None:
        self.tree.clearSelection()
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, ID_ROLE) in ids:
                item.setSelected(True)
                self.tree.setCurrentItem(item, 0, self.tree.selectionModel().SelectionFlag.NoUpdate)
                self.tree.scrollToItem(item)

    def _selection(self) -> None:
        if not self._rebuilding:
            self.selection_changed.emit(self.selected_ids())

    # ------------------------------------------------------------------ edits
    def _edit(self, prepare, what: str, select: list[str] | None = None) -> Change | None:
        """Run a core document edit (`prepare(model) -> Change`) as one undo step; the Change, or None with
        the reason shown."""
        done = self.doc.perform(prepare)
        if isinstance(done, str):
            self.message.emit(f"{what}: {done}")
            return None
        if select is not None:
            self.select(select)
            self.selection_changed.emit(self.selected_ids())
        return done

    def add_block(self, block_type: str, row: int | None = None) -> str | None:
        if row is None and self.selected_ids():
            row = model_edits.index_of(self.doc.view(), self.selected_ids()[-1]) + 1
        params = {}
        if block_type == "Input" and self.checker.data_shape is not None:
            params["shape"] = list(self.checker.data_shape.input_shape)  # fits the chosen data at once
        done = self._edit(lambda core: core.add_block(block_type, row, params), f"Add {block_type}")
        if done is None:
            return None
        self.select([done.result])
        self.selection_changed.emit([done.result])
        return done.result

    def move_blocks(self, ids: list[str], row: int) -> None:
        self._edit(lambda core: core.move_blocks(ids, row), "Move " + ", ".join(ids), select=ids)

    def shift(self, step: int) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        bl = [b["id"] for b in model_edits.blocks(self.doc.view())]
        first, last = bl.index(ids[0]), bl.index(ids[-1])
        row = first - 1 if step < 0 else last + 2
        if row < 0 or row > len(bl):
            return
        self.move_blocks(ids, row)

    def delete(self) -> None:
        ids = self.selected_ids()
        if ids:
            self._edit(lambda core: core.remove_blocks(ids), "Delete " + ", ".join(ids), select=[])

    def duplicate(self) -> None:
        ids = self.selected_ids()
        done = self._edit(lambda core: core.duplicate_blocks(ids), "Duplicate") if ids else None
        if done is not None:
            self.select(done.result)
            self.selection_changed.emit(done.result)

    def toggle_enabled(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        on = not all(model_edits.blocks(self.doc.view())[model_edits.index_of(self.doc.view(), i)].get("enabled", True)
                     for i in ids)
        self._edit(lambda core: core.set_enabled(ids, on), ("Enable " if on else "Disable ") + ", ".join(ids),
                   select=ids)

    def copy(self) -> None:
        spec = self.doc.view()
        rows = [model_edits.blocks(spec)[model_edits.index_of(spec, i)] for i in self.selected_ids()]
        if not rows:
            return
        # plain JSON text: pastes into another window or an editor too (and avoids PySide's QMimeData
        # ownership trouble with the clipboard at exit)
        QApplication.clipboard().setText(json.dumps({CLIP_KEY: rows}, indent=2))

    def cut(self) -> None:
        self.copy()
        self.delete()

    def paste(self) -> None:
        raw = QApplication.clipboard().text()
        try:
            rows = json.loads(raw)
            if isinstance(rows, dict):
                rows = rows.get(CLIP_KEY, [rows])
            assert isinstance(rows, list) and all(isinstance(r, dict) and "type" in r for r in rows)
        except (ValueError, AssertionError):
            self.message.emit("Paste: the clipboard holds no blocks")
            return
        ids = self.selected_ids()
        at = model_edits.index_of(self.doc.view(), ids[-1]) + 1 if ids else None
        done = self._edit(lambda core: core.paste_blocks(rows, at), "Paste")
        if done is not None:
            self.select(done.result)
            self.selection_changed.emit(done.result)

    def apply_fix(self, block_id: str, fix: Fix) -> None:
        self._edit(lambda core: core.apply_fix(block_id, fix), fix.label)

    def _item_changed(self, item: QTreeWidgetItem, col: int) -> None:
        if self._rebuilding or col != COL_ON or not item.data(0, ID_ROLE):
            return
        bid = item.data(0, ID_ROLE)
        on = item.checkState(COL_ON) == Qt.CheckState.Checked
        self._edit(lambda core: core.set_enabled([bid], on), ("Enable " if on else "Disable ") + bid)
