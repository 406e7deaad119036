"""The project as a file: new, open, save, save as, the recent files, the presets' menu, and the offer to restore
what an autosave kept after a crash. The window's File menu and its close ask this; it asks the user through
dialogs over the window and tells what it did in the window's status bar."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import cast

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox

from studio.core.custom_code import resolved
from studio.core.presets import list_presets
from studio.core.spec import SpecError
from studio.ui.document import Document

APP_NAME = "Keras Studio"
MAX_RECENT = 8
FILE_FILTER = "Run specs (*.json);;All files (*)"


def settings() -> QSettings:
    return QSettings("KerasStudio", "Keras Studio")


class ProjectFiles(QObject):
    # another project is in the window (New: "", or a file or a preset's path): nothing of the old one is selected
    # or shown
    opened = Signal(str)

    def __init__(self, doc: Document, window: QMainWindow):
        super().__init__(window)
        self.doc, self.window = doc, window
        self.recent_menu: QMenu | None = None

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 5000)

    def fill_menus(self, recent: QMenu, presets: QMenu) -> None:
        """File ▸ Open Recent (kept current from here on) and File ▸ Open Preset."""
        self.recent_menu = recent
        for p in list_presets():
            presets.addAction(p.title, partial(self.open_file, p.path, as_template=True)).setToolTip(p.description)
        self._recent_refresh()

    def maybe_save(self) -> bool:
        """Ask about unsaved changes; False when the user cancels."""
        if not self.doc.dirty:
            return True
        answer = QMessageBox.question(
            self.window, APP_NAME, f"Save the changes to {self.doc.title}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_project(self) -> None:
        if self.maybe_save():
            self.doc.new()
            self.doc.discard_autosave()
            self.opened.emit("")
            self._status("A new project: nothing trained yet")  # not the last run's "Showing …"

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = str(self.doc.path.parent) if self.doc.path else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self.window, "Open a run spec", start, FILE_FILTER)
        if path:
            self.open_file(path, ask=False)

    def open_file(self, path, as_template: bool = False, ask: bool = True) -> bool:
        if ask and not self.maybe_save():
            return False
        try:
            self.doc.open(path)
        except SpecError as exc:
            QMessageBox.warning(self.window, APP_NAME, f"Cannot open {path}:\n\n" + "\n".join(exc.problems))
            return False
        if as_template:
            # a preset is a starting point: saving must not overwrite the shipped file; its own optimizer file
            # stays the one beside it (made absolute), which the app asks about before running it
            beside = resolved(self.doc.run_spec, Path(path).parent)
            self.doc.load_dict(beside.to_dict(), None)
        else:
            self._recent_add(str(Path(path).resolve()))
        self.opened.emit(str(path))
        self._status(f"Opened {path}")  # in place of any word about the last project's runs
        return True

    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as()
        return self._write(self.doc.path)

    def save_as(self) -> bool:
        start = str(self.doc.path or Path.home() / f"{self.doc.view()['meta']['title'] or 'model'}.json")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save the run spec", start, FILE_FILTER)
        if not path:
            return False
        if not path.endswith(".json"):
            path += ".json"
        return self._write(Path(path))

    def _write(self, path: Path) -> bool:
        try:
            self.doc.save(path)
        except OSError as exc:
            QMessageBox.warning(self.window, APP_NAME, f"Cannot save {path}:\n{exc.strerror or exc}")
            return False
        self._recent_add(str(path.resolve()))
        self._status(f"Saved {path}")
        return True

    def _recent_add(self, path: str) -> None:
        s = settings()
        recent = [p for p in cast(list[str], s.value("recent", []) or []) if p != path]
        s.setValue("recent", [path] + recent[: MAX_RECENT - 1])
        self._recent_refresh()

    def _recent_refresh(self) -> None:
        if self.recent_menu is None:
            return
        self.recent_menu.clear()
        recent = cast("list[str] | str", settings().value("recent", []) or [])  # one path comes back as a str
        if isinstance(recent, str):
            recent = [recent]
        for p in recent:
            self.recent_menu.addAction(p, partial(self.open_file, p))
        self.recent_menu.setEnabled(bool(recent))

    def offer_recovery(self) -> bool:
        """After a crash: offer the autosaved spec back. True when it was restored."""
        payload = self.doc.recoverable()
        if payload is None:
            return False
        answer = QMessageBox.question(self.window, APP_NAME, "Keras Studio did not close properly last time. "
                                      "Restore the unsaved work it kept?",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            self.doc.discard_autosave()
            return False
        path = Path(payload["path"]) if payload.get("path") else None
        self.doc.load_dict(payload["spec"], path, clean=False)
        return True
