"""New from preset: a gallery of the shipped examples, each with its thumbnail and what it teaches. It opens
on the optimisation lab (the gentlest start), marks the presets whose data must be downloaded once, and
gives a rough training time for each. Its Course tab lists the lessons in order, ticked when a run met the goal."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QScrollArea, QTabWidget, QVBoxLayout, QWidget)

from studio.core import datasets
from studio.core.presets import Preset, list_presets
from studio.data.keras_cache import needs_download
from studio.data.train_estimate import estimate_text
from studio.ui.course_list import CourseList, lesson_html

THUMB = QSize(160, 100)
FIRST = "optimization_lab"  # selected when the gallery opens
DOWNLOAD_MARK = "⤓ needs internet once"


class PresetGallery(QDialog):
    """Pick a preset; `chosen` holds it after the dialog is accepted."""

    def __init__(self, parent: QWidget | None = None, presets: list[Preset] | None = None,
                 runs_roots: list[Path] | None = None, course: bool = False):
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
        self._estimates: dict[str, str] = {}
        for preset in self._presets:
            download = self._needs_download(preset)
            item = QListWidgetItem(preset.title + (f"\n{DOWNLOAD_MARK}" if download else ""))
            if preset.thumbnail:
                item.setIcon(QIcon(QPixmap(str(preset.thumbnail))))
            item.setToolTip(preset.description + (f"\n\nIts data ({download}) is downloaded from the internet the "
                                                  "first time it trains, then cached." if download else ""))
            item.setData(Qt.ItemDataRole.UserRole, preset.name)
            self.list.addItem(item)

        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setMinimumWidth(260)
        self.details.setMaximumWidth(340)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self._open = buttons.button(QDialogButtonBox.StandardButton.Open)

        self.course = CourseList(runs_roots or [])
        self.tabs = QTabWidget()
        self.tabs.addTab(self.list, "Presets")
        self.tabs.addTab(self.course, f"Course ({self.course.done} of {len(self.course.entries)} done)")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.course.currentRowChanged.connect(self._show_lesson)
        self.course.itemDoubleClicked.connect(lambda _item: self.accept())

        body = QHBoxLayout()
        body.addWidget(self.tabs, 1)
        scroll = QScrollArea()  # a lesson's steps and hints can be longer than the dialog is high
        scroll.setWidget(self.details)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(280)
        scroll.setMaximumWidth(360)
        body.addWidget(scroll)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(buttons)

        self.list.currentRowChanged.connect(self._show)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        if self._presets:
            names = [p.name for p in self._presets]
            self.list.setCurrentRow(names.index(FIRST) if FIRST in names else 0)
        else:
            self.details.setText("No presets were found. They ship in the <code>presets/</code> folder.")
            self._open.setEnabled(False)
        if course and self.course.entries:
            self.tabs.setCurrentWidget(self.course)

    def _tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.course:
            self.setWindowTitle("Course")
            if self.course.currentRow() < 0 and self.course.entries:
                first_open = next((n for n, e in enumerate(self.course.entries) if not e.met), 0)
                self.course.setCurrentRow(first_open)  # the next lesson to do
            else:
                self._show_lesson(self.course.currentRow())
        else:
            self.setWindowTitle("New from preset")
            self._show(self.list.currentRow())

    def _show_lesson(self, row: int) -> None:
        if row >= 0:
            self.details.setText(lesson_html(self.course.entries[row]))

    def _show(self, row: int) -> None:
        if row < 0:
            return
        p = self._presets[row]
        spec = p.load()
        source = datasets.get(spec.data.source)
        download = self._needs_download(p)
        offline = (" — <b>needs internet once</b> (downloaded, then cached; or give a local copy in Data)"
                   if download else "" if source.offline else " (in the Keras cache: no download needed)")
        if p.name not in self._estimates:
            self._estimates[p.name] = estimate_text(spec)
        self.details.setText(
            f"<h3>{p.title}</h3><p>{p.description}</p>"
            + (f"<p><b>What it teaches.</b> {p.teaches}</p>" if p.teaches else "")
            + f"<p><b>Data:</b> {source.title}{offline}<br><b>Blocks:</b> {len(spec.model.blocks)}"
            f"<br><b>Optimizer:</b> {optimizer_label(spec)}, learning rate {spec.optimizer.learning_rate:g}"
            f"<br><b>Epochs:</b> {spec.training.epochs}"
            f"<br><b>Training time:</b> {self._estimates[p.name]} on a laptop CPU (a rough estimate from the "
            "model and data size)</p>")

    @staticmethod
    def _needs_download(preset: Preset) -> str | None:
        try:
            return needs_download(preset.load().to_dict()["data"])
        except Exception:  # noqa: BLE001 - a broken preset is shown (and refused on open) elsewhere
            return None

    def accept(self) -> None:
        if self.tabs.currentWidget() is self.course:
            row = self.course.currentRow()
            if row >= 0:
                self.chosen = self.course.entries[row].preset
                super().accept()
            return
        row = self.list.currentRow()
        if row >= 0:
            self.chosen = self._presets[row]
            super().accept()


def optimizer_label(spec) -> str:
    """Keras' optimizers by their name, your own by its class (a Python identifier: the spec checks it)."""
    opt = spec.optimizer
    return f"{opt.class_name} (your own)" if opt.name == "custom" and opt.class_name else opt.name
