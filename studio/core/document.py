"""The spec being edited, without Qt: a validated spec dict with its typed `RunSpec` view, the edits made to
it, and per-field change events.

Every edit is prepared as a `Change` (the spec before and after, and the paths that differ), validated by the
spec itself before it lands, and applied with `apply`; `Change.inverse()` undoes it, so an undo stack (the app's
QUndoStack) only keeps Changes. Listeners subscribe to the sections they show, as napari's EventedModel lets
a view listen to one field: `doc.events.connect(redraw, ("optimizer",))` is called with the changed paths
under `optimizer`, e.g. `[("optimizer", "learning_rate")]`, and not at all when only the data changed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from studio.core import model_edits
from studio.core.analysis import apply_run_fix
from studio.core.shapes import Fix
from studio.core.spec import RunSpec, SpecError, parse_spec

Path = tuple[str, ...]
ROOT: Path = ()  # the whole spec: a load, or a redraw of everything
Listener = Callable[[list[Path]], None]
_MISSING = object()


class EditRefusedError(ValueError):
    """An edit the spec would not accept; the message says why (the spec's own words)."""


def changed_paths(old: Any, new: Any, at: Path = ROOT) -> list[Path]:
    """The paths of the fields that differ between two spec dicts, as deep as both sides are sections
    (a list, such as the blocks, counts as one field)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[Path] = []
        for key in [*old, *(k for k in new if k not in old)]:
            a, b = old.get(key, _MISSING), new.get(key, _MISSING)
            if a != b:
                out.extend(changed_paths(a, b, (*at, key)))
        return out
    return [at] if old != new else []


def touches(path: Path, prefix: Path) -> bool:
    """Whether a change at `path` concerns a listener of `prefix`: inside it, or replacing a section around it."""
    n = min(len(path), len(prefix))
    return path[:n] == prefix[:n]


@dataclass(frozen=True)
class Change:
    """One edit: the whole spec before and after, the paths that differ, and what the edit returned (the
    ids of the blocks it made, for the editor to select)."""

    before: dict[str, Any]
    after: dict[str, Any]
    text: str = ""
    paths: tuple[Path, ...] = field(default=())
    result: Any = None

    @classmethod
    def between(cls, before: dict[str, Any], after: dict[str, Any], text: str = "", result: Any = None) -> Change:
        return cls(before, after, text, tuple(changed_paths(before, after)), result)

    def inverse(self) -> Change:
        return Change(self.after, self.before, self.text, self.paths, self.result)

    def then(self, later: Change) -> Change:
        """This change followed by `later`, as one (a spin box dragged over many values is one undo step)."""
        return Change.between(self.before, later.after, self.text)


class Events:
    """Listeners, each for some sections (paths); `emit` calls each one with the paths it cares about."""

    def __init__(self) -> None:
        self._listeners: list[tuple[Listener, tuple[Path, ...]]] = []

    def connect(self, listener: Listener, *sections: Path) -> Callable[[], None]:
        """Call `listener(paths)` when something under one of `sections` changes (none given: anything).
        Returns a function that disconnects it."""
        entry = (listener, tuple(sections) or (ROOT,))
        self._listeners.append(entry)

        def disconnect() -> None:
            if entry in self._listeners:
                self._listeners.remove(entry)
        return disconnect

    def emit(self, paths: Iterable[Path]) -> None:
        paths = list(paths)
        for listener, sections in list(self._listeners):
            mine = [p for p in paths if any(touches(p, s) for s in sections)]
            if mine:
                listener(mine)


class SpecDocument:
    """A valid run spec and its edits. Read with `view()` (live, do not change it) or `spec` (a copy);
    change it with `prepare(...)` (or a named edit below) then `apply(change)`."""

    def __init__(self, spec: dict[str, Any] | None = None) -> None:
        self._spec = parse_spec(spec).to_dict() if spec is not None else RunSpec().to_dict()
        self._parsed: RunSpec | None = None
        self.events = Events()

    # ------------------------------------------------------------------ reading
    def view(self) -> dict[str, Any]:
        return self._spec

    @property
    def spec(self) -> dict[str, Any]:
        return copy.deepcopy(self._spec)

    @property
    def run_spec(self) -> RunSpec:
        if self._parsed is None:
            self._parsed = parse_spec(self._spec)
        return self._parsed

    # ------------------------------------------------------------------ editing
    @staticmethod
    def problem(new: dict[str, Any]) -> str | None:
        """None if `new` is a valid spec, else the problems in words."""
        try:
            parse_spec(new)
        except SpecError as exc:
            return "\n".join(exc.problems)
        return None

    def prepare(self, mutate: Callable[[dict[str, Any]], Any], text: str = "") -> Change:
        """The Change `mutate(copy of the spec)` would make, checked by the spec; raises EditRefusedError."""
        new = self.spec
        try:
            result = mutate(new)
        except (KeyError, IndexError, ValueError) as exc:
            raise EditRefusedError(str(exc).strip("'\"")) from None
        why = self.problem(new)
        if why:
            raise EditRefusedError(why)
        return Change.between(copy.deepcopy(self._spec), new, text, result)

    def apply(self, change: Change) -> None:
        """Make `change.after` the spec and tell the listeners of the paths it changed. A Change prepared on
        another spec than the current one is refused: applying it would undo whatever came in between."""
        if change.before != self._spec:
            raise EditRefusedError(f"the edit `{change.text}` was prepared on an older spec; prepare it again")
        self._spec = copy.deepcopy(change.after)
        self._parsed = None
        self.events.emit(change.paths)

    def load(self, data: dict[str, Any]) -> None:
        """Replace the whole spec (a file opened, a new project); raises SpecError; every listener hears it."""
        self._spec = parse_spec(data).to_dict()
        self._parsed = None
        self.events.emit([ROOT])

    # ------------------------------------------------------------------ the edits, by name (each returns the
    # prepared Change, not yet applied: `apply` it, or push it onto an undo stack that will)
    def set(self, path: Path, value: Any, text: str = "") -> Change:
        """Set one field, e.g. `set(("optimizer", "learning_rate"), 0.01)`; a missing section on the way is
        created (switching on early stopping by setting its patience)."""
        def mutate(s: dict[str, Any]) -> None:
            node = s
            for part in path[:-1]:
                node = node[part] if node.get(part) is not None else node.setdefault(part, {})
            node[path[-1]] = value
        return self.prepare(mutate, text or "Set " + ".".join(path))

    def add_block(self, block_type: str, index: int | None = None, params: dict[str, Any] | None = None) -> Change:
        """Its `result` is the new block's id."""
        return self.prepare(lambda s: model_edits.add_block(s, block_type, index, params), f"Add {block_type}")

    def duplicate_blocks(self, ids: list[str]) -> Change:
        """Its `result` is the copies' ids."""
        return self.prepare(lambda s: model_edits.duplicate_blocks(s, ids), "Duplicate")

    def paste_blocks(self, rows: list[dict[str, Any]], index: int | None = None) -> Change:
        """Its `result` is the pasted blocks' ids."""
        return self.prepare(lambda s: model_edits.paste_blocks(s, rows, index), "Paste")

    def set_enabled(self, ids: list[str], enabled: bool) -> Change:
        return self.prepare(lambda s: model_edits.set_enabled(s, ids, enabled),
                            ("Enable " if enabled else "Disable ") + ", ".join(ids))

    def remove_blocks(self, ids: list[str]) -> Change:
        return self.prepare(lambda s: model_edits.remove_blocks(s, ids), "Delete " + ", ".join(ids))

    def move_blocks(self, ids: list[str], to: int) -> Change:
        return self.prepare(lambda s: model_edits.move_blocks(s, ids, to), "Move " + ", ".join(ids))

    def rename_block(self, old: str, new: str) -> Change:
        return self.prepare(lambda s: model_edits.rename_block(s, old, new), f"Rename {old} to {new}")

    def set_param(self, block_id: str, name: str, value: Any) -> Change:
        return self.prepare(lambda s: model_edits.set_param(s, block_id, name, value), f"Set {block_id}.{name}")

    def connect(self, source: str, target: str) -> Change:
        return self.prepare(lambda s: model_edits.connect(s, source, target), f"Connect {source} → {target}")

    def disconnect(self, source: str, target: str) -> Change:
        return self.prepare(lambda s: model_edits.disconnect(s, source, target), f"Disconnect {source} → {target}")

    def apply_fix(self, block_id: str, fix: Fix) -> Change:
        """A checker's fix for a block (it may set the loss as well as the block)."""
        return self.prepare(lambda s: apply_run_fix(s, block_id, fix), fix.label)
