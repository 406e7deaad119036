"""The windows the Run menu and the Runs dock open beside the main window: the run table, a sweep, a backend
shoot-out and an export. Each is made on demand (its module imported then), kept while open, and shut down with
the main window; what they pick (a run to show, runs to compare, a spec to use) goes back to the window."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from studio.core.spec import SpecError
from studio.jobs import devices
from studio.ui.checker import Checker
from studio.ui.document import Document
from studio.ui.runs_panel import RunsPanel

if TYPE_CHECKING:
    from studio.ui.plots import PlotsPanel
    from studio.ui.results.area import ResultsArea
    from studio.ui.training_bridge import TrainingBridge
    from studio.ui.evaluation import ExportDialog
    from studio.ui.run_table import RunTable
    from studio.ui.seed_compare_dialog import SeedCompareDialog
    from studio.ui.shootout_dialog import ShootoutDialog
    from studio.ui.sweep_dialog import SweepDialog


class Host(Protocol):
    """What the dialogs need of the main window."""

    doc: Document
    checker: Checker
    runs: RunsPanel

    def runs_root(self) -> Path: ...
    def show_message(self, text: str, ms: int = 8000) -> None: ...
    def show_run(self, run_dir: str) -> None: ...
    def compare_runs(self, run_dirs: list[str]) -> None: ...

    @property
    def bridge(self) -> TrainingBridge: ...
    @property
    def plots(self) -> PlotsPanel: ...
    @property
    def results(self) -> ResultsArea: ...


class RunDialogs(QObject):
    def __init__(self, host: Host, window: QWidget):
        super().__init__(window)
        self.host, self.window = host, window
        self.run_table: RunTable | None = None
        self.sweep_dialog: SweepDialog | None = None
        self.shootout_dialog: ShootoutDialog | None = None
        self.export_dialog: ExportDialog | None = None
        self.seed_dialog: SeedCompareDialog | None = None

    def _root(self) -> Path:
        h = self.host
        return h.runs.root or h.runs_root()  # the folder the Runs dock shows

    def open_run_table(self) -> None:
        from studio.ui.run_table import RunTable

        w = self.host
        table = self.run_table = RunTable(self._root(), self.window)
        table.compare.connect(w.compare_runs)
        table.show_run.connect(w.show_run)
        table.changed.connect(w.runs.refresh)
        table.finished.connect(table.deleteLater)
        table.show()

    def open_sweep(self) -> None:
        from studio.ui.sweep_dialog import SweepDialog

        w = self.host
        report = w.checker.report
        if not report.ok:
            w.show_message(f"Fix the model before a sweep: {report.errors()[0]}")
            return
        try:
            spec = w.doc.run_spec
        except SpecError as exc:
            w.show_message(f"The spec cannot run: {exc.problems[0]}")
            return
        dialog = self.sweep_dialog = SweepDialog(spec, self._root(), self.window)
        dialog.open_run.connect(w.show_run)
        dialog.use_spec.connect(self._use_spec)
        dialog.finished.connect(w.runs.refresh)
        dialog.show()

    def _use_spec(self, spec: dict) -> None:
        """Make `spec` the project's (one undoable edit)."""
        def replace(s: dict) -> None:
            s.clear()
            s.update(spec)
        self.host.doc.patch(replace, "Use the best trial's settings")

    def open_shootout(self) -> None:
        from studio.ui.shootout_dialog import ShootoutDialog

        w = self.host
        dialog = self.shootout_dialog = ShootoutDialog(w.doc, self._root(), devices.installed_backends(),
                                                       self.window)
        dialog.compare.connect(w.compare_runs)
        dialog.compare.connect(lambda _runs: w.runs.refresh())
        dialog.finished.connect(lambda _result: setattr(self, "shootout_dialog", None))
        dialog.finished.connect(dialog.deleteLater)
        dialog.show()

    def open_seed_compare(self, run_dirs: list[str], seeds: int) -> None:
        """Compare with the seeds box above 1: the selected runs' specs, each to train with `seeds` seeds."""
        from studio.core.run_names import legend_labels
        from studio.core.runs import SPEC_FILE, read_json, read_run
        from studio.core.spec import parse_spec
        from studio.ui.run_compare import short_labels
        from studio.ui.seed_compare_dialog import SeedCompareDialog

        w = self.host
        specs, titles, arms = [], [], []
        for d in run_dirs:
            data = read_json(Path(d) / SPEC_FILE, None)
            try:
                arms.append(parse_spec(data, f"{Path(d).name}/{SPEC_FILE}"))
            except SpecError as exc:
                w.show_message(f"{Path(d).name} cannot be trained again: {exc.problems[0] if exc.problems else exc}")
                return
            specs.append(data)
            info = read_run(Path(d))
            titles.append((info.title if info else "") or Path(d).name)
        if self.seed_dialog is not None and self.seed_dialog.running:
            self.seed_dialog.raise_()
            w.show_message("A comparison over seeds is still training; cancel it or wait for it")
            return
        dialog = self.seed_dialog = SeedCompareDialog(arms, legend_labels(specs, short_labels(titles)), seeds,
                                                      self._root(), worker=w.bridge.worker, parent=self.window)
        dialog.show_arms.connect(self._show_arms)
        dialog.finished.connect(lambda _r: w.runs.refresh())
        dialog.show()

    def _show_arms(self, run_dirs: list[str], labels: list[str], arms: list[list[int]]) -> None:
        """A finished comparison over seeds in the main window's curves: every metric, each arm a band."""
        from studio.ui.run_compare import compare_runs

        w = self.host
        w.runs.refresh()
        if w.bridge.running:
            return  # the live curves stay; the dialog shows the comparison
        compare_runs(w.plots, run_dirs, labels, arms)
        w.results.show_results(True)
        w.results.show_view("curves")

    def open_export(self, run_dir: str) -> None:
        from studio.ui.evaluation import ExportDialog

        self.export_dialog = ExportDialog(run_dir, self.window)
        self.export_dialog.open()

    def shutdown(self) -> None:
        """The dialogs' own children (an export check, a sweep or a shoot-out still training) end with the app."""
        for dialog in (self.export_dialog, self.sweep_dialog, self.shootout_dialog, self.seed_dialog):
            if dialog is not None:
                dialog.shutdown()
