"""The app's one model object: the run spec being edited, its undo stack, file path, dirty flag and autosave.

Widgets never hold their own copy of the truth: they call `Document.edit` with a new spec dict and redraw on
`changed`. Every edit is validated by the spec itself before it lands, so the document always holds a spec
the command line could run, and every edit is one QUndoCommand.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from studio.core.runs import write_atomic
from studio.core.spec import RunSpec, SpecError, load_spec, parse_spec

AUTOSAVE_NAME = "autosave.json"
AUTOSAVE_DELAY_MS = 1500


def app_data_dir() -> Path:
    path = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_spec() -> dict[str, Any]:
    return RunSpec().to_dict()


class _SpecCommand(QUndoCommand):
    """Replace the whole spec; consecutive edits with the same `merge_key` collapse into one undo step
    (dragging a spin box must not leave fifty steps behind)."""

    _ids: dict[str, int] = {}

    def __init__(self, doc: Document, before: dict, after: dict, text: str, merge_key: str | None):
        super().__init__(text)
        self.doc, self.before, self.after, self.merge_key = doc, before, after, merge_key

    def id(self) -> int:
        if not self.merge_key:
            return -1
        return self._ids.setdefault(self.merge_key, len(self._ids) + 1)

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, _SpecCommand) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self.doc._set(self.after)

    def undo(self) -> None:
        self.doc._set(self.before)


class Document(QObject):
    changed = Signal()  # the spec changed (edit, undo, redo, load)
    path_changed = Signal()
    dirty_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, autosave_dir: Path | None = None):
        super().__init__(parent)
        self._spec: dict[str, Any] = default_spec()
        self._parsed: RunSpec | None = RunSpec()
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
        """A deep copy: callers edit it freely and hand it back through `edit`."""
        return copy.deepcopy(self._spec)

    def view(self) -> dict[str, Any]:
        """The live dict, for reading only (no copy; cheap for redraws)."""
        return self._spec

    @property
    def run_spec(self) -> RunSpec:
        if self._parsed is None:
            self._parsed = parse_spec(self._spec)
        return self._parsed

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def title(self) -> str:
        return self.path.name if self.path else "Untitled"

    # ------------------------------------------------------------------ editing
    def validate(self, new: dict[str, Any]) -> str | None:
        """None if `new` is a valid spec, else the problems in words."""
        try:
            parse_spec(new)
        except SpecError as exc:
            return "\n".join(exc.problems)
        return None

    def edit(self, new: dict[str, Any], text: str, merge_key: str | None = None) -> str | None:
        """Make `new` the spec as one undoable step; refuse it (returning why) when it is not valid."""
        problem = self.validate(new)
        if problem:
            return problem
        if new == self._spec:
            return None
        self.undo_stack.push(_SpecCommand(self, copy.deepcopy(self._spec), copy.deepcopy(new), text, merge_key))
        return None

    def patch(self, mutate: Callable[[dict[str, Any]], None], text: str, merge_key: str | None = None) -> str | None:
        """Edit through a function that changes a copy of the spec in place."""
        new = self.spec
        try:
            mutate(new)
        except (KeyError, IndexError, ValueError) as exc:
            return str(exc)
        return self.edit(new, text, merge_key)

    def _set(self, spec: dict[str, Any]) -> None:
        self._spec = copy.deepcopy(spec)
        self._parsed = None
        self.changed.emit()

    # ------------------------------------------------------------------ files
    def new(self) -> None:
        self.load_dict(default_spec(), None)

    def load_dict(self, data: dict[str, Any], path: Path | None, clean: bool = True) -> None:
        spec = parse_spec(data, str(path or "")).to_dict()
        self.undo_stack.clear()
        self.path = Path(path) if path else None
        self._set(spec)
        if not clean:
            # a recovered autosave: mark it unsaved so closing asks before throwing it away
            self.undo_stack.push(_SpecCommand(self, spec, spec, "Recover autosave", None))
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
        write_atomic(target, json.dumps(self._spec, indent=2) + "\n")
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
        payload = {"path": str(self.path) if self.path else None, "spec": self._spec}
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
