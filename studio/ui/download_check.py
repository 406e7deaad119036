"""Before Train: a keras.datasets source that is neither cached nor given as a local copy would stall on a
download (or fail offline). Say so first and offer the offline fix: a local copy, or the download itself."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from studio.data.keras_cache import needs_download, offline_fix_text
from studio.data.keras_files import KERAS_FILES
from studio.ui.document import Document

TITLE = "Keras Studio"


def ready_to_train(parent: QWidget, doc: Document) -> bool:
    """True when training may start: nothing to download, or the user chose to download or a local copy."""
    name = needs_download(doc.view()["data"])
    if name is None:
        return True
    B = QMessageBox.StandardButton  # noqa: N806 - a short alias of a Qt enum
    answer = QMessageBox.question(
        parent, TITLE, offline_fix_text(name) + "\n\nYes: download it now and train (needs internet once). "
        "Open: choose a local copy. Cancel: change nothing.", B.Yes | B.Open | B.Cancel, B.Open)
    if answer == B.Yes:
        return True
    if answer != B.Open:
        return False
    path, _ = QFileDialog.getOpenFileName(parent, f"Local copy of {KERAS_FILES[name]}", "", "All files (*)")
    if not path:
        return False

    def use(s):
        s["data"].setdefault("params", {})["path"] = path
    problem = doc.patch(use, "Use a local copy of the data")
    if problem:
        QMessageBox.warning(parent, TITLE, f"Cannot use {path}: {problem}")
        return False
    return True
