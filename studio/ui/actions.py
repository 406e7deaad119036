"""The window's commands as one table (napari's `qactions`): each row is a QAction (`window.act_<id>`) with its
text, shortcut, tip and handler, and `MENUS` / `TOOLBAR` say where the actions stand. `install` makes them all.

A handler is a dotted attribute path from the window ("files.save", "bridge.stop") resolved when installed. A menu
or toolbar entry is an action's id, "-" for a separator, "menu:<name>" for a submenu titled in `SUBMENUS` (kept
as `window.<name>_menu` for whoever fills it), or "ext:<name>" for what the window made elsewhere (the editor's
actions, the docks' toggles, the Run on menu, the backend picker), passed to `install`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMenuBar, QToolBar, QWidget

Std = QKeySequence.StandardKey


@dataclass(frozen=True)
class Act:
    id: str
    text: str
    handler: str = ""  # dotted path from the window; "" for an action `make` wires itself
    keys: str | QKeySequence.StandardKey | None = None
    tip: str = ""
    enabled: bool = True  # False: off until the window has something for it (a run with a model)
    icon_text: str = ""  # the toolbar's shorter text
    make: Callable[[Any, str], QAction] | None = None  # (window, text) → an action made elsewhere (undo stack)


def _undo(window: Any, text: str) -> QAction:
    return window.doc.undo_stack.createUndoAction(window, text)  # its text names what will be undone


def _redo(window: Any, text: str) -> QAction:
    return window.doc.undo_stack.createRedoAction(window, text)


ACTIONS: tuple[Act, ...] = (
    Act("new", "&New", "files.new_project", Std.New, "Start a new, empty run spec"),
    Act("gallery", "New from Pre&set…", "open_gallery", "Ctrl+Shift+N", "Start from a preset example"),
    Act("open", "&Open…", "files.open_dialog", Std.Open, "Open a run spec (JSON)"),
    Act("save", "&Save", "files.save", Std.Save, "Save the run spec"),
    Act("save_as", "Save &As…", "files.save_as", Std.SaveAs),
    Act("quit", "&Quit", "close", Std.Quit),
    Act("undo", "&Undo", keys=Std.Undo, icon_text="Undo", make=_undo),
    Act("redo", "&Redo", keys=Std.Redo, icon_text="Redo", make=_redo),
    Act("run_table", "Run &Table…", "dialogs.open_run_table", "Ctrl+Shift+T",
        "Every run of the project with its figures, sortable and filterable"),
    Act("train", "&Train", "train", "F5", "Train the model (F5)"),
    Act("pause", "&Pause", "pause_resume", "F6", "Pause or resume (F6)"),
    Act("stop", "&Stop", "bridge.stop", "Shift+F5", "Stop after this batch"),
    Act("sweep", "S&weep…", "dialogs.open_sweep", None,
        "Search hyperparameters with Optuna: many trainings of this spec, the best kept"),
    Act("evaluate", "&Evaluate Run", "evaluate_result_run", None, "Evaluate the shown run's model again on its data",
        enabled=False),
    Act("evaluate_file", "Evaluate Model &File…", "evaluate_model_file", None,
        "Evaluate a .keras file (safe mode) on this project's data"),
    Act("export", "E&xport Model…", "export_result_run", "Ctrl+Shift+E",
        "Export the shown run's model (Keras, SavedModel, ONNX, LiteRT, Python …)", enabled=False),
    Act("shootout", "Backend &shoot-out…", "dialogs.open_shootout", None,
        "Train this project on each installed backend and compare their speed"),
    Act("course", "&Course…", "help.course", None, "The lessons in order, ticked when a run met the goal"),
    Act("glossary", "&Glossary…", "help.glossary", None, "The terms the coach and the panels use, and their settings"),
    Act("about", "&About Keras Studio", "show_about"),
)

SUBMENUS = {"recent": "Open &Recent", "preset": "Open &Preset"}
EDITOR = ("ext:cut", "ext:copy", "ext:paste", "ext:duplicate", "ext:delete", "ext:toggle", "ext:up", "ext:down")
MENUS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("&File", ("new", "gallery", "open", "menu:recent", "menu:preset", "-", "save", "save_as", "-", "quit")),
    ("&Edit", ("undo", "redo", "-", *EDITOR)),
    ("&View", ("ext:docks", "-", "run_table")),
    ("&Run", ("train", "pause", "stop", "-", "sweep", "ext:run_on", "-", "evaluate", "evaluate_file", "export", "-",
              "shootout")),
    ("&Help", ("course", "glossary", "-", "about")),
)
TOOLBAR = ("new", "open", "save", "-", "undo", "redo", "-", "train", "pause", "stop", "-", "ext:picker")

Extra = QAction | Sequence[QAction] | QMenu | QWidget


def _action(window: QMainWindow, row: Act) -> QAction:
    act = row.make(window, row.text) if row.make else QAction(row.text, window)
    if row.keys is not None:
        act.setShortcut(QKeySequence(row.keys))
    if row.tip:
        act.setStatusTip(row.tip)
        act.setToolTip(row.tip)
    if row.icon_text:
        act.setIconText(row.icon_text)
    if not row.enabled:  # (an undo action keeps the undo stack's own state)
        act.setEnabled(False)
    if row.handler:
        act.triggered.connect(reduce(getattr, row.handler.split("."), window))
    return act


def _fill(window: QMainWindow, target: QMenu | QToolBar, entries: Sequence[str], acts: Mapping[str, QAction],
          extras: Mapping[str, Extra]) -> None:
    for entry in entries:
        kind, _, name = entry.rpartition(":")
        if entry == "-":
            target.addSeparator()
        elif kind == "menu":
            assert isinstance(target, QMenu)
            setattr(window, f"{name}_menu", target.addMenu(SUBMENUS[name]))
        elif kind == "ext":
            extra = extras[name]
            if isinstance(extra, QMenu):
                assert isinstance(target, QMenu)
                target.addMenu(extra)
            elif isinstance(extra, QAction):
                target.addAction(extra)
            elif isinstance(extra, QWidget):
                assert isinstance(target, QToolBar)
                target.addWidget(extra)
            else:
                target.addActions(list(extra))
        else:
            target.addAction(acts[name])


def install(window: QMainWindow, bar: QMenuBar, toolbar: QToolBar, extras: Mapping[str, Extra]) -> None:
    """Make every action of the table as `window.act_<id>`, then the menus of `bar` and the toolbar's buttons."""
    acts = {row.id: _action(window, row) for row in ACTIONS}
    for row_id, act in acts.items():
        setattr(window, f"act_{row_id}", act)
    for title, entries in MENUS:
        _fill(window, bar.addMenu(title), entries, acts, extras)
    _fill(window, toolbar, TOOLBAR, acts, extras)
