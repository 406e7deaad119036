"""The main window: palette, model editor (list and graph), inspector, setup panels, run controls, plots,
runs and log around one Document. It opens without importing a backend; devices are probed in the
background and training runs in a child process through TrainingBridge."""

from __future__ import annotations

import time
from pathlib import Path
from functools import partial
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QComboBox, QDockWidget, QFileDialog, QHBoxLayout, QLabel, QMainWindow, QMessageBox,
                               QScrollArea, QSplitter, QStackedWidget, QTabWidget, QToolBar, QToolButton, QVBoxLayout,
                               QWidget)

from studio.core import events as ev
from studio.core.install_hints import missing_backend
from studio.core.presets import list_presets
from studio.core.shapes import fmt
from studio.core.spec import SpecError
from studio.jobs import devices, workers
from studio.jobs.process import WORKER
from studio.ui.run_on_menu import RunOnMenu
from studio.ui.training_bridge import TrainingBridge
from studio.ui import theme
from studio.ui.background import Background
from studio.ui.checker import Checker
from studio.ui.document import Document
from studio.ui.download_check import ready_to_train
from studio.ui.empty_state import EmptyState
from studio.ui.gallery import PresetGallery
from studio.ui.graph_view import GraphView
from studio.ui.inspector import Inspector
from studio.ui.log_panel import LogPanel
from studio.ui.model_editor import ModelEditor
from studio.ui.palette import Palette
from studio.ui.panels.augmentation_panel import AugmentationPanel
from studio.ui.panels.data_panel import DataPanel
from studio.ui.panels.optimizer_panel import OptimizerPanel
from studio.ui.panels.regularization_panel import RegularizationPanel
from studio.ui.panels.training_panel import TrainingPanel
from studio.ui.result_headline import ResultHeadline
from studio.ui.run_controls import RunControls
from studio.ui.run_naming import titled_run_spec
from studio.ui.runs_panel import RunsPanel

if TYPE_CHECKING:  # built on first need (see `result_tabs`): pyqtgraph is not imported before the first paint
    from studio.ui.boundary_view import BoundaryView
    from studio.ui.evaluation import EvaluationView, TryItPanel
    from studio.ui.plots import PlotsPanel

APP_NAME = "Keras Studio"
MAX_RECENT = 8
QWIDGETSIZE_MAX = 16_777_215  # Qt's "no maximum"
EMPTY_RESULTS_H = 120  # the results area before any run: the card, not half the window
FILE_FILTER = "Run specs (*.json);;All files (*)"


def settings() -> QSettings:
    return QSettings("KerasStudio", "Keras Studio")


class MainWindow(QMainWindow):
    def __init__(self, probe_devices: bool = True, worker: str = WORKER, autosave_dir: Path | None = None):
        super().__init__()
        theme.apply_requested()  # KERAS_STUDIO_THEME=dark|light before any widget picks its colours
        self.setWindowTitle(APP_NAME)
        self.resize(1440, 900)
        self.doc = Document(self, autosave_dir=autosave_dir)
        self.background = Background(self)
        self.checker = Checker(self.doc, self.background, self)
        self.bridge = TrainingBridge(self, worker=worker)
        self._closing = False

        # ---------------------------------------------------------------- centre: the model is the main surface
        self.editor = ModelEditor(self.doc, self.checker)
        self.graph = GraphView(self.doc, self.checker)
        self.model_tabs = QTabWidget()
        self.model_tabs.setDocumentMode(True)
        self.model_tabs.addTab(self.graph, "Graph")
        self.model_tabs.addTab(self.editor, "Layers")
        self.controls = RunControls()
        spare = QWidget(self.controls)  # the toolbar carries Train / Pause / Stop; the progress read-out stays
        spare.hide()
        for b in (self.controls.train, self.controls.pause, self.controls.resume, self.controls.stop):
            b.setParent(spare)  # still driven by RunControls (enabled states), never shown twice
        # results below the model: a card until the first run, then headline, progress and the result tabs
        self.results = QWidget()
        self.results.setObjectName("resultsArea")
        res_lay = QVBoxLayout(self.results)
        res_lay.setContentsMargins(0, 0, 0, 0)
        res_lay.setSpacing(0)
        head = QHBoxLayout()
        head.setContentsMargins(6, 0, 2, 0)
        self.headline = ResultHeadline()
        head.addWidget(self.headline, 1)
        self.results_toggle = QToolButton(autoRaise=True)
        self.results_toggle.setCheckable(True)
        self.results_toggle.setObjectName("resultsToggle")
        self.results_toggle.setToolTip("Collapse or expand the results (the model gets the room)")
        self.results_toggle.toggled.connect(self.collapse_results)
        self.results_toggle.setText("▾ Hide results")
        head.addStretch(0)
        head.addWidget(self.results_toggle, 0, Qt.AlignmentFlag.AlignTop)
        res_lay.addLayout(head)
        res_lay.addWidget(self.controls)
        # the curves, evaluation, Try it and boundary tabs are built on first need (`result_tabs`): before the
        # first run the card below is all there is to see, and the first paint does not wait for pyqtgraph
        self._result_tabs: QTabWidget | None = None
        self._result_run: str | None = None  # the run the Evaluation / Try it tabs are about
        self._try_run: str | None = None  # the run whose model the Try it predictor has loaded
        self.empty_state = EmptyState()
        self.result_stack = QStackedWidget()
        self.result_stack.addWidget(self.empty_state)
        res_lay.addWidget(self.result_stack, 1)
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
        self._show_results(False)

        # ---------------------------------------------------------------- docks
        self.block_palette = Palette()  # not `palette`: that is QWidget.palette()
        self.runs = RunsPanel()
        self.inspector = Inspector(self.doc)
        self.data_panel = DataPanel(self.doc, self.checker, self.background)
        self.optimizer_panel = OptimizerPanel(self.doc)
        self.regularization_panel = RegularizationPanel(self.doc)
        self.augmentation_panel = AugmentationPanel(self.doc, self.data_panel)
        self.training_panel = TrainingPanel(self.doc, devices.installed_backends())
        self.setup_tabs = QTabWidget()
        for w, name in ((self.data_panel, "Data"), (self.optimizer_panel, "Optimizer"),
                        (self.regularization_panel, "Regularization"), (self.augmentation_panel, "Augmentation"),
                        (self.training_panel, "Training")):
            scroll = QScrollArea(widgetResizable=True)  # tall forms scroll instead of forcing a tall window
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(w)
            self.setup_tabs.addTab(scroll, name)
        for combo in self.setup_tabs.findChildren(QComboBox):  # long item names must not widen the dock
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
        self.log = LogPanel()
        self.docks: dict[str, QDockWidget] = {}
        self._dock("Blocks", self.block_palette, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._dock("Runs", self.runs, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.tabifyDockWidget(self.docks["Blocks"], self.docks["Runs"])
        self.docks["Blocks"].raise_()
        self._dock("Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("Setup", self.setup_tabs, Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("Log", self.log, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.docks["Log"].hide()  # opens itself on a warning or an error (View ▸ Log any time)
        # wide enough for all five setup tabs in view
        self.resizeDocks([self.docks["Blocks"], self.docks["Inspector"]], [230, 475], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["Inspector"], self.docks["Setup"]], [260, 600], Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["Log"]], [120], Qt.Orientation.Vertical)

        self._actions()
        self._status()
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

    def _action(self, text: str, slot, keys=None, tip: str = "") -> QAction:
        act = QAction(text, self)
        if keys is not None:
            act.setShortcut(keys)
        if tip:
            act.setStatusTip(tip)
            act.setToolTip(tip)
        act.triggered.connect(slot)
        return act

    def _actions(self) -> None:
        std = QKeySequence.StandardKey
        self.act_new = self._action("&New", self.new_project, std.New, "Start a new, empty run spec")
        self.act_open = self._action("&Open…", self.open_dialog, std.Open, "Open a run spec (JSON)")
        self.act_save = self._action("&Save", self.save, std.Save, "Save the run spec")
        self.act_save_as = self._action("Save &As…", self.save_as, std.SaveAs)
        self.act_quit = self._action("&Quit", self.close, std.Quit)
        self.act_undo = self.doc.undo_stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcut(std.Undo)
        self.act_redo = self.doc.undo_stack.createRedoAction(self, "&Redo")
        self.act_redo.setShortcut(std.Redo)
        self.act_undo.setIconText("Undo")  # the toolbar stays short; the menu says what will be undone
        self.act_redo.setIconText("Redo")
        self.act_train = self._action("&Train", self.train, QKeySequence("F5"), "Train the model (F5)")
        self.act_pause = self._action("&Pause", self.pause_resume, QKeySequence("F6"), "Pause or resume (F6)")
        self.act_stop = self._action("&Stop", self.bridge.stop, QKeySequence("Shift+F5"), "Stop after this batch")
        self.act_gallery = self._action("New from Pre&set…", self.open_gallery, QKeySequence("Ctrl+Shift+N"),
                                        "Start from a preset example")
        self.act_evaluate = self._action("&Evaluate Run", self.evaluate_result_run, None,
                                         "Evaluate the shown run's model again on its data")
        self.act_export = self._action("E&xport Model…", self.export_result_run, QKeySequence("Ctrl+Shift+E"),
                                       "Export the shown run's model (Keras, SavedModel, ONNX, LiteRT, Python …)")
        for act in (self.act_evaluate, self.act_export):
            act.setEnabled(False)
        self.act_sweep = self._action("S&weep…", self.open_sweep, None,
                                      "Search hyperparameters with Optuna: many trainings of this spec, the best kept")
        self.act_evaluate_file = self._action("Evaluate Model &File…", self.evaluate_model_file, None,
                                              "Evaluate a .keras file (safe mode) on this project's data")

        bar = self.menuBar()
        m = bar.addMenu("&File")
        m.addActions([self.act_new, self.act_gallery, self.act_open])
        self.recent_menu = m.addMenu("Open &Recent")
        self.preset_menu = m.addMenu("Open &Preset")
        for p in list_presets():
            self.preset_menu.addAction(p.title, partial(self.open_file, p.path, as_template=True)).setToolTip(
                p.description)
        m.addSeparator()
        m.addActions([self.act_save, self.act_save_as])
        m.addSeparator()
        m.addAction(self.act_quit)
        m = bar.addMenu("&Edit")
        m.addActions([self.act_undo, self.act_redo])
        m.addSeparator()
        for name in ("cut", "copy", "paste", "duplicate", "delete", "toggle", "up", "down"):
            m.addAction(self.editor.actions_by_name[name])
        m = bar.addMenu("&View")
        for dock in self.docks.values():
            m.addAction(dock.toggleViewAction())
        m.addSeparator()
        self.act_run_table = self._action("Run &Table…", self.open_run_table, QKeySequence("Ctrl+Shift+T"),
                                          "Every run of the project with its figures, sortable and filterable")
        m.addAction(self.act_run_table)
        m = bar.addMenu("&Run")
        m.addActions([self.act_train, self.act_pause, self.act_stop])
        m.addSeparator()
        m.addAction(self.act_sweep)
        self.run_on_menu = RunOnMenu(self.bridge, settings(), self)
        m.addMenu(self.run_on_menu)
        m.addSeparator()
        m.addActions([self.act_evaluate, self.act_evaluate_file, self.act_export])
        m.addSeparator()
        self.act_shootout = self._action("Backend &shoot-out…", self.open_shootout, None,
                                         "Train this project on each installed backend and compare their speed")
        m.addAction(self.act_shootout)
        m = bar.addMenu("&Help")
        m.addAction("&About Keras Studio", self._about)

        tb = QToolBar("Main")
        tb.setObjectName("toolbar_main")
        tb.setMovable(False)
        tb.addActions([self.act_new, self.act_open, self.act_save])
        tb.addSeparator()
        tb.addActions([self.act_undo, self.act_redo])
        tb.addSeparator()
        tb.addActions([self.act_train, self.act_pause, self.act_stop])
        self.train_button = tb.widgetForAction(self.act_train)
        self.train_button.setObjectName("trainButton")
        self._accent_train()
        tb.addSeparator()
        tb.addWidget(self.training_panel.picker)  # the one backend/device picker, where people change it
        self.toolbar = tb
        self.addToolBar(tb)
        self._recent_refresh()

    def _status(self) -> None:
        self.status_totals = QLabel()
        self.status_data = QLabel()
        self.statusBar().addPermanentWidget(self.status_data)
        self.statusBar().addPermanentWidget(self.status_totals)

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
        self.editor.selection_changed.connect(lambda ids: self.inspector.show_block(ids[-1] if ids else None))
        self.editor.selection_changed.connect(self.graph.select)
        def select_renamed(_old: str, new: str) -> None:
            self.editor.select([new])
            self.graph.select([new])

        def select_from_graph(ids: list[str]) -> None:
            self.editor.select(ids)
            self.inspector.show_block(ids[-1] if ids else None)

        self.inspector.renamed.connect(select_renamed)
        self.graph.selection_changed.connect(select_from_graph)
        for w in (self.editor, self.graph, self.data_panel, self.optimizer_panel, self.regularization_panel,
                  self.augmentation_panel, self.training_panel):
            w.message.connect(self.show_message)
        self.checker.report_changed.connect(self._report)
        self.checker.data_changed.connect(self._data_status)
        b = self.bridge
        b.state_changed.connect(self.controls.set_state)
        b.state_changed.connect(self._state)
        b.started.connect(self.controls.on_started)
        b.batch.connect(self.controls.on_batch)
        b.log.connect(self._child_log)
        b.ended.connect(self._ended)
        self.controls.train_clicked.connect(self.train)
        self.controls.pause_clicked.connect(self.bridge.pause)
        self.controls.resume_clicked.connect(self.bridge.resume)
        self.controls.stop_clicked.connect(self.bridge.stop)
        self.runs.show_run.connect(self.show_run)
        self.runs.compare.connect(self.compare_runs)
        self.runs.continue_from.connect(self.continue_from_run)
        self.runs.open_table.connect(self.open_run_table)
        theme.on_change(self._theme_changed)
        self._state("idle")

    # ------------------------------------------------------------------ status
    def _title(self) -> None:
        self.setWindowTitle(f"{self.doc.title}[*] — {APP_NAME}")  # Qt draws the * while modified
        self.setWindowModified(self.doc.dirty)

    def _report(self, report) -> None:
        bad = len(report.errors()) if report.blocks else 0  # an empty model is a start, not a problem
        text = f"{report.total_params:,} parameters"
        if bad:
            text += f" · {bad} problem{'s' * (bad != 1)}"
        self.status_totals.setText(text)

    def _data_status(self) -> None:
        c = self.checker
        if c.data_loading:
            self.status_data.setText("Reading the data…")
        elif c.data_error:
            self.status_data.setText(f"<span style='color:{theme.colors().error}'>Data: {c.data_error}</span>")
        elif c.data_shape is not None:
            s = c.data_shape
            what = f"{s.num_classes} classes" if s.task == "classification" else f"{s.target_width} target(s)"
            self.status_data.setText(f"Data: samples {fmt(tuple(s.input_shape))}, {s.task}, {what}")
        else:
            self.status_data.setText("")

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
        if self._result_tabs is not None:
            self.plots.apply_theme()
        self.empty_state.apply_theme()
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

    # ------------------------------------------------------------------ results area
    @property
    def result_tabs(self) -> QTabWidget:
        """Curves, Evaluation, Try it and (for two-feature data) Boundary, built the first time they are needed."""
        return self._build_results()

    def _build_results(self) -> QTabWidget:
        if self._result_tabs is None:
            from studio.ui.boundary_view import attach as attach_boundary
            from studio.ui.evaluation import EvaluationView, TryItPanel
            from studio.ui.plots import PlotsPanel

            tabs = self._result_tabs = QTabWidget()
            tabs.setDocumentMode(True)
            self._plots, self._evaluation, self._try_it = PlotsPanel(), EvaluationView(), TryItPanel()
            tabs.addTab(self._plots, "Curves")
            tabs.addTab(self._evaluation, "Evaluation")  # tables, forms and plots scroll on their own
            tabs.addTab(self._try_it, "Try it")
            self._boundary = attach_boundary(self)  # two-feature data: the live decision boundary, a tab of its own
            tabs.currentChanged.connect(self._result_tab_changed)
            self.result_stack.addWidget(tabs)
            b = self.bridge
            b.started.connect(self._plots.on_started)
            b.batch.connect(self._plots.on_batch)
            b.epoch.connect(self._plots.on_epoch)
        return self._result_tabs

    @property
    def plots(self) -> PlotsPanel:
        self._build_results()
        return self._plots

    @property
    def evaluation(self) -> EvaluationView:
        self._build_results()
        return self._evaluation

    @property
    def try_it(self) -> TryItPanel:
        self._build_results()
        return self._try_it

    @property
    def boundary(self) -> BoundaryView:
        self._build_results()
        return self._boundary

    def _show_results(self, shown: bool) -> None:
        """The card before any run; the result tabs (curves, evaluation, Try it) once there is one."""
        self.result_stack.setCurrentWidget(self.result_tabs if shown else self.empty_state)
        if self.results_toggle.isChecked():
            self.results_toggle.setChecked(False)
        self.controls.setVisible(shown)  # the progress read-out, once there is progress to read
        self._size_results()

    def collapse_results(self, collapsed: bool) -> None:
        self.result_stack.setVisible(not collapsed)
        self.controls.setVisible(not collapsed and self._result_tabs is not None
                                 and self.result_stack.currentWidget() is self._result_tabs)
        self.results_toggle.setText("▸ Show results" if collapsed else "▾ Hide results")
        self._size_results()

    def _size_results(self) -> None:
        """Collapsed: just its header; the empty card: a strip; results: a little over half the height."""
        if self.results_toggle.isChecked():
            self.results.setMaximumHeight(self.results_toggle.sizeHint().height() + 4)
        elif self.result_stack.currentWidget() is self.empty_state:
            self.results.setMaximumHeight(EMPTY_RESULTS_H)  # the model keeps the room until there is something
        else:
            self.results.setMaximumHeight(QWIDGETSIZE_MAX)
        if self.results.maximumHeight() < QWIDGETSIZE_MAX:
            self.split.setSizes([100_000, self.results.maximumHeight()])
        else:
            self.split.setSizes([450, 550])  # relative weights: the curves get a little more than half
        # once there are results they share the window's growth with the model; before, the model takes it
        self.split.setStretchFactor(1, 1 if self.results.maximumHeight() >= QWIDGETSIZE_MAX else 0)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self._size_results()  # sizes given before the first show are only weights; give them again

    # ------------------------------------------------------------------ devices
    def _probe_devices(self) -> None:
        for backend in devices.installed_backends():
            self.background.submit(partial(devices.probe, backend),
                                   lambda info: self.training_panel.set_devices(info.backend, info.devices,
                                                                                info.error))

    # ------------------------------------------------------------------ files
    def maybe_save(self) -> bool:
        """Ask about unsaved changes; False when the user cancels."""
        if not self.doc.dirty:
            return True
        answer = QMessageBox.question(
            self, APP_NAME, f"Save the changes to {self.doc.title}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_project(self) -> None:
        if self.maybe_save():
            self.doc.new()
            self.doc.discard_autosave()

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = str(self.doc.path.parent) if self.doc.path else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open a run spec", start, FILE_FILTER)
        if path:
            self.open_file(path, ask=False)

    def open_file(self, path, as_template: bool = False, ask: bool = True) -> bool:
        if ask and not self.maybe_save():
            return False
        try:
            self.doc.open(path)
        except SpecError as exc:
            QMessageBox.warning(self, APP_NAME, f"Cannot open {path}:\n\n" + "\n".join(exc.problems))
            return False
        if as_template:
            # a preset is a starting point: saving must not overwrite the shipped file
            self.doc.path = None
            self.doc.path_changed.emit()
        else:
            self._recent_add(str(Path(path).resolve()))
        self.editor.select([])
        self.inspector.show_block(None)
        self.statusBar().showMessage(f"Opened {path}", 5000)
        return True

    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as()
        return self._write(self.doc.path)

    def save_as(self) -> bool:
        start = str(self.doc.path or Path.home() / f"{self.doc.view()['meta']['title'] or 'model'}.json")
        path, _ = QFileDialog.getSaveFileName(self, "Save the run spec", start, FILE_FILTER)
        if not path:
            return False
        if not path.endswith(".json"):
            path += ".json"
        return self._write(Path(path))

    def _write(self, path: Path) -> bool:
        try:
            self.doc.save(path)
        except OSError as exc:
            QMessageBox.warning(self, APP_NAME, f"Cannot save {path}:\n{exc.strerror or exc}")
            return False
        self._recent_add(str(path.resolve()))
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def _recent_add(self, path: str) -> None:
        s = settings()
        recent = [p for p in cast(list[str], s.value("recent", []) or []) if p != path]
        s.setValue("recent", [path] + recent[: MAX_RECENT - 1])
        self._recent_refresh()

    def _recent_refresh(self) -> None:
        self.recent_menu.clear()
        recent = cast("list[str] | str", settings().value("recent", []) or [])  # one path comes back as a str
        if isinstance(recent, str):
            recent = [recent]
        for p in recent:
            self.recent_menu.addAction(p, partial(self.open_file, p))
        self.recent_menu.setEnabled(bool(recent))

    def report_unexpected(self, summary: str, details: str) -> None:
        """An error the app did not foresee (see studio.ui.errors): say so plainly, keep the details."""
        self.log.add("error", f"Something went wrong inside Keras Studio ({summary}). Your project is kept; "
                              "if this repeats, please report it with the details below.")
        self.log.add("detail", details)
        self.docks["Log"].show()
        self.statusBar().showMessage("Something went wrong; see the log for details", 10_000)

    def offer_recovery(self) -> bool:
        """After a crash: offer the autosaved spec back. True when it was restored."""
        payload = self.doc.recoverable()
        if payload is None:
            return False
        answer = QMessageBox.question(self, APP_NAME, "Keras Studio did not close properly last time. "
                                      "Restore the unsaved work it kept?",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            self.doc.discard_autosave()
            return False
        path = Path(payload["path"]) if payload.get("path") else None
        self.doc.load_dict(payload["spec"], path, clean=False)
        return True

    # ------------------------------------------------------------------ runs
    def runs_root(self) -> Path:
        if self.doc.path is not None:
            return self.doc.path.parent / "runs"
        return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)) / "runs"

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
            self.setup_tabs.setCurrentIndex(self.setup_tabs.count() - 1)  # Training, where it shows
            self.statusBar().showMessage(f"The next training continues from {Path(run_dir).name}; press Train",
                                         8000)

    def evaluate_model_file(self) -> None:
        """Evaluate any .keras file (opened in safe mode, in a child) on this project's data."""
        path, _ = QFileDialog.getOpenFileName(self, "Evaluate a model file", "", "Keras models (*.keras)")
        if path:
            self.evaluation.evaluate_run(path, spec=self.doc.view())
            self._show_results(True)
            self.result_tabs.setCurrentWidget(self.evaluation)

    def compare_runs(self, run_dirs: list[str]) -> None:
        if self.bridge.running:
            self.show_message("Wait for the training to end (or stop it) to compare runs")
            return
        from studio.ui.run_compare import compare_runs

        titles = compare_runs(self.plots, run_dirs)
        if len(titles) < 2:
            self.show_message("Choose two or more runs that recorded epochs to compare them")
            return
        self._show_results(True)
        self.headline.clear()
        self.result_tabs.setCurrentWidget(self.plots)
        self.statusBar().showMessage(f"Comparing {len(titles)} runs: " + ", ".join(titles), 8000)

    def show_run(self, run_dir: str) -> None:
        if self.bridge.running:
            self.show_message("Wait for the training to end (or stop it) to look at another run")
            return
        if not self.plots.load_run(run_dir):
            self.show_message(f"{Path(run_dir).name} has no recorded epochs to show")
            return
        self.set_result_run(run_dir)
        self._show_results(True)
        self.controls.hide()  # no progress to read for a run that is over
        self.headline.show_run(run_dir, past=True)
        self.boundary.load_run(run_dir)
        self.statusBar().showMessage(f"Showing {Path(run_dir).name}", 5000)

    # ------------------------------------------------------------------ results of a run
    def set_result_run(self, run_dir: str) -> None:
        """Point the Evaluation and Try it tabs at a run (its model is loaded when Try it is opened)."""
        has_model = (Path(run_dir) / "model.keras").exists()
        self._result_run = run_dir if has_model else None
        for act in (self.act_evaluate, self.act_export):
            act.setEnabled(has_model)
        if has_model:
            self._warm_backend_of(run_dir)
            self.evaluation.show_run(run_dir)
            if self._showing_try_it():
                self._result_tab_changed(self.result_tabs.currentIndex())

    def _warm_backend_of(self, run_dir: str) -> None:
        """Evaluate, export and Try it run in a warm worker of the run's backend: start it now, without waiting,
        so that the first of them finds the backend loaded."""
        from studio.core.runs import read_json

        spec = read_json(Path(run_dir) / "spec.json")
        training = spec.get("training") if isinstance(spec, dict) else None
        backend = training.get("backend") if isinstance(training, dict) else None
        if isinstance(backend, str) and backend in devices.installed_backends():
            workers.warm(backend)

    def _showing_try_it(self) -> bool:
        return self._result_tabs is not None and self._result_tabs.currentWidget() is self._try_it

    def _result_tab_changed(self, _index: int) -> None:
        # the predictor child loads a backend: start it only when the user opens Try it
        if self._showing_try_it() and self._result_run and self._try_run != self._result_run:
            self._try_run = self._result_run
            self.try_it.open_run(self._result_run)

    def evaluate_result_run(self) -> None:
        if self._result_run:
            self.evaluation.evaluate_run(self._result_run)
            self.result_tabs.setCurrentIndex(1)

    def export_result_run(self) -> None:
        if self._result_run:
            from studio.ui.evaluation import ExportDialog

            self._export_dialog = ExportDialog(self._result_run, self)
            self._export_dialog.open()

    def open_run_table(self) -> None:
        from studio.ui.run_table import RunTable

        table = RunTable(self.runs.root or self.runs_root(), self)  # the folder the Runs dock shows
        table.compare.connect(self.compare_runs)
        table.show_run.connect(self.show_run)
        table.changed.connect(self.runs.refresh)
        table.finished.connect(table.deleteLater)
        self.run_table = table
        table.show()

    def open_sweep(self) -> None:
        from studio.ui.sweep_dialog import SweepDialog

        report = self.checker.report
        if not report.ok:
            self.show_message(f"Fix the model before a sweep: {report.errors()[0]}")
            return
        try:
            spec = self.doc.run_spec
        except SpecError as exc:
            self.show_message(f"The spec cannot run: {exc.problems[0]}")
            return
        dialog = SweepDialog(spec, self.runs.root or self.runs_root(), self)
        dialog.open_run.connect(self.show_run)
        dialog.use_spec.connect(self._use_spec)
        dialog.finished.connect(self.runs.refresh)
        self.sweep_dialog = dialog
        dialog.show()

    def _use_spec(self, spec: dict) -> None:
        """Make `spec` the project's (one undoable edit)."""
        def replace(s: dict) -> None:
            s.clear()
            s.update(spec)
        self.doc.patch(replace, "Use the best trial's settings")

    def open_shootout(self) -> None:
        from studio.ui.shootout_dialog import ShootoutDialog

        dialog = ShootoutDialog(self.doc, self.runs.root or self.runs_root(), devices.installed_backends(), self)
        dialog.compare.connect(self.compare_runs)
        dialog.compare.connect(lambda _runs: self.runs.refresh())
        dialog.finished.connect(lambda _result: setattr(self, "shootout_dialog", None))
        dialog.finished.connect(dialog.deleteLater)
        self.shootout_dialog = dialog
        dialog.show()

    def open_gallery(self) -> None:
        gallery = PresetGallery(self)
        if gallery.exec() and gallery.chosen is not None:
            self.open_file(gallery.chosen.path, as_template=True)

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
        spec = titled_run_spec(self.doc)  # "Lab — sgd, lr 0.01": named by what differs from the opened spec
        local = not self.bridge.ray_address  # a Ray cluster installs the backend itself
        if local and spec.training.backend not in devices.installed_backends():
            problem = missing_backend(spec.training.backend, devices.installed_backends(), cli=False)
            QMessageBox.warning(self, APP_NAME, problem[0].upper() + problem[1:] + " in the toolbar.")
            return
        try:
            root = self.runs_root()
            root.mkdir(parents=True, exist_ok=True)
            self.plots.setup([m for m in ["loss", *spec.training.metrics]])
            self.headline.clear()
            self._show_results(True)
            self.bridge.start(spec, root)
        except OSError as exc:
            QMessageBox.warning(self, APP_NAME, f"Cannot create the run directory in {self.runs_root()}:\n{exc}")
            return
        self._t_train = time.monotonic()
        self.plots.start_live()
        self.runs.refresh()

    def pause_resume(self) -> None:
        if self.bridge.state == "paused":
            self.bridge.resume()
        else:
            self.bridge.pause()

    def _ended(self, e: ev.Finished | ev.Stopped | ev.Failed) -> None:
        self.plots.stop_live()
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
            self.set_result_run(e.run_dir)
            self.headline.show_run(e.run_dir, past=False)

    # ------------------------------------------------------------------ closing
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.bridge.running:
            answer = QMessageBox.question(self, APP_NAME, "A training is running. Stop it and quit?",
                                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        if not self.maybe_save():
            event.ignore()
            return
        self.shutdown()
        s = settings()
        s.setValue("geometry", self.saveGeometry())
        s.setValue("state", self.saveState())
        event.accept()

    def restore_layout(self) -> None:
        s = settings()
        geometry, state = s.value("geometry"), s.value("state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:  # first start: 1440×900, or most of a smaller screen
            screen = self.screen().availableGeometry() if self.screen() else None
            if screen is not None and (screen.width() < 1440 or screen.height() < 900):
                self.resize(min(1440, int(screen.width() * 0.95)), min(900, int(screen.height() * 0.92)))
                self.move(screen.center() - self.rect().center())
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def shutdown(self) -> None:
        """Stop every timer, thread and child this window started (idempotent)."""
        self._closing = True
        self.bridge.shutdown()
        if self._result_tabs is not None:
            self._plots.shutdown()
            self._evaluation.shutdown()
            self._try_it.shutdown()
        if getattr(self, "_export_dialog", None) is not None:
            self._export_dialog.shutdown()
        if getattr(self, "sweep_dialog", None) is not None:  # a sweep still training
            self.sweep_dialog.shutdown()
        if getattr(self, "shootout_dialog", None) is not None:  # a shoot-out still training
            self.shootout_dialog.shutdown()
        self.data_panel.shutdown()
        self.augmentation_panel.shutdown()
        self.doc.shutdown()
        # reaching here means the user saved or chose to discard; only a crash leaves an autosave behind
        self.doc.discard_autosave()
        self.background.shutdown()
        workers.shutdown()  # no warm backend worker outlives the app

    def _about(self) -> None:
        from studio.ui.about import AboutDialog

        AboutDialog(self).open()
