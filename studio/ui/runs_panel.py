"""The project's runs: newest first, with state and final metrics; open one to see its curves again.

Each run is one two-line row (its title; then when, state, backend and result), so the narrow left dock
shows everything without a horizontal scrollbar. F2 or the context menu renames a run."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (QGridLayout, QHBoxLayout, QInputDialog, QLabel, QLineEdit, QPushButton, QSpinBox,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from studio.core.run_names import rename_run
from studio.core.seed_compare import MAX_SEEDS
from studio.core.runs import list_runs


def _when(created: float) -> str:
    """"14:05" today, "Nov 23 14:05" this year, else "2025-11-23"."""
    t, now = time.localtime(created), time.localtime()
    if t[:3] == now[:3]:
        return time.strftime("%H:%M", t)
    return time.strftime("%b %d %H:%M" if t.tm_year == now.tm_year else "%Y-%m-%d", t)


class RunsPanel(QWidget):
    show_run = Signal(str)  # run directory
    compare = Signal(list)  # run directories, two or more
    compare_seeds = Signal(list, int)  # run directories whose specs to train with that many seeds each, compared
    continue_from = Signal(str)  # run directory whose model the next training starts from
    open_table = Signal()  # the run table: every run with its figures, sortable

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.root: Path | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.where = QLabel(wordWrap=True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.where)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setColumnCount(1)
        self.tree.setRootIsDecorated(False)
        self.tree.setWordWrap(False)
        self.tree.setAlternatingRowColors(True)  # two-line rows: the shading tells one run from the next
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)  # a long title ends in "…"; the tooltip has all
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.header().setStretchLastSection(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)  # Ctrl/Shift-click to compare
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.tree.itemActivated.connect(lambda item, _c: self.show_run.emit(item.data(0, Qt.ItemDataRole.UserRole)))
        lay.addWidget(self.tree, 1)
        self.rename_action = QAction("Rename…", self.tree)
        self.rename_action.setShortcut(QKeySequence(Qt.Key.Key_F2))
        self.rename_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.rename_action.triggered.connect(self.rename_selected)
        self.tree.addAction(self.rename_action)
        row = QGridLayout()
        self.show_btn = QPushButton("Show curves")
        self.show_btn.clicked.connect(self._show_selected)
        self.compare_btn = QPushButton("Compare")
        self.compare_btn.setToolTip("Select two or more runs (Ctrl- or Shift-click) to draw their curves together")
        self.compare_btn.clicked.connect(self._compare)
        self.compare_btn.setEnabled(False)
        self.seeds = QSpinBox(minimum=1, maximum=MAX_SEEDS, value=1)
        self.seeds.setPrefix("× ")
        self.seeds.setSpecialValueText("as run")  # 1: the runs' own curves, nothing trained
        self.seeds.setToolTip("Seeds per run for Compare. \"as run\": overlay the selected runs as they are. 2 or "
                              "more: train each selected run's spec with that many seeds, draw each as a mean with a "
                              "band, and say whether they differ by more than seed noise (3 or more make it worth "
                              "reading)")
        self.seeds.valueChanged.connect(self._seeds_changed)
        compare_cell = QWidget()
        cell = QHBoxLayout(compare_cell)
        cell.setContentsMargins(0, 0, 0, 0)
        cell.setSpacing(2)
        cell.addWidget(self.compare_btn, 1)
        cell.addWidget(self.seeds)
        self.continue_btn = QPushButton("Continue")
        self.continue_btn.setToolTip("Train the selected run's model further: the next training starts from its "
                                     "weights (the blocks must be the same)")
        self.continue_btn.clicked.connect(self._continue_selected)
        folder = QPushButton("Open folder")
        folder.clicked.connect(self._open_folder)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        self.table_btn = QPushButton("Run table…")
        self.table_btn.setToolTip("Every run with its figures in one sortable, filterable table")
        self.table_btn.clicked.connect(self.open_table)
        for i, b in enumerate((self.show_btn, compare_cell, self.continue_btn, folder, self.table_btn,
                               refresh)):  # narrow
            row.addWidget(b, i // 2, i % 2)
        lay.addLayout(row)

    def set_root(self, root: Path) -> None:
        self.root = Path(root)
        self.where.setText(f"Runs in {self.root}")
        self.refresh()

    def refresh(self) -> None:
        self.tree.clear()
        for r in list_runs(self.root) if self.root else []:
            metrics = r.summary.get("metrics", {}) if isinstance(r.summary, dict) else {}
            final = metrics.get("validation") or metrics.get("train") or {}
            result = ", ".join(f"{k} {v:.3g}" for k, v in list(final.items())[:2] if isinstance(v, (int, float)))
            when = _when(r.created)
            # the result first: it is what people scan the list for
            facts = " · ".join(x for x in (result, r.state, when, r.backend) if x)
            item = QTreeWidgetItem([f"{r.title}\n{facts}"])
            item.setData(0, Qt.ItemDataRole.UserRole, str(r.path))
            item.setToolTip(0, "\n".join(x for x in (r.title, facts, r.reason, str(r.path)) if x))
            self.tree.addTopLevelItem(item)

    def count(self) -> int:
        return self.tree.topLevelItemCount()

    def _selected(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item else None

    def selected_runs(self) -> list[str]:
        return [i.data(0, Qt.ItemDataRole.UserRole) for i in self.tree.selectedItems()]

    def _selection_changed(self) -> None:
        self.compare_btn.setEnabled(len(self.tree.selectedItems()) >= 2)

    def _seeds_changed(self, n: int) -> None:
        self.compare_btn.setText("Compare" if n == 1 else "Compare…")  # more than one seed trains: a dialog

    def _compare(self) -> None:
        runs, n = self.selected_runs(), self.seeds.value()
        if n == 1:
            self.compare.emit(runs)
        else:
            self.compare_seeds.emit(runs, n)

    def title_of(self, run_dir: str) -> str:
        for i in range(self.count()):
            item = self.tree.topLevelItem(i)
            if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == run_dir:
                return item.text(0).split("\n")[0]
        return ""

    def rename_selected(self) -> None:
        """Ask for a new title for the current run and write it into the run's spec (atomically)."""
        path = self._selected()
        if not path:
            return
        old = self.title_of(path)
        title, ok = QInputDialog.getText(self, "Rename run", "Title of this run:", QLineEdit.EchoMode.Normal, old)
        if not ok or " ".join(title.split()) == old:
            return
        try:
            rename_run(path, title)
        except (ValueError, OSError) as exc:
            self.where.setText(f"Not renamed: {exc}")
            return
        self.refresh()
        for i in range(self.count()):  # keep the renamed run selected
            item = self.tree.topLevelItem(i)
            if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == path:
                self.tree.setCurrentItem(item)

    def _continue_selected(self) -> None:
        path = self._selected()
        if path:
            self.continue_from.emit(path)

    def _show_selected(self) -> None:
        path = self._selected()
        if path:
            self.show_run.emit(path)

    def _open_folder(self) -> None:
        path = self._selected() or (str(self.root) if self.root else None)
        if path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(path))
