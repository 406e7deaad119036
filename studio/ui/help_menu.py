"""Help ▸ Course and Help ▸ Glossary, and the runs folders the course reads its ticks from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths


def unsaved_runs_root() -> Path:
    """Where the runs of a spec not saved yet go (a preset opened as a template, a lesson)."""
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)) / "runs"


class HelpActions:
    """The Help menu's handlers for `window` (a MainWindow: runs_root, files)."""

    def __init__(self, window: Any):
        self.window = window

    def runs_roots(self) -> list[Path]:
        """The folders whose runs tick the course: this project's and the one for unsaved specs."""
        roots = [self.window.runs_root(), unsaved_runs_root()]
        return list(dict.fromkeys(roots))

    def gallery(self, course: bool = False) -> None:
        from studio.ui.gallery import PresetGallery

        gallery = PresetGallery(self.window, runs_roots=self.runs_roots(), course=course)
        if gallery.exec() and gallery.chosen is not None:
            self.window.files.open_file(gallery.chosen.path, as_template=True)

    def course(self) -> None:
        self.gallery(course=True)

    def glossary(self) -> None:
        from studio.ui.glossary_dialog import GlossaryDialog

        dialog = GlossaryDialog(self.window)
        dialog.setObjectName("glossaryDialog")
        dialog.open()
