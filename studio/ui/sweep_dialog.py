"""Run ▸ Sweep…: a hyperparameter search on Optuna over the project's spec, from the app.

The search rows start from sensible defaults read off the spec (learning rate, batch size, each dropout rate and
Dense width, the optimizer); any spec path can be added. While it runs: a live table of trials (pruned ones
marked), the best-so-far curve and a scatter of the first parameter against the metric. Cancel stops the running
trials cleanly (they are tried again if the sweep is resumed). The sweep itself is studio.jobs.sweep, run on a
worker thread that only emits signals; its trials are ordinary runs in the project's runs folder.
"""

from __future__ import annotations

import math
from pathlib import Path
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDoubleSpinBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QMenu, QPushButton, QSpinBox, QSplitter, QTableWidget, QTableWidgetItem,
                               QToolButton, QVBoxLayout, QWidget)

from studio.core import events as ev
from studio.core.runs import SPEC_FILE, read_json
from studio.core.spec import RunSpec, SpecError, logged_metrics
from studio.core.sweep_spec import DISTRIBUTIONS, PRUNERS, SweepError, check_space, choice_value, parse_sweep
from studio.ui import theme

if TYPE_CHECKING:  # imported when a sweep starts, not with the dialog
    from studio.jobs.sweep import Sweep

PRUNED_COLOR = "#9e9e9e"


def suggestions(spec: RunSpec) -> list[dict[str, Any]]:
    """Search rows worth offering for this spec, each with a sensible range."""
    lr = spec.optimizer.learning_rate or 1e-3
    out: list[dict[str, Any]] = [
        {"path": "optimizer.learning_rate", "distribution": "loguniform", "low": lr / 10, "high": min(lr * 10, 1)},
        {"path": "training.batch_size", "distribution": "choice", "choices": [16, 32, 64, 128]},
        {"path": "optimizer.name", "distribution": "choice", "choices": ["adam", "sgd", "rmsprop"]}]
    for b in spec.model.blocks:
        if b.type == "Dropout":
            out.append({"path": f"model.blocks.{b.id}.params.rate", "distribution": "uniform", "low": 0.0,
                        "high": 0.6})
        elif b.type == "Dense" and b is not spec.model.blocks[-1]:
            out.append({"path": f"model.blocks.{b.id}.params.units", "distribution": "logint", "low": 8,
                        "high": 256})
    return out


class SearchRow(QWidget):
    """One search parameter: the spec path, its distribution and its range (or choices)."""

    removed = Signal(object)

    def __init__(self, data: dict[str, Any]):
        super().__init__()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.path = QLineEdit(data["path"])
        self.path.setToolTip("A run-spec path, as for --set: optimizer.learning_rate, "
                             "model.blocks.<id>.params.<name> …")
        self.kind = QComboBox()
        self.kind.addItems(DISTRIBUTIONS)
        self.kind.setCurrentText(data["distribution"])
        self.low = QDoubleSpinBox(decimals=6, minimum=-1e9, maximum=1e9)
        self.high = QDoubleSpinBox(decimals=6, minimum=-1e9, maximum=1e9)
        self.choices = QLineEdit(", ".join(str(c) for c in data.get("choices") or []))
        self.choices.setPlaceholderText("values separated by commas")
        self.low.setValue(float(data.get("low") or 0))
        self.high.setValue(float(data.get("high") or 1))
        remove = QToolButton(autoRaise=True)
        remove.setText("✕")
        remove.setToolTip("Remove this parameter")
        remove.clicked.connect(lambda: self.removed.emit(self))
        for w, stretch in ((self.path, 3), (self.kind, 0), (self.low, 1), (self.high, 1), (self.choices, 2),
                           (remove, 0)):
            lay.addWidget(w, stretch)
        self.kind.currentTextChanged.connect(self._kind_changed)
        self._kind_changed(self.kind.currentText())

    def _kind_changed(self, kind: str) -> None:
        choice = kind == "choice"
        self.choices.setVisible(choice)
        self.low.setVisible(not choice)
        self.high.setVisible(not choice)

    def value(self) -> dict[str, Any]:
        kind = self.kind.currentText()
        if kind == "choice":
            return {"path": self.path.text().strip(), "distribution": kind,
                    "choices": [choice_value(c) for c in self.choices.text().split(",") if c.strip()]}
        return {"path": self.path.text().strip(), "distribution": kind, "low": self.low.value(),
                "high": self.high.value()}


class _Worker(QObject):
    """Runs the sweep on a QThread; speaks only through signals."""

    trial = Signal(object)  # TrialResult
    epoch = Signal(int, int)  # trial number, epoch (0-based)
    failed = Signal(str)
    done = Signal()

    def __init__(self, runner):
        super().__init__()
        self.runner = runner
        runner.on_trial = self.trial.emit
        runner.on_event = lambda n, e: self.epoch.emit(n, e.epoch) if isinstance(e, ev.EpochEnd) else None

    def run(self) -> None:
        try:
            self.runner.run()
        except (SweepError, SpecError, OSError) as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - an Optuna storage problem must not kill the app's thread silently
            self.failed.emit(f"{type(exc).__name__}: {exc}")
        finally:
            self.done.emit()


class SweepDialog(QDialog):
    open_run = Signal(str)  # show a run in the main window
    use_spec = Signal(dict)  # make this spec the project's

    def __init__(self, spec: RunSpec, runs_root: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Hyperparameter sweep")
        self.setObjectName("sweepDialog")
        self.resize(980, 640)
        self.spec, self.runs_root = spec, Path(runs_root)
        self.runner: Sweep | None = None
        self._thread: QThread | None = None
        self.results: list = []
        lay = QVBoxLayout(self)

        lay.addWidget(QLabel("<b>Search</b> — each trial is an ordinary run of the project's spec with these "
                             "values set (Optuna picks them)"))
        self.rows_box = QVBoxLayout()
        lay.addLayout(self.rows_box)
        self.rows: list[SearchRow] = []
        offered = suggestions(spec)
        for data in offered[:2]:
            self.add_row(data)
        add = QPushButton("Add parameter ▾")
        menu = QMenu(add)
        for data in offered:
            menu.addAction(data["path"], partial(self.add_row, data))
        menu.addAction("Another spec path…", lambda: self.add_row({"path": "", "distribution": "uniform",
                                                                   "low": 0, "high": 1}))
        add.setMenu(menu)
        self.add_button = add
        lay.addWidget(add, 0, Qt.AlignmentFlag.AlignLeft)

        form = QFormLayout()
        self.name = QLineEdit(self._default_name())
        self.trials = QSpinBox(minimum=1, maximum=10_000, value=12)
        self.jobs = QSpinBox(minimum=1, maximum=64, value=1)
        self.jobs.setToolTip("Trials trained at once (each in its own process)")
        self.metric_box = QComboBox()
        names = logged_metrics(list(spec.training.metrics))
        self.metric_box.addItems([f"val_{n}" for n in names] + names if spec.data.validation_split else names)
        self.direction = QComboBox()
        self.direction.addItems(["minimize", "maximize"])
        self.metric_box.currentTextChanged.connect(self._metric_changed)
        self._metric_changed(self.metric_box.currentText())
        self.pruner = QComboBox()
        self.pruner.addItems(PRUNERS)
        self.pruner.setToolTip("Stop trials that are doing worse than the median of the others at the same epoch")
        for label, w in (("Name", self.name), ("Trials", self.trials), ("At once", self.jobs),
                         ("Metric", self.metric_box), ("Direction", self.direction), ("Pruner", self.pruner)):
            form.addRow(label, w)
        lay.addLayout(form)
        # without held-out data the only score is the training loss, which rewards the trial that memorises best
        self.metric_note = QLabel("No validation split: this sweep can only rank trials by their training loss, "
                                  "which favours the one that memorises the data best. Hold out a validation split "
                                  "in Setup ▸ Training to rank them by val_loss instead.", wordWrap=True)
        self.metric_note.setStyleSheet(f"color: {theme.colors().accent};")
        self.metric_note.setVisible(not spec.data.validation_split)
        lay.addWidget(self.metric_note)
        self.problem = QLabel(wordWrap=True)
        self.problem.setStyleSheet(f"color: {theme.colors().error};")
        lay.addWidget(self.problem)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["trial", "state", "value", "parameters"])
        header = self.table.horizontalHeader()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        split.addWidget(self.table)
        import pyqtgraph as pg

        self.best_plot = pg.PlotWidget(background=theme.colors().background, title="best so far")
        self.best_plot.setLabel("bottom", "trials ended")
        self.best_curve = self.best_plot.plot([], [], pen=pg.mkPen(theme.colors().series[0], width=2),
                                              symbol="o", symbolSize=6)
        self.scatter_plot = pg.PlotWidget(background=theme.colors().background)
        for plot in (self.best_plot, self.scatter_plot):  # "loss (x0.001)" reads worse than 0.004
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.scatter = pg.ScatterPlotItem(size=9)
        self.scatter_plot.addItem(self.scatter)
        split.addWidget(self.best_plot)
        split.addWidget(self.scatter_plot)
        split.setSizes([420, 260, 260])
        lay.addWidget(split, 1)

        buttons = QHBoxLayout()
        self.status = QLabel()
        buttons.addWidget(self.status, 1)
        self.best_btn = QPushButton("Open best run")
        self.best_btn.clicked.connect(self._open_best)
        self.use_btn = QPushButton("Make the best spec the project")
        self.use_btn.clicked.connect(self._use_best)
        for b in (self.best_btn, self.use_btn):
            b.setEnabled(False)
        self.start_btn = QPushButton("Start")
        self.start_btn.setDefault(True)
        self.start_btn.clicked.connect(self.start)
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.clicked.connect(self.cancel)
        self.cancel_btn.setEnabled(False)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        for b in (self.best_btn, self.use_btn, self.start_btn, self.cancel_btn, close):
            buttons.addWidget(b)
        lay.addLayout(buttons)

    # ------------------------------------------------------------------ the search rows
    def _default_name(self) -> str:
        import re
        import time

        slug = re.sub(r"[^\w.-]+", "-", self.spec.meta.title.lower()).strip("-")[:40] or "sweep"
        return f"{slug}-{time.strftime('%Y%m%d-%H%M%S')}"

    def add_row(self, data: dict[str, Any]) -> SearchRow:
        row = SearchRow(data)
        row.removed.connect(self._remove_row)
        self.rows.append(row)
        self.rows_box.addWidget(row)
        return row

    def _remove_row(self, row: SearchRow) -> None:
        self.rows.remove(row)
        self.rows_box.removeWidget(row)
        row.hide()
        row.deleteLater()  # not setParent(None): the click that asked for this is still inside the row

    def _metric_changed(self, metric: str) -> None:
        lower = any(w in metric for w in ("loss", "mae", "mse", "error"))
        self.direction.setCurrentText("minimize" if lower else "maximize")

    def sweep_spec(self):
        """The sweep the form describes; SweepError naming what does not fit."""
        sweep = parse_sweep({"name": self.name.text().strip(), "spec": self.spec.to_dict(),
                             "search": [r.value() for r in self.rows], "trials": self.trials.value(),
                             "jobs": self.jobs.value(), "metric": self.metric_box.currentText(),
                             "direction": self.direction.currentText(), "pruner": self.pruner.currentText()})
        check_space(sweep, self.spec)
        return sweep

    # ------------------------------------------------------------------ running
    def start(self) -> None:
        from studio.jobs.sweep import Sweep

        try:
            sweep = self.sweep_spec()
        except SweepError as exc:
            self.problem.setText("\n".join(exc.problems))
            return
        self.problem.clear()
        self.results.clear()
        self.table.setRowCount(0)
        self.runs_root.mkdir(parents=True, exist_ok=True)
        self.runner = Sweep(sweep, self.spec, self.runs_root)
        self._worker = _Worker(self.runner)
        self._thread = QThread(self)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.trial.connect(self._on_trial)
        self._worker.epoch.connect(lambda n, e: self.status.setText(f"trial {n}: epoch {e + 1}"))
        self._worker.failed.connect(lambda text: self.problem.setText(text))
        self._worker.done.connect(self._on_done)
        for w in (self.start_btn, self.add_button, *self.rows):
            w.setEnabled(False)
        self.cancel_btn.setEnabled(True)
        self.status.setText(f"Sweep {sweep.name}: starting …")
        self._thread.start()

    def cancel(self) -> None:
        if self.runner is not None and self.running:
            self.runner.cancel.set()
            self.cancel_btn.setEnabled(False)
            self.status.setText("Stopping the running trials …")

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def _on_trial(self, r) -> None:
        self.results.append(r)
        row = self.table.rowCount()
        self.table.insertRow(row)
        params = ", ".join(f"{k.rsplit('.', 1)[-1]} {v:.3g}" if isinstance(v, float) else f"{k.rsplit('.', 1)[-1]} {v}"
                           for k, v in r.params.items())
        for col, text in enumerate((str(r.number), r.state, "" if r.value is None else f"{r.value:.4g}", params)):
            item = QTableWidgetItem(text)
            item.setToolTip(params)
            if r.state != "complete":
                item.setForeground(Qt.GlobalColor.gray)
                item.setToolTip(r.message)
            self.table.setItem(row, col, item)
        self._plot()
        done = sum(x.state in ("complete", "pruned", "failed") for x in self.results)
        self.status.setText(f"{done} of {self.trials.value()} trials")
        self.best_btn.setEnabled(self.best() is not None)
        self.use_btn.setEnabled(self.best() is not None)

    def best(self):
        done = [r for r in self.results if r.state == "complete" and r.value is not None]
        if not done:
            return None
        pick = max if self.direction.currentText() == "maximize" else min
        return pick(done, key=lambda r: r.value)

    def _plot(self) -> None:
        import pyqtgraph as pg

        c = theme.colors()
        # the best value so far after each trial that ended, in the order they ended (pruned ones carry it on)
        better = (lambda a, b: a > b) if self.direction.currentText() == "maximize" else (lambda a, b: a < b)
        xs, ys, best = [], [], None
        for i, r in enumerate(self.results):
            if r.state == "complete" and r.value is not None and (best is None or better(r.value, best)):
                best = r.value
            if best is not None:
                xs.append(i + 1)
                ys.append(best)
        self.best_curve.setData(xs, ys)
        if ys:  # a flat line must not zoom into rounding noise
            lo, hi = min(ys), max(ys)
            pad = max((hi - lo) * 0.1, abs(hi) * 0.1, 1e-6)
            self.best_plot.setYRange(lo - pad, hi + pad, padding=0)
            self.best_plot.setXRange(0.5, max(len(self.results), 1) + 0.5, padding=0)
        self.best_plot.setLabel("left", self.metric_box.currentText())
        first = self.rows[0].value() if self.rows else {"path": "", "distribution": "uniform"}
        log = first["distribution"].startswith("log")  # a log-scale search reads best on a log axis
        spots = []
        for r in self.results:
            v = r.params.get(first["path"])
            if r.value is None or not isinstance(v, (int, float)) or not math.isfinite(r.value) or (log and v <= 0):
                continue
            v = math.log10(v) if log else v
            pruned = r.state == "pruned"
            spots.append({"pos": (v, r.value), "brush": pg.mkBrush(PRUNED_COLOR if pruned else c.series[1]),
                          "symbol": "x" if pruned else "o"})
        self.scatter.setData(spots)
        self.scatter_plot.setTitle("each trial (× pruned)")
        name = first["path"].rsplit(".", 1)[-1]
        self.scatter_plot.setLabel("bottom", f"log10 {name}" if log else name)
        self.scatter_plot.setLabel("left", self.metric_box.currentText())

    def _on_done(self) -> None:
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(5000)
        self.start_btn.setEnabled(True)
        self.add_button.setEnabled(True)
        for r in self.rows:
            r.setEnabled(True)
        self.cancel_btn.setEnabled(False)
        best = self.best()
        stopped = self.runner is not None and self.runner.cancel.is_set()
        what = "Stopped" if stopped else "Done"
        self.status.setText(f"{what}: {len(self.results)} trials" +
                            (f"; best {self.metric_box.currentText()} {best.value:.4g} (trial {best.number})"
                             if best else ""))

    def _open_best(self) -> None:
        best = self.best()
        if best and best.run_dir:
            self.open_run.emit(best.run_dir)

    def _use_best(self) -> None:
        best = self.best()
        spec = read_json(Path(best.run_dir) / SPEC_FILE) if best and best.run_dir else None
        if isinstance(spec, dict):
            spec["meta"] = self.spec.to_dict()["meta"]  # the project keeps its own title, not "… — trial 3: …"
            self.use_spec.emit(spec)
            self.status.setText(f"The project now uses trial {best.number}'s settings (Edit ▸ Undo reverts)")

    def shutdown(self) -> None:
        """Stop the sweep and wait for its thread (the window is closing)."""
        if self.running and self.runner is not None and self._thread is not None:  # running: there is a thread
            self.runner.cancel.set()
            self._thread.quit()
            self._thread.wait(60_000)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.shutdown()
        super().closeEvent(event)

