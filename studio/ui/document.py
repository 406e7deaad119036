"""The app's one model object: a thin Qt adapter over `studio.core.document.SpecDocument` (the spec, its
edits and per-field events) that adds the undo stack, file path, dirty flag and autosave.

Widgets never hold their own copy of the truth: they call `Document.patch` (or `perform`) and redraw when what
they show changes: `subscribe(owner, redraw, ("optimizer",))` calls `redraw(paths)` for edits under that
section only, so setting the learning rate does not redraw the Data panel. `changed` still fires on every
edit for the few listeners that need the whole spec. Every edit is validated by the spec itself before it
lands, so the document always holds a spec the command line could run, and every edit is one QUndoCommand.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from studio.core.document import ROOT, Change, EditRefusedError, Listener, Path as FieldPath, SpecDocument
from studio.core.runs import write_atomic
from studio.core.spec import RunSpec, SpecError, load_spec, parse_spec

AUTOSAVE_NAME = "autosave.json"
AUTOSAVE_DELAY_MS = 1500


def app_data_dir() -> Path:
    path = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
    path.mkdir(parents=True, exist_ok=True)
    return path


NEW_SPLITS = {"validation_split": 0.2, "test_split": 0.2}


def default_spec() -> dict[str, Any]:
    """A new project: the spec's defaults, with a validation split (watched each epoch) and a test split (the
    final score on data the training never saw) held out, so that the first run already teaches the habit."""
    spec = RunSpec().to_dict()
    spec["data"].update(NEW_SPLITS)
    return spec


class _SpecCommand(QUndoCommand):
    """One core `Change` on the undo stack; consecutive edits with the same `merge_key` collapse into one undo
    step (dragging a spin box must not leave fifty steps behind)."""

    _ids: dict[str, int] = {}

    def __init__(self, doc: Document, change: Change, merge_key: str | None):
        super().__init__(change.text)
        self.doc, self.change, self.merge_key = doc, change, merge_key

    @property
    def before(self) -> dict[str, Any]:
        return self.change.before

    @property
    def after(self) -> dict[str, Any]:
        return self.change.after

    def id(self) -> int:  # Qt's name (QUndoCommand.id)
        if not self.merge_key:
            return -1
        return self._ids.setdefault(self.merge_key, len(self._ids) + 1)

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, _SpecCommand) or other.merge_key != self.merge_key:
            return False
        self.change = self.change.then(other.change)
        return True

    def redo(self) -> None:
        self.doc._apply(self.change)

    def undo(self) -> None:
        self.doc._apply(self.change.inverse())


class Document(QObject):
    changed = Signal()  # the spec changed (edit, undo, redo, load); `subscribe` for one section's changes
    path_changed = Signal()
    dirty_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, autosave_dir: Path | None = None):
        super().__init__(parent)
        self.core = SpecDocument(default_spec())  # the window starts as File ▸ New does
        self.path: Path | None = None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self._autosave_dir = autosave_dir
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave_timer.timeout.connect(self.autosave)
        self.undo_stack.indexChanged.connect(self._schedule_autosave)

    # ------------------------------------------------------------------ reading
    @property
    def spec(self) -> dict[str, Any]:
        """A deep copy, free to change (it is not the document's)."""
        return self.core.spec

    def view(self) -> dict[str, Any]:
        """The live dict, for reading only (no copy; cheap for redraws)."""
        return self.core.view()

    @property
    def run_spec(self) -> RunSpec:
        return self.core.run_spec

    def subscribe(self, owner: QObject, listener: Listener, *sections: FieldPath) -> None:
        """Call `listener(paths)` when a field under one of `sections` changes (a load or `refresh_all`
        counts as every field), until `owner` is destroyed."""
        disconnect = self.core.events.connect(listener, *sections)
        owner.destroyed.connect(lambda *_: disconnect())

    def refresh_all(self) -> None:
        """Have every view redraw (the theme changed, the window was just built)."""
        self.core.events.emit([ROOT])
        self.changed.emit()

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def title(self) -> str:
        return self.path.name if self.path else "Untitled"

    # ------------------------------------------------------------------ editing
    def patch(self, mutate: Callable[[dict[str, Any]], None], text: str, merge_key: str | None = None) -> str | None:
        """Edit through a function that changes a copy of the spec in place; returns why it was refused."""
        try:
            change = self.core.prepare(mutate, text)
        except EditRefusedError as exc:
            return str(exc)
        self.push(change, merge_key)
        return None

    def push(self, change: Change, merge_key: str | None = None) -> None:
        """Apply a prepared core Change as one undoable step (a change of nothing leaves no step)."""
        if change.paths:
            self.undo_stack.push(_SpecCommand(self, change, merge_key))

    def perform(self, prepare: Callable[[SpecDocument], Change], merge_key: str | None = None) -> Change | str:
        """Run one of the core document's named edits as an undoable step, e.g.
        `doc.perform(lambda core: core.rename_block("dense_1", "hidden"))`: the Change made, or why it was
        refused."""
        try:
            change = prepare(self.core)
        except EditRefusedError as exc:
            return str(exc)
        self.push(change, merge_key)
        return change

    def _apply(self, change: Change) -> None:
        self.core.apply(change)
        self.changed.emit()

    # ------------------------------------------------------------------ files
    def new(self) -> None:
        self.load_dict(default_spec(), None)

    def load_dict(self, data: dict[str, Any], path: Path | None, clean: bool = True) -> None:
        spec = parse_spec(data, str(path or "")).to_dict()
        self.undo_stack.clear()
        self.path = Path(path) if path else None
        self.core.load(spec)
        self.changed.emit()
        if not clean:
            # a recovered autosave: mark it unsaved so closing asks before throwing it away
            self.undo_stack.push(_SpecCommand(self, Change(spec, spec, "Recover autosave"), None))
        self.path_changed.emit()
        self.dirty_changed.emit(self.dirty)

    def open(self, path: str | Path) -> None:
        """Load a spec file; raises SpecError with readable problems."""
        spec = load_spec(path)
        self.load_dict(spec.to_dict(), Path(path))

    def save(self, path: str | Path | None = None) -> None:
        """Write the spec atomically; raises OSError on failure (the caller shows it)."""
        target = Path(path) if path else self.path
        if target is None:
            raise ValueError("no file name: use Save As")
        write_atomic(target, json.dumps(self.core.view(), indent=2) + "\n")
        self.path = target
        self.undo_stack.setClean()
        self.path_changed.emit()
        self.discard_autosave()

    # ------------------------------------------------------------------ autosave
    def autosave_path(self) -> Path:
        return (self._autosave_dir or app_data_dir()) / AUTOSAVE_NAME

    def _clean_changed(self, clean: bool) -> None:
        self.dirty_changed.emit(not clean)

    def _schedule_autosave(self, _index: int = 0) -> None:
        if self.dirty:
            self._autosave_timer.start()

    def autosave(self) -> None:
        if not self.dirty:
            return
        payload = {"path": str(self.path) if self.path else None, "spec": self.core.view()}
        try:
            path = self.autosave_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, json.dumps(payload, indent=2) + "\n")
        except OSError:
            pass  # autosave is a safety net; a full disk must not interrupt editing

    def discard_autosave(self) -> None:
        self._autosave_timer.stop()
        self.autosave_path().unlink(missing_ok=True)

    def recoverable(self) -> dict[str, Any] | None:
        """The autosave a crashed session left behind, if it still reads as a spec."""
        try:
            payload = json.loads(self.autosave_path().read_text(encoding="utf-8"))
            parse_spec(payload["spec"])
            return payload
        except (OSError, ValueError, KeyError, TypeError, SpecError):
            return None

    def shutdown(self) -> None:
        self._autosave_timer.stop()
