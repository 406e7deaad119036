"""Help ▸ About: the icon, the version, and what this installation runs on (keras, the installed backends, Qt,
Python), read from package metadata so no backend is imported."""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from studio import __version__
from studio.core.install_hints import install_command
from studio.core.resources import icon_path
from studio.core.spec import BACKENDS
from studio.jobs.devices import backend_versions


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("About Keras Studio")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        icon = QLabel()
        icon.setPixmap(QIcon(str(icon_path("svg"))).pixmap(96, 96))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        versions = backend_versions()
        rows = [f"<tr><td>{name}</td><td>{versions[name]}</td></tr>" for name in versions]
        rows += [f"<tr><td>{b}</td><td><i>not installed</i> — <code>{install_command(b)}</code></td></tr>"
                 for b in BACKENDS if b not in versions]
        rows += [f"<tr><td>Qt (PySide6)</td><td>{pyside_version}</td></tr>",
                 f"<tr><td>Python</td><td>{platform.python_version()}</td></tr>"]
        self.text = QLabel(
            f"<h2>Keras Studio {__version__}</h2>"
            "<p>Build, train, evaluate and export Keras 3 networks on TensorFlow, PyTorch or JAX.<br>"
            "The model is a run spec: the same JSON the command line trains.</p>"
            f"<table cellspacing='6'>{''.join(rows)}</table>")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # copy into a bug report
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addWidget(self.text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)
