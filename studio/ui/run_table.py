"""The run table: every run of the project in one sortable, filterable table (studio.core.run_index).

Columns: title, state, backend, device, started, duration, epochs, parameters, samples/s, the validation and
test figures, then the spec settings in which the runs differ. Rename, tag, note and delete (to the system's
trash, or to an archive folder beside the runs where there is none; never silently); export the table to CSV.
Selecting two or more rows and pressing Compare overlays their curves in the main window.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import QFile, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QFileDialog, QHBoxLayout, QHeaderView, QInputDialog,
                               QLabel, QLineEdit, QMessageBox, QPushButton, QTableView, QVBoxLayout, QWidget)

from studio.core.safe_paths import output_file_problem, write_text_atomic
from studio.core.run_index import COLUMNS, RunIndex, RunRow, cell_text, set_meta, table
from studio.core.run_names import rename_run

ARCHIVE = ".archive"  # where a deleted run goes when the system has no trash
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
PATH_ROLE = Qt.ItemDataRole.UserRole + 2


def _heading(key: str) -> str:
    return COLUMNS.get(key, key.replace("_", " ") if "." not in key else key)


def _set_meta_all(runs: list[str], **meta: Any) -> None:
    """The same tags or note on every run in `runs`."""
    for run in runs:
        set_meta(run, **meta)


def archive_or_trash(run_dir: Path) -> str:
    """Move a run to the system's trash, or else into the archive folder beside it; says where it went."""
    result = QFile.moveToTrash(str(run_dir))  # PySide6 returns a bool or (bool, path in the trash)
    if result[0] if isinstance(result, tuple) else result:
        return "moved to the trash"
    target = run_dir.parent / ARCHIVE / run_dir.name
    target.parent.mkdir(exist_ok=True)
    shutil.move(str(run_dir), str(target))
    return f"moved to {target}"


class RunTable(QDialog):
    compare = Signal(list)  # run directories, two or more
    show_run = Signal(str)  # a run directory
    changed = Signal()  # runs renamed, tagged or deleted: the Runs dock refreshes

    def __init__(self, root: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Run table")
        self.setObjectName("runTable")
        self.resize(1100, 520)
        self.root = Path(root)
        self.rows: list[RunRow] = []
        self.keys: list[str] = []
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.filter = QLineEdit(placeholderText="Filter: any text in any column (title, tag, optimizer …)")
        self.filter.setClearButtonEnabled(True)
        top.addWidget(self.filter, 1)
        self.count_label = QLabel()
        top.addWidget(self.count_label)
        lay.addLayout(top)
        self.model = QStandardItemModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)  # every column
        self.filter.textChanged.connect(self._filter)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)  # one line a run; a long title ends in "…" (its tooltip has it whole)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.doubleClicked.connect(lambda _i: self._emit_show())
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        lay.addWidget(self.view, 1)
        buttons = QHBoxLayout()
        self.compare_btn = QPushButton("Compare")
        self.compare_btn.setToolTip("Overlay the selected runs' curves (select two or more)")
        self.compare_btn.clicked.connect(lambda: self.compare.emit(self.selected_runs()))
        self.rename_btn = QPushButton("Rename…")
        self.rename_btn.clicked.connect(self._rename)
        self.tags_btn = QPushButton("Tags…")
        self.tags_btn.clicked.connect(self._tags)
        self.note_btn = QPushButton("Note…")
        self.note_btn.clicked.connect(self._note)
        self.delete_btn = QPushButton("Delete…")
        self.delete_btn.setToolTip("Move the selected runs to the trash (or to the runs folder's .archive)")
        self.delete_btn.clicked.connect(self._delete)
        self.csv_btn = QPushButton("Export CSV…")
        self.csv_btn.clicked.connect(self._export_csv)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        for b in (self.compare_btn, self.rename_btn, self.tags_btn, self.note_btn, self.delete_btn):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.csv_btn)
        buttons.addWidget(refresh)
        lay.addLayout(buttons)
        self.message = QLabel()
        lay.addWidget(self.message)
        self.refresh()

    # ------------------------------------------------------------------ filling
    def refresh(self) -> None:
        selected = set(self.selected_runs())
        self.rows = RunIndex(self.root).rows()
        self.keys, values = table(self.rows)
        self.model.clear()
        self.model.setHorizontalHeaderLabels([_heading(k) for k in self.keys])
        for row, vals in zip(self.rows, values, strict=True):
            items = []
            for key, v in zip(self.keys, vals, strict=True):
                item = QStandardItem(cell_text(key, v))
                numeric = isinstance(v, (int, float)) and not isinstance(v, bool)
                item.setData(v if numeric else cell_text(key, v).lower(), SORT_ROLE)
                item.setData(row.path, PATH_ROLE)
                if numeric:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                items.append(item)
            items[0].setToolTip(f"{row.title}\n{row.path}" + (f"\n\n{row.note}" if row.note else ""))
            self.model.appendRow(items)
        self.view.resizeColumnsToContents()
        for i in range(len(self.keys)):  # a long title or note must not push the figures out of sight
            self.view.setColumnWidth(i, min(self.view.columnWidth(i), 260))
        self._reselect(selected)
        self._counts()
        self._selection_changed()

    def _reselect(self, paths: set[str]) -> None:
        sel = self.view.selectionModel()
        for r in range(self.proxy.rowCount()):
            if self.proxy.index(r, 0).data(PATH_ROLE) in paths:
                sel.select(self.proxy.index(r, 0),
                           sel.SelectionFlag.Select | sel.SelectionFlag.Rows)

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._counts()

    def _counts(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(f"{total} runs" if shown == total else f"{shown} of {total} runs")

    # ------------------------------------------------------------------ selection
    def selected_runs(self) -> list[str]:
        if not hasattr(self, "view"):
            return []
        return [i.data(PATH_ROLE) for i in self.view.selectionModel().selectedRows()]

    def _selection_changed(self) -> None:
        n = len(self.selected_runs())
        self.compare_btn.setEnabled(n >= 2)
        for b in (self.tags_btn, self.note_btn, self.delete_btn):
            b.setEnabled(n >= 1)
        self.rename_btn.setEnabled(n == 1)

    def _emit_show(self) -> None:
        runs = self.selected_runs()
        if runs:
            self.show_run.emit(runs[0])

    def _row(self, path: str) -> RunRow | None:
        return next((r for r in self.rows if r.path == path), None)

    # ------------------------------------------------------------------ editing
    def _rename(self) -> None:
        runs = self.selected_runs()
        row = self._row(runs[0]) if len(runs) == 1 else None
        if row is None:
            return
        title, ok = QInputDialog.getText(self, "Rename run", "Title of this run:", QLineEdit.EchoMode.Normal,
                                         row.title)
        if ok and title.strip() and title != row.title:
            self._write(lambda: rename_run(row.path, title), f"Renamed to {title.strip()}")

    def _tags(self) -> None:
        runs = self.selected_runs()
        first = self._row(runs[0]) if runs else None
        if first is None:
            return
        text, ok = QInputDialog.getText(self, "Tags", f"Tags of {len(runs)} run(s), separated by commas:",
                                        QLineEdit.EchoMode.Normal, ", ".join(first.tags))
        if ok:
            tags = [t.strip() for t in text.split(",")]
            self._write(lambda: _set_meta_all(runs, tags=tags), "Tags saved")

    def _note(self) -> None:
        runs = self.selected_runs()
        first = self._row(runs[0]) if runs else None
        if first is None:
            return
        text, ok = QInputDialog.getMultiLineText(self, "Note", f"A note on {len(runs)} run(s):", first.note)
        if ok:
            self._write(lambda: _set_meta_all(runs, note=text), "Note saved")

    def _write(self, action, done: str) -> None:
        try:
            action()
        except (OSError, ValueError) as exc:
            self.message.setText(f"Not saved: {exc}")
            return
        self.message.setText(done)
        self.refresh()
        self.changed.emit()

    def _delete(self) -> None:
        runs = self.selected_runs()
        if not runs:
            return
        names = "\n".join(Path(p).name for p in runs[:8]) + ("\n…" if len(runs) > 8 else "")
        answer = QMessageBox.question(self, "Delete runs", f"Move {len(runs)} run(s) to the trash?\n\n{names}",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        said = []
        for p in runs:
            try:
                said.append(f"{Path(p).name} {archive_or_trash(Path(p))}")
            except OSError as exc:
                said.append(f"{Path(p).name} not deleted: {exc}")
        self.message.setText("; ".join(said))
        self.refresh()
        self.changed.emit()

    def _export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the run table", str(self.root / "runs.csv"),
                                              "CSV files (*.csv)")
        if path:
            self.export_csv(path)

    def export_csv(self, path: str | Path) -> None:
        """The rows as shown (filtered, in the shown order), every column."""
        order = [self.proxy.index(r, 0).data(PATH_ROLE) for r in range(self.proxy.rowCount())]
        by_path = dict(zip((r.path for r in self.rows), table(self.rows)[1], strict=True))
        # the file dialog asked before replacing a file; a run's own files are never replaced
        if problem := output_file_problem(path, "The table", force=True):
            self.message.setText(f"Not written: {problem}")
            return
        buffer = io.StringIO()
        w = csv.writer(buffer)
        w.writerow(self.keys)
        w.writerows([["" if v is None else v for v in by_path[p]] for p in order])
        try:
            write_text_atomic(path, buffer.getvalue())
        except OSError as exc:
            self.message.setText(f"Not written: {exc}")
            return
        self.message.setText(f"Wrote {path}")
