"""The export dialog: a format, a destination, and the check's verdict (in a background thread)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QVBoxLayout, QWidget)

from studio.jobs import export_job
from studio.jobs.evaluate_job import JobError, resolve_target
from studio.ui.background import Background


class ExportDialog(QDialog):
    """Export the model of a run directory (or a .keras file) and verify the copy."""

    exported = Signal(object)  # the ExportResult

    def __init__(self, target: str | Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export model")
        self.target = Path(target)
        # shadows QDialog.result() (the exec() code), which this dialog never reads
        self.result: export_job.ExportResult | None = None  # type: ignore[assignment]
        self._bg = Background(self, threads=1)
        self.format = QComboBox()
        for f in export_job.FORMATS.values():
            self.format.addItem(f.title, f.name)
        self.onnx_backend = QComboBox()
        for label, value in (("TensorFlow (tf2onnx)", "tensorflow"), ("PyTorch (torch.onnx)", "torch"),
                             ("JAX (jax2onnx)", "jax")):
            self.onnx_backend.addItem(label, value)
        self.path = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("Save to", row)
        form.addRow("ONNX converter", self.onnx_backend)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.export_btn = QPushButton("Export and check")
        self.export_btn.clicked.connect(self.start)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_btn)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.onnx_backend.currentIndexChanged.connect(self._format_changed)
        self._format_changed()

    def chosen(self) -> str:
        return self.format.currentData()

    def _format_changed(self) -> None:
        fmt = self.chosen()
        self.onnx_backend.setEnabled(fmt == "onnx")
        try:
            target = resolve_target(self.target, need_spec=False)
            self.path.setText(str(export_job.default_path(target, fmt)))
        except JobError as exc:
            self.message.setText(exc.message)
        info = export_job.FORMATS[fmt]
        backend = self.onnx_backend.currentData() if fmt == "onnx" else "tensorflow"
        missing = export_job.missing_packages(fmt, backend)
        if not missing:  # the backends this export runs on start loading while the user picks a destination
            export_job.warm_for(self.target, fmt, self.onnx_backend.currentData() if fmt == "onnx" else None)
        if missing:
            self.message.setText(f"{fmt} export needs {', '.join(missing)}: {export_job.install_hint(missing)}")
        else:
            self.message.setText(f"The copy is checked with {info.checked_by} against the trained model.")

    def _browse(self) -> None:
        fmt = self.chosen()
        if fmt == "savedmodel":
            path = QFileDialog.getExistingDirectory(self, "SavedModel folder", str(Path(self.path.text()).parent))
            if path:
                path = str(Path(path) / Path(self.path.text()).name)
        else:
            suffix = export_job.FORMATS[fmt].suffix
            path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text(), f"*{suffix}")
        if path:
            self.path.setText(path)

    def _confirm_replace(self, fmt: str, out: str | None) -> bool | None:
        """force for the export: False when nothing is replaced, True once the user agreed, None if refused."""
        if not out:
            return False
        try:
            export_job.check_destination(resolve_target(self.target, need_spec=False), fmt, Path(out), force=True)
        except JobError as exc:  # the run's own files: never replaced, whatever the answer would be
            self.message.setText(f"Export refused: {exc.message}")
            return None
        if not export_job.would_replace(out):
            return False
        what = "folder and everything in it" if Path(out).is_dir() else "file"
        answer = QMessageBox.question(self, "Replace?", f"{out} already exists.\n\nReplace this {what} with "
                                      "the export? It is replaced only once the new copy passed its check.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            self.message.setText("Not exported: choose another destination, or agree to replace it.")
            return None
        return True

    def start(self) -> None:
        fmt, out = self.chosen(), self.path.text().strip() or None
        onnx_backend = self.onnx_backend.currentData() if fmt == "onnx" else None
        force = self._confirm_replace(fmt, out)
        if force is None:
            return
        self.export_btn.setEnabled(False)
        self.message.setText(f"Exporting {fmt} and checking the copy …")

        def done(result: export_job.ExportResult) -> None:
            self.result = result
            self.export_btn.setEnabled(True)
            self.message.setText(("Done. " + result.describe()) if result.ok else f"Export failed: {result.error}")
            self.exported.emit(result)

        def fail(exc: Exception) -> None:
            self.export_btn.setEnabled(True)
            self.message.setText(f"Export failed: {getattr(exc, 'message', exc)}")

        self._bg.submit(lambda: export_job.export(self.target, fmt, out, onnx_backend=onnx_backend,
                                                        force=force), done, fail)

    def busy(self) -> bool:
        return self._bg.busy()

    def shutdown(self, wait_ms: int = 5000) -> None:
        """Drop a pending result and wait for a running export's thread (call before deleting the dialog)."""
        self._bg.shutdown(wait_ms)
