"""What every setup panel shares: it watches its own sections of the document (`sections`), redraws under a
signal blocker, and writes each change back as one undoable edit (merged while the same field keeps changing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from studio.core.document import EditRefusedError
from studio.core.spec import monitor_choices
from studio.ui import theme
from studio.ui.document import Document
from studio.ui.forms import ParamForm, params_from_model


class SectionPanel(QWidget):
    message = Signal(str)
    sections: tuple[tuple[str, ...], ...] = ()  # the spec paths the panel shows; it redraws when one changes

    def __init__(self, doc: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc = doc
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet(f"color: {theme.colors().error};")
        self.error.hide()
        self._refreshing = False
        doc.subscribe(self, lambda _paths: self._on_changed(), *self.sections)

    def _on_changed(self) -> None:
        self._refreshing = True
        try:
            blockers = [QSignalBlocker(w) for w in self.findChildren(QWidget)]
            self.refresh(self.doc.view())
            del blockers
        finally:
            self._refreshing = False

    def refresh(self, spec: dict[str, Any]) -> None:  # overridden
        raise NotImplementedError

    def finish_form(self, layout: QVBoxLayout) -> None:
        """End a form-only panel: its error line, the room left, and the first draw from the document."""
        layout.addWidget(self.error)
        layout.addStretch(1)
        self._on_changed()

    def patch(self, mutate: Callable[[dict], None], text: str, key: str | None = None) -> bool:
        if self._refreshing:
            return False
        problem = self.doc.patch(mutate, text, merge_key=key)
        if problem:
            self.refuse(problem)
            self._on_changed()  # put the widgets back to what the document holds
            return False
        self.error.hide()
        return True

    def set_field(self, path: tuple[str, ...], value: Any, text: str | None = None) -> bool:
        """Set one field, e.g. `(("optimizer", "learning_rate"), 0.01)`, as one undoable edit (merged while
        the same field keeps changing)."""
        if self._refreshing:
            return False
        try:
            change = self.doc.core.set(path, value, text or "Set " + ".".join(path))
        except EditRefusedError as exc:
            self.refuse(str(exc))
            self._on_changed()  # put the widgets back to what the document holds
            return False
        self.doc.push(change, merge_key=".".join(path))
        self.error.hide()
        return True

    def refuse(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.message.emit(message)


class MonitoredForm(QWidget):
    """The form of a callback section with a `monitor` field (early stopping, reduce on plateau): its fields
    come from the section's pydantic model, the monitor offers exactly what the run logs, and the form is
    rebuilt when the metrics (and so those choices) change. Emits `changed(name, value)`, `refused(text)`."""

    changed = Signal(str, object)
    refused = Signal(str)

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.defaults = model().model_dump()
        self.choices: list[str] | None = None
        self.form: ParamForm | None = None
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)

    def show_values(self, values: dict[str, Any] | None, metrics: list[str]) -> None:
        choices = monitor_choices(metrics)
        values = values or self.defaults
        if choices != self.choices:
            self.choices = choices
            if self.form is not None:
                self.form.setParent(None)
                self.form.deleteLater()
            self.form = ParamForm(params_from_model(self.model, choices={"monitor": choices}), values)
            self.form.changed.connect(self.changed)
            self.form.refused.connect(self.refused)
            self._box.addWidget(self.form)
        else:
            assert self.form is not None  # built on the first call: choices start unset
            self.form.set_values(values)


class CallbackSection(QGroupBox):
    """A checkable group for an optional callback section of the spec at `path` (early stopping, reduce on
    plateau): ticked, the section holds its model's defaults; unticked, it is None. Its form is a
    `MonitoredForm` of the model; every change goes through `panel`, so refusals show there."""

    def __init__(self, title: str, model, path: tuple[str, ...], panel: SectionPanel, on_text: str, off_text: str):
        super().__init__(title, checkable=True)
        self.model, self.path, self.panel = model, path, panel
        self._texts = (off_text, on_text)
        self.form = MonitoredForm(model)
        self.form.changed.connect(self._field_changed)
        self.form.refused.connect(panel.refuse)
        QVBoxLayout(self).addWidget(self.form)
        self.toggled.connect(self._toggled)

    def show_section(self, spec: dict[str, Any]) -> None:
        values = self._current(spec)
        self.setChecked(values is not None)
        self.form.show_values(values, spec["training"]["metrics"])

    def _current(self, spec: dict[str, Any]) -> dict[str, Any] | None:
        node: Any = spec
        for part in self.path:
            node = node.get(part) if isinstance(node, dict) else None
        return node

    def _toggled(self, on: bool) -> None:
        *parents, name = self.path
        value = self.model().model_dump() if on else None

        def mutate(s):
            node = s
            for part in parents:
                node = node[part]
            node[name] = value
        self.panel.patch(mutate, self._texts[on])  # its own undo step: ticking then unticking is two edits

    def _field_changed(self, name: str, value: Any) -> None:
        if self._current(self.panel.doc.view()) is not None:
            self.panel.set_field((*self.path, name), value)
