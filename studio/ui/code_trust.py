"""The app's side of code the user runs (a custom optimizer's .py file): the spec's file is looked for beside
the project, a project whose folder is not trusted says so when it opens and runs nothing, and Train asks
once per folder, remembering the answer in the Qt-free trust store (`studio.core.trust`) the CLI reads too."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from studio.core.custom_code import code_file, resolved
from studio.core.spec import RunSpec
from studio.core.trust import TrustStore
from studio.ui.document import Document

TITLE = "Run your own code?"


class _Notifier(QObject):
    trusted = Signal(str)  # a folder the user just trusted: notes that named it go


notifier = _Notifier()


def project_folder(doc: Document) -> Path:
    """Where the project's relative paths start: the spec file's folder (the working folder while unsaved)."""
    return doc.path.parent if doc.path else Path.cwd()


def beside_project(doc: Document, spec: RunSpec) -> RunSpec:
    return resolved(spec, project_folder(doc))


def untrusted_file(doc: Document, store: TrustStore | None = None) -> Path | None:
    """The code file the document's spec names when its folder is not trusted (None: no code, or trusted)."""
    path = code_file(beside_project(doc, doc.run_spec))
    return path if path is not None and not (store or TrustStore()).trusts(path) else None


def notice(doc: Document) -> str:
    """The line the window shows when a project naming untrusted code opens ('' when there is none)."""
    path = untrusted_file(doc)
    if path is None:
        return ""
    return (f"This project runs your own Python code from {path}; nothing of it runs until you trust the folder "
            f"{path.parent} (Train asks)")


def run_trusted(run_dir: str | Path) -> bool:
    """Whether the code a past run's spec names lies in a trusted folder, so opening its model (which needs
    that optimizer) may run it; False for a run without code (nothing to allow)."""
    from studio.core.runs import SPEC_FILE, read_json

    data = read_json(Path(run_dir) / SPEC_FILE)
    opt = data.get("optimizer") if isinstance(data, dict) else None
    path = opt.get("path") if isinstance(opt, dict) and opt.get("name") == "custom" else None
    return isinstance(path, str) and TrustStore().trusts(path)


def allowed_code(parent: QWidget, doc: Document, spec: RunSpec,
                 store: TrustStore | None = None) -> tuple[RunSpec, list[str]] | None:
    """The spec with its code file beside the project, and the files its run may run; None when the user
    declined (or the file is missing, said in a message box). Asks once per folder."""
    store = store or TrustStore()
    spec = beside_project(doc, spec)
    path = code_file(spec)
    if path is None:
        return spec, []
    if not path.is_file():
        QMessageBox.warning(parent, "Keras Studio", f"The custom optimizer's file is missing:\n\n{path}\n\n"
                            "Open View ▸ Optimizer code to write one from the template, or fix optimizer.path.")
        return None
    if not store.trusts(path):
        answer = QMessageBox.question(
            parent, TITLE,
            f"<p>This project trains with your own optimizer, Python code that runs with your rights:</p>"
            f"<p><b>{html.escape(str(path))}</b></p><p>Trust the folder <b>{html.escape(str(path.parent))}</b> "
            "and run its code? Keras Studio remembers your answer for this folder. Read the file first if someone "
            "sent it to you.</p>",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return None
        store.trust(path.parent)
        notifier.trusted.emit(str(path.parent))
    return spec, [str(path.resolve())]
