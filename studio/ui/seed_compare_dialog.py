"""Compare over seeds, in the app: the selected runs' specs each trained with N seeds of their own (Runs ▸ Compare
with the seeds box above 1), then one row per arm (final and best metric, mean ± std) and one verdict per pair,
"larger than seed noise" or "within seed noise", with each arm drawn as its mean curve over a min–max band.

The comparison is studio.jobs.seed_compare (the sweep machinery: the project's sweeps storage, `At once` runs in
parallel, a rerun resumes), run on a worker thread that only emits signals. When it ends, the main window's curves
show every metric the same way (`show_arms`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from studio.core.runs import read_metrics
from studio.core.seed_compare import MAX_SEEDS, MIN_SEEDS, Comparison
from studio.core.spec import RunSpec, SpecError
from studio.core.sweep_spec import SweepError
from studio.ui import theme

if TYPE_CHECKING:
    from studio.jobs.seed_compare import SeedCompare

BANDS = {"min–max": "minmax", "± 1 std": "std"}


class _Worker(QObject):
    trial = Signal(object)  # TrialResult
    failed = Signal(str)
    done = Signal(object)  # Comparison, or None after a failure

    def __init__(self, runner: SeedCompare):
        super().__init__()
        self.runner = runner
        runner.sweep.on_trial = self.trial.emit

    def run(self) -> None:
        result = None
        try:
            result = self.runner.run()
        except (SweepError, SpecError, OSError) as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - a storage problem must not end the thread silently
            self.failed.emit(f"{type(exc).__name__}: {exc}")
        finally:
            self.done.emit(result)


class SeedCompareDialog(QDialog):
    show_arms = Signal(list, list, list)  # run directories, a label per arm, the run indices of each arm

    def __init__(self, arms: list[RunSpec], labels: list[str], seeds: int, runs_root: Path,
                 worker: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Compare over seeds")
        self.setObjectName("seedCompareDialog")
        self.resize(1000, 640)
        self.arms, self.labels, self.runs_root, self.worker = arms, labels, Path(runs_root), worker
        self.runner: SeedCompare | None = None
        self.comparison: Comparison | None = None
        self._thread: QThread | None = None
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"<b>{len(arms)} specs</b>, each trained with seeds of its own; a difference counts "
                             "when its 95 % interval (Welch) leaves out zero"))
        form = QFormLayout()
        self.seeds = QSpinBox(minimum=MIN_SEEDS, maximum=MAX_SEEDS, value=max(seeds, MIN_SEEDS))
        self.seeds.setToolTip("Runs per spec: 3 or more make the verdict worth reading, 5 make it firmer")
        self.jobs = QSpinBox(minimum=1, maximum=64, value=1)
        self.jobs.setToolTip("Runs trained at once (each in its own process)")
        self.metric_box = QComboBox()
        self.metric_box.addItems(self._metrics())
        self.band_box = QComboBox()
        self.band_box.addItems(list(BANDS))
        self.band_box.currentTextChanged.connect(lambda _t: self._plot())
        for label, w in (("Seeds", self.seeds), ("At once", self.jobs), ("Judged on", self.metric_box),
                         ("Band", self.band_box)):
            form.addRow(label, w)
        top = QHBoxLayout()
        top.addLayout(form)
        import pyqtgraph as pg

        self.plot = pg.PlotWidget(background=theme.colors().background)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setLabel("bottom", "epoch")
        self.legend = self.plot.addLegend(offset=(-5, 5), labelTextSize="8pt")
        top.addWidget(self.plot, 1)
        lay.addLayout(top, 1)
        self.table = QTableWidget(0, 5)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.table)
        self.verdicts = QTableWidget(0, 4)
        self.verdicts.setHorizontalHeaderLabels(["pair", "figure", "difference (95 % interval)", "verdict"])
        self.verdicts.verticalHeader().hide()
        self.verdicts.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.verdicts.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.verdicts.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.verdicts)
        self.problem = QLabel(wordWrap=True)
        self.problem.setStyleSheet(f"color: {theme.colors().error};")
        lay.addWidget(self.problem)
        buttons = QHBoxLayout()
        self.status = QLabel()
        buttons.addWidget(self.status, 1)
        self.start_btn = QPushButton("Start")
        self.start_btn.setDefault(True)
        self.start_btn.clicked.connect(self.start)
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setEnabled(False)
        self.cancel_btn.clicked.connect(self.cancel)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        for b in (self.start_btn, self.cancel_btn, close):
            buttons.addWidget(b)
        lay.addLayout(buttons)
        self._fill_table(None)

    def _metrics(self) -> list[str]:
        from studio.core.spec import logged_metrics

        names = ["loss", *[n for n in logged_metrics(list(self.arms[0].training.metrics)) if n != "loss"]]
        if all(a.data.validation_split > 0 for a in self.arms):
            return [f"val_{n}" for n in names] + names
        return names

    # ------------------------------------------------------------------ running
    def start(self) -> None:
        from studio.jobs.process import WORKER, TrainingProcess
        from studio.jobs.seed_compare import SeedCompare

        worker = self.worker or WORKER

        def start_run(spec: RunSpec, root: Path) -> TrainingProcess:
            return TrainingProcess(spec, root, worker=worker)

        try:
            self.runs_root.mkdir(parents=True, exist_ok=True)
            self.runner = SeedCompare(self.arms, self.seeds.value(), self.runs_root, labels=self.labels,
                                      metric=self.metric_box.currentText(), jobs=self.jobs.value(),
                                      start_run=start_run)
        except (SweepError, OSError) as exc:
            self.problem.setText(str(exc))
            return
        self.problem.clear()
        self._done = 0
        self._worker = _Worker(self.runner)
        self._thread = QThread(self)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.trial.connect(self._on_trial)
        self._worker.failed.connect(self.problem.setText)
        self._worker.done.connect(self._on_done)
        for w in (self.start_btn, self.seeds, self.jobs, self.metric_box):
            w.setEnabled(False)
        self.cancel_btn.setEnabled(True)
        self.status.setText(f"Training {len(self.arms)} × {self.seeds.value()} runs ({self.runner.name}) …")
        self._thread.start()

    def _on_trial(self, r: Any) -> None:
        self._done += 1
        total = len(self.arms) * self.seeds.value()
        label = self.runner.label_of(r.params) if self.runner else ""
        self.status.setText(f"{self._done} of {total} runs ended (last: {label}, seed {r.params.get('training.seed')}: "
                            f"{r.state})")

    def cancel(self) -> None:
        if self.runner is not None and self.running:
            self.runner.cancel.set()
            self.cancel_btn.setEnabled(False)
            self.status.setText("Stopping the running trainings (Start again resumes) …")

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def _on_done(self, comparison: Comparison | None) -> None:
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(5000)
        for w in (self.start_btn, self.seeds, self.jobs, self.metric_box):
            w.setEnabled(True)
        self.cancel_btn.setEnabled(False)
        if comparison is None:
            self.status.setText("Not compared")
            return
        self.show_comparison(comparison)
        stopped = self.runner is not None and self.runner.cancel.is_set()
        self.status.setText(("Stopped: " if stopped else "Done: ") + f"{comparison.name}, table in "
                            f"{self.runner.table_path if self.runner else ''}")
        runs = [r for a in comparison.arms for r in a.runs]
        if runs:
            arms, n = [], 0
            for a in comparison.arms:
                arms.append(list(range(n, n + len(a.runs))))
                n += len(a.runs)
            self.show_arms.emit(runs, [a.label for a in comparison.arms], arms)

    # ------------------------------------------------------------------ showing
    def show_comparison(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self._fill_table(comparison)
        pairs = comparison.pairs()
        self.verdicts.setRowCount(0)
        c = theme.colors()
        for p in pairs:
            a, b = comparison.arms[p.a].label, comparison.arms[p.b].label
            for what, v in (("final", p.final), ("best", p.best)):
                row = self.verdicts.rowCount()
                self.verdicts.insertRow(row)
                better = comparison.better(p, v)
                interval = "—" if v.reason else f"{v.difference:+.3g}  [{v.low:+.3g}, {v.high:+.3g}]"
                words = v.words + (f" ({better} is better)" if better else "")
                for col, text in enumerate((f"{b} − {a}", f"{what} {comparison.metric}", interval, words)):
                    item = QTableWidgetItem(text)
                    if col == 3 and v.larger:
                        item.setForeground(Qt.GlobalColor.darkGreen if c.background.lower() > "#8" else
                                           Qt.GlobalColor.green)
                        font = item.font()
                        font.setBold(True)
                        item.setFont(font)
                    self.verdicts.setItem(row, col, item)
        fit_rows(self.verdicts)
        self._plot()

    def _fill_table(self, comparison: Comparison | None) -> None:
        metric = self.metric_box.currentText()
        headers = comparison.headers() if comparison else ["arm", "seeds", f"final {metric}", f"best {metric}",
                                                            "min – max (final)"]
        self.table.setHorizontalHeaderLabels(headers)
        rows = comparison.rows() if comparison else [[label, f"0/{self.seeds.value()}", "—", "—", "—"]
                                                     for label in self.labels]
        self.table.setRowCount(len(rows))
        colors = theme.colors().series
        for r, cells in enumerate(rows):
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setForeground(pg_color(colors[r % len(colors)]))
                self.table.setItem(r, col, item)
        fit_rows(self.table)

    def _plot(self) -> None:
        from studio.ui.run_compare import draw_band

        self.plot.clear()
        self.legend.clear()
        comparison = self.comparison
        if comparison is None:
            return
        metric, kind = comparison.metric, BANDS[self.band_box.currentText()]
        colors = theme.colors().series
        self.plot.setLabel("left", metric)
        self.plot.setTitle(f"{metric}: mean over the seeds, band {self.band_box.currentText()}")
        for i, arm in enumerate(comparison.arms):
            cols = [read_metrics(r) for r in arm.runs]
            curves = [c[metric] for c in cols if metric in c]
            if not curves:
                continue
            x = max((c.get("epoch", []) for c in cols), key=len)
            line = draw_band(self.plot.getPlotItem(), x, curves, colors[i % len(colors)], kind)
            self.legend.addItem(line, f"{arm.label} (n={len(curves)})")

    def shutdown(self) -> None:
        if self.running and self.runner is not None and self._thread is not None:
            self.runner.cancel.set()
            self._thread.quit()
            self._thread.wait(60_000)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.shutdown()
        super().closeEvent(event)


def fit_rows(table: QTableWidget) -> None:
    """As tall as its rows (the plot above takes the rest of the height), never an empty grey area."""
    table.resizeRowsToContents()
    rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
    table.setFixedHeight(table.horizontalHeader().sizeHint().height() + rows + 2 * table.frameWidth() + 2)


def pg_color(hex_color: str):
    from PySide6.QtGui import QColor

    return QColor(hex_color)
