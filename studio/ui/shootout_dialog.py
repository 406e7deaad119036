"""Run ▸ Backend shoot-out…: train the project's spec on each chosen backend and compare them side by side.

The Qt-free runner (`studio.jobs.shootout.Shootout`) runs on a plain thread that only puts copies of the
table and training events on a queue; a QTimer here drains it, so every widget is touched on the GUI
thread. When it ends the runs' curves overlay in the main window (`compare` → MainWindow.compare_runs) and
"Use <fastest> for this project" sets training.backend through the document's edit path (undoable).
"""

from __future__ import annotations

import copy
import queue
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core import events as ev
from studio.core.spec import BACKENDS
from studio.jobs.shootout import MAX_REPEATS, Table
from studio.ui.document import Document

if TYPE_CHECKING:  # imported when a shoot-out starts, not with the dialog
    from studio.jobs.shootout import Shootout

POLL_MS = 100
STATE, JOIN_S = 1, 120  # the column that shows progress; how long closing waits for a stopped training


class ShootoutDialog(QDialog):
    compare = Signal(list)  # the run directories of the backends that finished, one per backend

    def __init__(self, doc: Document, runs_root: Path, installed: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Backend shoot-out")
        self.setObjectName("shootoutDialog")
        self.resize(980, 380)
        self.doc = doc
        self.runs_root = Path(runs_root)
        self.installed = list(installed)
        self.table_doc = None  # the last copy of the runner's table
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._runner: Shootout | None = None
        lay = QVBoxLayout(self)
        intro = QLabel("Trains this project on each backend, one after another, as ordinary runs. First epoch "
                       "includes compilation; steady samples/s counts the epochs after it.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        row = QHBoxLayout()
        self.backend_boxes: dict[str, QCheckBox] = {}
        for b in BACKENDS:
            box = QCheckBox(b)
            box.setObjectName(f"shootoutBackend_{b}")
            box.setChecked(b in installed)
            box.setEnabled(b in installed)
            if b not in installed:
                box.setToolTip(f"{b} is not installed")
            box.toggled.connect(self._update_buttons)
            self.backend_boxes[b] = box
            row.addWidget(box)
        row.addStretch(1)
        form.addRow("Backends", row)
        self.epochs = QSpinBox(minimum=2, maximum=100000)
        self.epochs.setValue(max(2, doc.run_spec.training.epochs))
        self.epochs.setToolTip("At least two: the first epoch compiles, the others give the steady speed")
        form.addRow("Epochs", self.epochs)
        self.repeats = QSpinBox(minimum=1, maximum=MAX_REPEATS)
        self.repeats.setToolTip("Train each backend this many times; the table shows medians")
        form.addRow("Repeats", self.repeats)
        lay.addLayout(form)
        self.grid = QTableWidget(0, 8)
        # the headings before the first row: an empty table of "1 2 3 …" says nothing
        self.grid.setHorizontalHeaderLabels(Table("", 0, 1, 1, []).headers())
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.verticalHeader().hide()
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.grid.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.grid, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        buttons = QHBoxLayout()
        self.start_btn = QPushButton("Start")
        self.start_btn.clicked.connect(self.start)
        self.stop_btn = QPushButton("Stop")
        self.stop_btn.clicked.connect(self.stop)
        self.compare_btn = QPushButton("Overlay curves")
        self.compare_btn.setToolTip("Show the runs' curves together in the main window")
        self.compare_btn.clicked.connect(self._compare)
        self.use_btn = QPushButton("Use the fastest for this project")
        self.use_btn.clicked.connect(self.use_fastest)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        for button in (self.start_btn, self.stop_btn, self.compare_btn, self.use_btn):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        lay.addLayout(buttons)
        self.timer = QTimer(self)
        self.timer.setObjectName("shootoutPoll")
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._drain)
        self._update_buttons()

    # ------------------------------------------------------------------ state
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def chosen(self) -> list[str]:
        return [b for b, box in self.backend_boxes.items() if box.isChecked() and b in self.installed]

    @property
    def fastest(self) -> str | None:
        return self.table_doc.fastest if self.table_doc is not None else None

    def _update_buttons(self) -> None:
        busy = self._thread is not None
        self.start_btn.setEnabled(not busy and len(self.chosen()) >= 1)
        self.stop_btn.setEnabled(busy)
        for b, box in self.backend_boxes.items():
            box.setEnabled(not busy and b in self.installed)
        self.epochs.setEnabled(not busy)
        self.repeats.setEnabled(not busy)
        done = self.table_doc is not None and not busy
        runs = self._finished_runs()
        self.compare_btn.setEnabled(done and len(runs) >= 2)
        fastest = self.fastest if done else None
        self.use_btn.setText(f"Use {fastest} for this project" if fastest else "Use the fastest for this project")
        self.use_btn.setEnabled(bool(fastest) and fastest != self.doc.view()["training"].get("backend"))

    def _finished_runs(self) -> list[str]:
        if self.table_doc is None:
            return []
        return [r.runs[0] for r in self.table_doc.rows if r.state == "done" and r.runs]

    # ------------------------------------------------------------------ running
    def start(self) -> None:
        from studio.jobs.shootout import Shootout, ShootoutError

        if self._thread is not None:
            return
        try:
            self._runner = Shootout(self.doc.run_spec, self.runs_root, self.chosen(), repeats=self.repeats.value(),
                                    epochs=self.epochs.value(),
                                    on_change=lambda t: self._queue.put(("table", copy.deepcopy(t))),
                                    on_event=lambda b, e: self._queue.put(("event", (b, e))))
        except ShootoutError as exc:
            self.status.setText(str(exc))
            return
        self._show(copy.deepcopy(self._runner.table))
        self._thread = threading.Thread(target=self._work, name="keras-studio-shootout", daemon=True)
        self._thread.start()
        self.timer.start()
        self.status.setText("Training the first backend …")
        self._update_buttons()

    def _work(self) -> None:
        """On the thread: run the shoot-out; whatever happens, the last message says it is over."""
        try:
            assert self._runner is not None  # start() sets it before the thread starts
            self._runner.run()
            self._queue.put(("done", None))
        except Exception as exc:  # noqa: BLE001 - shown in the dialog, never a traceback
            self._queue.put(("error", f"The shoot-out stopped: {exc}"))

    def stop(self) -> None:
        if self._runner is not None and self.running:
            self._runner.cancel.set()
            self.status.setText("Stopping after this batch …")
            self.stop_btn.setEnabled(False)

    def _drain(self) -> None:
        while True:
            try:
                kind, payload = self._queue.get_nowait()
            except queue.Empty:
                return
            if kind == "table":
                self._show(payload)
            elif kind == "event":
                self._progress(*payload)
            else:
                self._finish(payload if kind == "error" else None)

    def _progress(self, backend: str, event: ev.Event) -> None:
        if isinstance(event, ev.EpochEnd) and self.table_doc is not None:
            i = [r.backend for r in self.table_doc.rows].index(backend)
            self.grid.setItem(i, STATE, QTableWidgetItem(f"epoch {event.epoch + 1}/{event.epochs}"))

    def _finish(self, error: str | None) -> None:
        self.timer.stop()
        if self._thread is not None:
            self._thread.join()
        self._thread = None
        assert self._runner is not None  # only a started shoot-out finishes
        cancelled = self._runner.cancel.is_set()
        paths = self._runner.paths
        if error:
            self.status.setText(error)
        else:
            saved = f" Saved as {paths[0].name} and {paths[1].name} beside the runs." if paths else ""
            fastest = f"Fastest (steady samples/s): {self.fastest}." if self.fastest else "No backend finished."
            self.status.setText(("Stopped. " if cancelled else "") + fastest + saved)
        self._update_buttons()
        if not cancelled and len(self._finished_runs()) >= 2:
            self._compare()

    def _show(self, table: Any) -> None:
        from studio.jobs.shootout import row_cells

        self.table_doc = table
        self.grid.setHorizontalHeaderLabels(table.headers())
        self.grid.setRowCount(len(table.rows))
        for i, row in enumerate(table.rows):
            for j, text in enumerate(row_cells(row)):
                item = QTableWidgetItem(text)
                if row.message:
                    item.setToolTip(row.message)
                self.grid.setItem(i, j, item)

    # ------------------------------------------------------------------ results
    def _compare(self) -> None:
        runs = self._finished_runs()
        if len(runs) >= 2:
            self.compare.emit(runs)

    def use_fastest(self) -> None:
        backend = self.fastest
        if not backend:
            return
        problem = self.doc.patch(lambda s: s.setdefault("training", {}).__setitem__("backend", backend),
                                 f"Use {backend} (the shoot-out's fastest)")
        self.status.setText(problem or f"This project now trains on {backend} (Edit ▸ Undo takes it back).")
        self._update_buttons()

    def shutdown(self) -> None:
        """Stop a running shoot-out and wait for its training to end (no child outlives the dialog)."""
        if self._runner is not None and self._thread is not None:
            self._runner.cancel.set()
            self._thread.join(JOIN_S)
            self._drain()
        self.timer.stop()

    def done(self, result: int) -> None:
        self.shutdown()
        super().done(result)
