"""The main window: the assembly of palette, model editor (list and graph), inspector, setup panels, the results
area, runs and log around one Document. It opens without importing a backend; devices are probed in the
background and training runs in a child process through TrainingBridge. What each part does lives in its own
module: the commands in `actions`, the project's files in `project_files`, the results in `results`."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QMainWindow, QMenu, QMessageBox, QSplitter, QTabWidget,
                               QToolBar, QVBoxLayout, QWidget)

from studio.core import events as ev
from studio.core.install_hints import missing_backend
from studio.core.spec import RunSpec
from studio.jobs import devices, workers
from studio.jobs.process import WORKER
from studio.ui import actions, coach_links, code_trust, selection, theme, window_layout
from studio.ui.background import Background
from studio.ui.checker import Checker
from studio.ui.document import Document
from studio.ui.download_check import ready_to_train
from studio.ui.graph_view import GAP_Y, NODE_H, GraphView
from studio.ui.help_menu import HelpActions, unsaved_runs_root
from studio.ui.lesson_guard import LessonGuard
from studio.ui.inspector import Inspector
from studio.ui.log_panel import LogPanel
from studio.ui.model_editor import ModelEditor
from studio.ui.optimizer_code import OptimizerCode
from studio.ui.palette import Palette
from studio.ui.project_files import APP_NAME, ProjectFiles, settings
from studio.ui.results.area import ResultsArea
from studio.ui.run_dialogs import RunDialogs
from studio.ui.run_naming import titled_run_spec
from studio.ui.run_on_menu import RunOnMenu
from studio.ui.runs_panel import RunsPanel
from studio.ui.setup_tabs import SetupTabs
from studio.ui.status_line import StatusLine
from studio.ui.training_bridge import TrainingBridge

if TYPE_CHECKING:  # the result views are made on first need: pyqtgraph is not imported before the first paint
    from studio.ui.boundary_view import BoundaryView
    from studio.ui.evaluation import EvaluationView, TryItPanel
    from studio.ui.plots import PlotsPanel
    from studio.ui.results.curves import CurvesView

__all__ = ["APP_NAME", "MainWindow", "settings"]


class MainWindow(QMainWindow):
    # made from the table in studio.ui.actions (every row is an `act_<id>`); named here for the type checker
    act_train: QAction
    act_pause: QAction
    act_stop: QAction
    act_evaluate: QAction
    act_export: QAction
    recent_menu: QMenu
    preset_menu: QMenu

    def __init__(self, probe_devices: bool = True, worker: str = WORKER, autosave_dir: Path | None = None):
        super().__init__()
        theme.apply_requested()  # KERAS_STUDIO_THEME=dark|light before any widget picks its colours
        self.setWindowTitle(APP_NAME)
        self.resize(1440, 900)
        self.doc = Document(self, autosave_dir=autosave_dir)
        self.background = Background(self)
        self.checker = Checker(self.doc, self.background, self)
        self.bridge = TrainingBridge(self, worker=worker)
        self.files = ProjectFiles(self.doc, self)
        self.dialogs = RunDialogs(self, self)
        self._closing = False

        # ---------------------------------------------------------------- centre: the model is the main surface
        self.editor = ModelEditor(self.doc, self.checker)
        self.graph = GraphView(self.doc, self.checker)
        self.graph.view.setMinimumHeight(2 * NODE_H + GAP_Y + 24)  # two rows of blocks in view, never just one
        self.model_tabs = QTabWidget()
        self.model_tabs.setDocumentMode(True)
        self.model_tabs.addTab(self.graph, "Graph")
        self.model_tabs.addTab(self.editor, "Layers")
        # results below the model: a card until the first run, then headline, progress and the result views
        self.results = ResultsArea(self.doc, self.background)
        r = self.results
        self.controls, self.headline, self.results_toggle, self.empty_state = (r.controls, r.headline,
                                                                                r.results_toggle, r.empty_state)
        self.split = QSplitter(Qt.Orientation.Vertical)
        model_area = QWidget()  # the graph or the layer list, with the problems, their fixes and the totals below
        area_lay = QVBoxLayout(model_area)
        area_lay.setContentsMargins(0, 0, 0, 0)
        area_lay.setSpacing(0)
        area_lay.addWidget(self.model_tabs, 1)
        area_lay.addWidget(self.editor.footer)
        self.split.addWidget(model_area)
        self.split.addWidget(self.results)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 0)
        self.split.setCollapsible(0, False)
        self.setCentralWidget(self.split)
        self.results.show_results(False)

        # ---------------------------------------------------------------- docks
        self.block_palette = Palette()  # not `palette`: that is QWidget.palette()
        self.runs = RunsPanel()
        self.inspector = Inspector(self.doc)
        self.setup_tabs = t = SetupTabs(self.doc, self.checker, self.background)
        self.data_panel, self.optimizer_panel, self.regularization_panel = (t.data_panel, t.optimizer_panel,
                                                                            t.regularization_panel)
        self.augmentation_panel, self.training_panel = t.augmentation_panel, t.training_panel
        self.lesson_guard = LessonGuard(self.doc, t, self)  # a lesson's locked and hidden settings
        self.log = LogPanel()
        self.docks: dict[str, QDockWidget] = {}
        self._dock("Blocks", self.block_palette, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._dock("Runs", self.runs, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.tabifyDockWidget(self.docks["Blocks"], self.docks["Runs"])
        self.docks["Blocks"].raise_()
        self._dock("Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("Setup", self.setup_tabs, Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("Log", self.log, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.optimizer_code = OptimizerCode(self.doc, self.background)  # View ▸ Optimizer code: a custom one
        self._dock("Optimizer code", self.optimizer_code, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.docks["Optimizer code"].hide()  # shows itself when the optimizer becomes custom
        self.docks["Log"].hide()  # opens itself on a warning or an error (View ▸ Log any time)
        # wide enough for all five setup tabs in view
        self.resizeDocks([self.docks["Blocks"], self.docks["Inspector"]], [230, 475], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["Inspector"], self.docks["Setup"]], [260, 600], Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["Log"]], [90], Qt.Orientation.Vertical)

        self._commands()
        self.status_line = StatusLine(self.checker, self.statusBar())
        self.status_totals = self.status_line.totals
        self._wire()
        self.doc.refresh_all()  # first report
        self._title()
        self._runs_root_changed()
        if probe_devices:
            self._probe_devices()

    # ------------------------------------------------------------------ building
    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> None:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks[title] = dock

    def _commands(self) -> None:
        """The menus, the toolbar and their actions, from the table in studio.ui.actions."""
        self.run_on_menu = RunOnMenu(self.bridge, settings(), self)
        self.help = HelpActions(self)  # Help ▸ Course, Glossary (and the gallery, which shows the course)
        tb = self.toolbar = QToolBar("Main")
        tb.setObjectName("toolbar_main")
        tb.setMovable(False)
        actions.install(self, self.menuBar(), tb, {
            **self.editor.actions_by_name, "docks": [d.toggleViewAction() for d in self.docks.values()],
            "run_on": self.run_on_menu, "picker": self.training_panel.picker})  # one backend/device picker
        self.files.fill_menus(self.recent_menu, self.preset_menu)
        self.train_button = tb.widgetForAction(self.act_train)
        self.train_button.setObjectName("trainButton")
        self._accent_train()
        self.addToolBar(tb)

    def _wire(self) -> None:
        d = self.doc
        d.dirty_changed.connect(lambda _d: self._title())
        d.path_changed.connect(self._title)
        d.path_changed.connect(self._runs_root_changed)
        self.block_palette.add_requested.connect(self.editor.add_block)
        # the editor's shortcuts (Ctrl+E, Ctrl+D, copy, paste, Alt+arrows …) work in the graph too, on the blocks
        # selected there; Delete goes through the graph first, which removes a selected connection itself
        self.graph.addActions([a for name, a in self.editor.actions_by_name.items() if name != "delete"])
        self.graph.delete_requested.connect(self.editor.delete)
        selection.link(self.editor, self.graph, self.inspector, self.results, self.files)

        def model_available(ok: bool) -> None:  # Evaluate and Export are about the model run
            self.act_evaluate.setEnabled(ok)
            self.act_export.setEnabled(ok)

        for w in (self.editor, self.graph, *self.setup_tabs.panels(), self.optimizer_code):
            w.message.connect(self.show_message)
        b = self.bridge
        b.events.connect(self.results.on_event)
        b.state_changed.connect(self.controls.set_state)
        b.state_changed.connect(self._state)
        b.started.connect(self.controls.on_started)
        b.batch.connect(self.controls.on_batch)
        b.log.connect(self._child_log)
        b.ended.connect(self._ended)
        self.results.model_available.connect(model_available)
        self.controls.train_clicked.connect(self.train)
        self.controls.pause_clicked.connect(self.bridge.pause)
        self.controls.resume_clicked.connect(self.bridge.resume)
        self.controls.stop_clicked.connect(self.bridge.stop)
        self.files.opened.connect(lambda _path: self.results.reset())  # the last project's run is not this one's
        self.runs.show_run.connect(self.show_run)
        self.runs.compare.connect(self.compare_runs)
        self.runs.compare_seeds.connect(self.dialogs.open_seed_compare)  # the seeds box above 1
        self.runs.continue_from.connect(self.continue_from_run)
        self.runs.open_table.connect(self.dialogs.open_run_table)
        coach_links.connect(self)  # what the coach's cards ask of the window
        theme.on_change(self._theme_changed)
        self._state("idle")

    # ------------------------------------------------------------------ status
    def _title(self) -> None:
        self.setWindowTitle(f"{self.doc.title}[*] — {APP_NAME}")  # Qt draws the * while modified
        self.setWindowModified(self.doc.dirty)

    def show_message(self, text: str, ms: int = 8000) -> None:
        self.statusBar().showMessage(text.splitlines()[0] if text else "", ms)
        if text:
            self.log.add("warning", text)

    def _state(self, state: str) -> None:
        self.act_train.setEnabled(state == "idle")
        self.act_pause.setEnabled(state in ("running", "paused"))
        self.act_stop.setEnabled(state in ("starting", "running", "paused"))
        self.act_pause.setText("&Resume" if state == "paused" else "&Pause")

    def _theme_changed(self) -> None:
        self.results.apply_theme()
        self._accent_train()
        self.doc.refresh_all()

    def _accent_train(self) -> None:
        c = theme.colors()
        self.train_button.setStyleSheet(
            f"QToolButton#trainButton {{ background: {c.accent}; color: {'#0b1a2b' if c.dark else 'white'};"
            " font-weight: bold;"
            " border-radius: 4px; padding: 3px 14px; }"
            f" QToolButton#trainButton:disabled {{ background: {c.grid}; color: {c.muted}; }}")

    def _child_log(self, level: str, message: str) -> None:
        self.log.add(level, message)
        if level in ("warning", "error"):
            self.docks["Log"].show()  # hidden until there is something to read

    def report_unexpected(self, summary: str, details: str) -> None:
        """An error the app did not foresee (see studio.ui.errors): say so plainly, keep the details."""
        self.log.add("error", f"Something went wrong inside Keras Studio ({summary}). Your project is kept; "
                              "if this repeats, please report it with the details below.")
        self.log.add("detail", details)
        self.docks["Log"].show()
        self.statusBar().showMessage("Something went wrong; see the log for details", 10_000)

    # ------------------------------------------------------------------ the result views, by key
    @property
    def result_tabs(self) -> QTabWidget:
        return self.results.tabs

    @property
    def plots(self) -> PlotsPanel:
        return cast("CurvesView", self.results.view("curves")).plots

    @property
    def evaluation(self) -> EvaluationView:
        return cast("EvaluationView", self.results.view("evaluation"))

    @property
    def try_it(self) -> TryItPanel:
        return cast("TryItPanel", self.results.view("try_it"))

    @property
    def boundary(self) -> BoundaryView:
        return cast("BoundaryView", self.results.view("boundary"))

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self.results.fit()  # sizes given before the first show are only weights; give them again

    # ------------------------------------------------------------------ devices and files
    def _probe_devices(self) -> None:
        for backend in devices.installed_backends():
            self.background.submit(partial(devices.probe, backend),
                                   lambda info: self.training_panel.set_devices(info.backend, info.devices,
                                                                                info.error))

    def open_file(self, path, as_template: bool = False, ask: bool = True) -> bool:
        return self.files.open_file(path, as_template, ask)

    def new_project(self) -> None:
        self.files.new_project()

    def offer_recovery(self) -> bool:
        return self.files.offer_recovery()

    # ------------------------------------------------------------------ runs
    def runs_root(self) -> Path:
        if self.doc.path is not None:
            return self.doc.path.parent / "runs"
        return unsaved_runs_root()

    def _runs_root_changed(self) -> None:
        self.runs.set_root(self.runs_root())

    def continue_from_run(self, run_dir: str) -> None:
        """The next training starts from this run's model (Training ▸ Start from shows it and can clear it)."""
        model = Path(run_dir) / "model.keras"
        if not model.is_file():
            model = Path(run_dir) / "best.keras"
        if not model.is_file():
            self.show_message(f"{Path(run_dir).name} has no saved model to continue from")
            return
        if self.training_panel.set_start_from(str(model)):
            self.setup_tabs.show_panel(self.training_panel)  # where it shows
            self.statusBar().showMessage(f"The next training continues from {Path(run_dir).name}; press Train",
                                         8000)

    def evaluate_model_file(self) -> None:
        """Evaluate any .keras file (opened in safe mode, in a child) on this project's data."""
        path, _ = QFileDialog.getOpenFileName(self, "Evaluate a model file", "", "Keras models (*.keras)")
        if path:
            self.evaluation.evaluate_run(path, spec=self.doc.view())
            self.results.show_results(True)
            self.results.show_view("evaluation")

    def compare_runs(self, run_dirs: list[str]) -> None:
        if self.bridge.running:
            self.show_message("Wait for the training to end (or stop it) to compare runs")
            return
        from studio.ui.run_compare import compare_runs

        titles = compare_runs(self.plots, run_dirs)
        if len(titles) < 2:
            self.show_message("Choose two or more runs that recorded epochs to compare them")
            return
        self.results.show_results(True)
        self.headline.clear()
        self.results.coach.clear()
        self.results.show_view("curves")
        self.statusBar().showMessage(f"Comparing {len(titles)} runs: " + ", ".join(titles), 8000)

    def show_run(self, run_dir: str) -> None:
        if self.bridge.running:
            self.show_message("Wait for the training to end (or stop it) to look at another run")
            return
        if not self.plots.load_run(run_dir):
            self.show_message(f"{Path(run_dir).name} has no recorded epochs to show")
            return
        self.results.show_run(run_dir)
        self.statusBar().showMessage(f"Showing {Path(run_dir).name}", 5000)

    def evaluate_result_run(self) -> None:
        if self.results.model.run_dir:
            self.evaluation.evaluate_run(self.results.model.run_dir)
            self.results.show_view("evaluation")

    def export_result_run(self) -> None:
        if self.results.model.run_dir:
            self.dialogs.open_export(self.results.model.run_dir)

    def open_gallery(self) -> None:
        self.help.gallery()

    # ------------------------------------------------------------------ training
    def train(self) -> None:
        if self.bridge.running:
            return
        report = self.checker.report
        if not report.ok:
            first = report.errors()[0]
            self.show_message(f"Fix the model first: {first}")
            QMessageBox.information(self, APP_NAME, "The model has problems to fix before training:\n\n"
                                    + "\n".join(report.errors()[:8]))
            return
        if not ready_to_train(self, self.doc):  # a dataset to download: offer the offline fix first
            return
        self.start_training(titled_run_spec(self.doc))  # "Lab — sgd, lr 0.01": named by what differs

    def start_training(self, spec: RunSpec) -> None:
        """Start a run of `spec` (checked already) when its backend is here, and show it as it trains."""
        local = not self.bridge.ray_address  # a Ray cluster installs the backend itself
        if local and spec.training.backend not in devices.installed_backends():
            problem = missing_backend(spec.training.backend, devices.installed_backends(), cli=False)
            QMessageBox.warning(self, APP_NAME, problem[0].upper() + problem[1:] + " in the toolbar.")
            return
        if (allowed := code_trust.allowed_code(self, self.doc, spec)) is None:  # your own code: asked once a folder
            return
        spec, code = allowed
        try:
            root = self.runs_root()
            root.mkdir(parents=True, exist_ok=True)
            self.plots.setup(["loss", *spec.training.metrics])  # the run's curves, named before its child starts
            self.headline.clear()
            self.results.show_results(True)
            self.bridge.start(spec, root, code)
        except OSError as exc:
            QMessageBox.warning(self, APP_NAME, f"Cannot create the run directory in {self.runs_root()}:\n{exc}")
            return
        self.runs.refresh()

    def pause_resume(self) -> None:
        if self.bridge.state == "paused":
            self.bridge.resume()
        else:
            self.bridge.pause()

    def _ended(self, e: ev.Finished | ev.Stopped | ev.Failed) -> None:
        self.controls.on_end(e)
        self.runs.refresh()
        if isinstance(e, ev.Failed):
            self.statusBar().showMessage(f"Training failed: {e.message}", 15000)
            self.log.add("error", f"Training failed: {e.message}")
            self.docks["Log"].show()
            if not self._closing:
                box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, f"Training failed.\n\n{e.message}",
                                  QMessageBox.StandardButton.Ok, self)
                box.setDetailedText(e.details or "")
                box.setObjectName("trainingFailedBox")
                box.open()  # not exec(): the window keeps running while the message shows
                self._failed_box = box
        else:
            self.statusBar().showMessage(f"Training {e.kind.lower()}: {getattr(e, 'run_dir', '')}", 10000)

    # ------------------------------------------------------------------ closing
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.bridge.running:
            answer = QMessageBox.question(self, APP_NAME, "A training is running. Stop it and quit?",
                                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        if not self.files.maybe_save():
            event.ignore()
            return
        self.shutdown()
        window_layout.save(self)
        event.accept()

    def restore_layout(self) -> None:
        window_layout.restore(self)

    def shutdown(self) -> None:
        """Stop every timer, thread and child this window started (idempotent)."""
        self._closing = True
        self.bridge.shutdown()
        self.results.shutdown()
        self.dialogs.shutdown()
        self.data_panel.shutdown()
        self.augmentation_panel.shutdown()
        self.doc.shutdown()
        # reaching here means the user saved or chose to discard; only a crash leaves an autosave behind
        self.doc.discard_autosave()
        self.background.shutdown()
        workers.shutdown()  # no warm backend worker outlives the app

    def show_about(self) -> None:
        from studio.ui.about import AboutDialog

        AboutDialog(self).open()
