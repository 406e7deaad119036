"""New from preset: a gallery of the shipped examples, each with its thumbnail and what it teaches."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QVBoxLayout, QWidget)

from studio.core import datasets
from studio.core.presets import Preset, list_presets

THUMB = QSize(160, 100)


class PresetGallery(QDialog):
    """Pick a preset; `chosen` holds it after the dialog is accepted."""

    def __init__(self, parent: QWidget | None = None, presets: list[Preset] | None = None):
        super().__init__(parent)
        self.setWindowTitle("New from preset")
        self.resize(900, 560)
        self.chosen: Preset | None = None
        self._presets = presets if presets is not None else list_presets()

        self.list = QListWidget()
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(THUMB)
        self.list.setGridSize(QSize(THUMB.width() + 24, THUMB.height() + 48))
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setSpacing(6)
        for preset in self._presets:
            item = QListWidgetItem(preset.title)
            if preset.thumbnail:
                item.setIcon(QIcon(QPixmap(str(preset.thumbnail))))
            item.setToolTip(preset.description)
            item.setData(Qt.ItemDataRole.UserRole, preset.name)
            self.list.addItem(item)

        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setMinimumWidth(260)
        self.details.setMaximumWidth(320)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self._open = buttons.button(QDialogButtonBox.StandardButton.Open)

        body = QHBoxLayout()
        body.addWidget(self.list, 1)
        body.addWidget(self.details)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(buttons)

        self.list.currentRowChanged.connect(self._show)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        if self._presets:
            self.list.setCurrentRow(0)
        else:
            self.details.setText("No presets were found. They ship in the <code>presets/</code> folder.")
            self._open.setEnabled(False)

    def _show(self, row: int) -> None:
        if row < 0:
            return
        p = self._presets[row]
        spec = p.load()
        source = datasets.get(spec.data.source)
        offline = "" if source.offline else " (downloaded once, then cached)"
        self.details.setText(
            f"<h3>{p.title}</h3><p>{p.description}</p>"
            + (f"<p><b>What it teaches.</b> {p.teaches}</p>" if p.teaches else "")
            + f"<p><b>Data:</b> {source.title}{offline}<br><b>Blocks:</b> {len(spec.model.blocks)}"
            f"<br><b>Optimizer:</b> {spec.optimizer.name}, learning rate {spec.optimizer.learning_rate:g}"
            f"<br><b>Epochs:</b> {spec.training.epochs}</p>")

    def accept(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.chosen = self._presets[row]
            super().accept()
