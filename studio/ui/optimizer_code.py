"""View ▸ Optimizer code: the editor of a custom optimizer's .py file (optimizer.name = "custom").

It opens the file the spec names (beside the project), writes the template (SGD with momentum in keras.ops)
when there is none, saves atomically, and Check reads the file without running it (syntax, the class,
update_step) and then, once its folder is trusted, runs one step on a tiny model in the backend's warm worker
(`studio.jobs.optimizer_check`). An error names its line, which the editor selects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase, QTextCursor, QTextFormat
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QHBoxLayout, QLabel, QMessageBox, QPlainTextEdit,
                               QPushButton, QTextEdit, QVBoxLayout, QWidget)

from studio.core.custom_code import TEMPLATE_CLASS, code_file, file_problem, template
from studio.core.optimizers import CUSTOM
from studio.core.runs import write_atomic
from studio.ui import code_trust, theme
from studio.ui.background import Background
from studio.ui.document import Document

DEFAULT_FILE = "my_optimizer.py"


class OptimizerCode(QWidget):
    message = Signal(str)  # for the status bar
    checked = Signal(bool, str)  # ok, what the check said (the panel's own label shows it too)

    def __init__(self, doc: Document, background: Background, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc, self.background = doc, background
        self._shown_path: Path | None = None
        self._was_custom = False
        lay = QVBoxLayout(self)
        self.where = QLabel(wordWrap=True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.where)
        self.trust_note = QLabel(wordWrap=True)
        self.trust_note.setObjectName("codeTrustNote")
        self.trust_note.setStyleSheet(f"color: {theme.colors().error};")
        lay.addWidget(self.trust_note)
        buttons = QHBoxLayout()
        self.use_custom = QPushButton("Use my own optimizer")
        self.use_custom.setToolTip(f"Set the optimizer to `custom`, trained from {DEFAULT_FILE} beside the project")
        self.new_button = QPushButton("New from template")
        self.new_button.setToolTip("Write SGD with momentum, written out in keras.ops, to start from")
        self.open_button = QPushButton("Open…")
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Write the file (File ▸ Save saves the project, not this file); Check saves too")
        self.check_button = QPushButton("Check")
        self.check_button.setToolTip("Read the file, then run one step on a tiny model (in a separate process)")
        for b in (self.use_custom, self.new_button, self.open_button, self.save_button, self.check_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        self.text = QPlainTextEdit()
        self.text.setObjectName("optimizerSource")
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setTabChangesFocus(False)
        lay.addWidget(self.text, 1)
        self.result = QLabel(wordWrap=True)
        self.result.setObjectName("optimizerCheckResult")
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.result)
        self.use_custom.clicked.connect(self.use_own_optimizer)
        self.new_button.clicked.connect(self.new_from_template)
        self.open_button.clicked.connect(self.choose_file)
        self.save_button.clicked.connect(self.save)
        self.check_button.clicked.connect(self.check)
        self.text.modificationChanged.connect(lambda _m: self._show_where())
        doc.changed.connect(self._refresh)
        doc.path_changed.connect(self._opened)
        code_trust.notifier.trusted.connect(self._refresh_trust)
        self._refresh()

    # ------------------------------------------------------------------ the spec → the panel
    def path(self) -> Path | None:
        """The file the spec names, beside the project (None when the optimizer is Keras' own)."""
        return code_file(code_trust.beside_project(self.doc, self.doc.run_spec))

    def class_name(self) -> str:
        return self.doc.run_spec.optimizer.class_name or TEMPLATE_CLASS

    def _refresh(self) -> None:
        path = self.path()
        custom = path is not None
        for b in (self.new_button, self.open_button, self.save_button, self.check_button):
            b.setEnabled(custom)
        self.use_custom.setVisible(not custom)
        self.text.setReadOnly(not custom)
        if path is not None and path != self._shown_path:
            self._load(path)
        if custom and not self._was_custom and self.isVisible() is False:
            dock = self.parentWidget()
            if isinstance(dock, QDockWidget):  # the optimizer just became custom: show its code
                dock.show()
                dock.raise_()
        self._was_custom = custom
        self.trust_note.setText(code_trust.notice(self.doc))
        self.trust_note.setVisible(bool(self.trust_note.text()))
        self._show_where()

    def _opened(self) -> None:
        self._shown_path = None  # another project: its own file, even if the name is the same
        self._refresh()
        if note := code_trust.notice(self.doc):
            self.message.emit(note)

    def _show_where(self) -> None:
        path = self.path()
        if path is None:
            self.where.setText("The optimizer is one of Keras' own. To write your own, press Use my own optimizer "
                               "(or choose `custom` in Setup ▸ Optimizer).")
            return
        state = " (not saved)" if self.text.document().isModified() else ("" if path.is_file() else " (no file yet)")
        self.where.setText(f"<b>{self.class_name()}</b> in {path}{state}")

    def _load(self, path: Path) -> None:
        self._shown_path = path
        try:
            source = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            source = ""
            self.result.setText("No file yet: New from template writes one to start from.")
        except (OSError, UnicodeDecodeError) as exc:
            source = ""
            self.result.setText(f"Cannot read {path}: {getattr(exc, 'strerror', None) or exc}")
        self.text.setPlainText(source)
        self.text.document().setModified(False)
        self._mark_line(0)

    # ------------------------------------------------------------------ actions
    def use_own_optimizer(self) -> None:
        def mutate(s: dict[str, Any]) -> None:
            o = s["optimizer"]
            o.update(name=CUSTOM, params={}, path=o.get("path") or DEFAULT_FILE,
                     class_name=o.get("class_name") or TEMPLATE_CLASS)
        if why := self.doc.patch(mutate, "Use my own optimizer"):
            self.message.emit(why)

    def new_from_template(self) -> None:
        path = self.path()
        if path is None:
            return
        if path.exists() and QMessageBox.question(
                self, "Keras Studio", f"{path.name} exists. Replace it with the template?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel) != QMessageBox.StandardButton.Yes:
            return
        self.text.setPlainText(template(self.class_name(), path.name))
        self.save()

    def choose_file(self) -> None:
        start = str(code_trust.project_folder(self.doc))
        name, _ = QFileDialog.getOpenFileName(self, "Open an optimizer", start, "Python files (*.py)")
        if not name:
            return
        chosen = Path(name)
        folder = code_trust.project_folder(self.doc)
        shown = str(chosen.relative_to(folder)) if chosen.is_relative_to(folder) else str(chosen)

        def mutate(s: dict[str, Any]) -> None:
            s["optimizer"]["path"] = shown
        if why := self.doc.patch(mutate, f"Use the optimizer in {chosen.name}"):
            self.message.emit(why)

    def save(self) -> bool:
        path = self.path()
        if path is None:
            return False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, self.text.toPlainText())
        except OSError as exc:
            QMessageBox.warning(self, "Keras Studio", f"Cannot save {path}:\n{exc.strerror or exc}")
            return False
        self.text.document().setModified(False)
        self.message.emit(f"Saved {path}")
        self._show_where()
        return True

    def _unsaved(self, path: Path) -> bool:
        """Whether the editor holds other text than the file (what Check checks is what is on disk)."""
        try:
            return self.text.document().isModified() or path.read_text(encoding="utf-8") != self.text.toPlainText()
        except (OSError, UnicodeDecodeError):
            return True

    def check(self) -> None:
        path = self.path()
        if path is None or (self._unsaved(path) and not self.save()):
            return
        if problem := file_problem(path, self.class_name()):  # read, not run: no trust needed
            self._said(False, f"{path.name}: {problem}", problem.line)
            return
        allowed = code_trust.allowed_code(self, self.doc, self.doc.run_spec)
        if allowed is None:
            self._said(False, "Not checked: the folder's code is not trusted, so nothing of it ran.", 0)
            return
        spec = allowed[0]
        self.check_button.setEnabled(False)
        self.result.setText(f"Checking: one step on a tiny model on {spec.training.backend} …")
        from studio.jobs.optimizer_check import check_optimizer

        opt = spec.optimizer
        self.background.submit(
            lambda: check_optimizer(path, self.class_name(), spec.training.backend, opt.learning_rate,
                                    opt.resolved_params()),
            self._passed, self._failed)

    def _refresh_trust(self, _folder: str = "") -> None:
        self.trust_note.setText(code_trust.notice(self.doc))
        self.trust_note.setVisible(bool(self.trust_note.text()))

    def _passed(self, step: dict[str, Any]) -> None:
        self.check_button.setEnabled(True)
        self._said(True, f"✔ One step on a tiny model took the loss from {step['loss_before']:.4g} to "
                         f"{step['loss_after']:.4g}; {step['changed']} weight tensors changed.", 0)

    def _failed(self, exc: Exception) -> None:
        from studio.jobs.optimizer_check import problem_line

        self.check_button.setEnabled(True)
        message = getattr(exc, "message", None) or str(exc)
        self._said(False, message, problem_line(message))

    def _said(self, ok: bool, text: str, line: int) -> None:
        color = theme.colors().ok if ok else theme.colors().error
        self.result.setStyleSheet(f"color: {color};")
        self.result.setText(text)
        self._mark_line(line)
        self.checked.emit(ok, text)

    def _mark_line(self, line: int) -> None:
        """Select the line an error names (1-based) and tint it; 0 clears the mark."""
        if line <= 0:
            self.text.setExtraSelections([])
            return
        block = self.text.document().findBlockByNumber(line - 1)
        cursor = QTextCursor(block)
        self.text.setTextCursor(cursor)
        mark = QTextEdit.ExtraSelection()
        mark.cursor = cursor
        mark.format.setBackground(QColor(theme.colors().error_bg))
        mark.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        self.text.setExtraSelections([mark])
        self.text.centerCursor()

    def marked_line(self) -> int:
        """The 1-based line the last error marked (0 when none): what the user sees highlighted."""
        marks = self.text.extraSelections()
        return marks[0].cursor.blockNumber() + 1 if marks else 0
