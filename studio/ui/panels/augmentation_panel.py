"""Augmentation: the training-only blocks applied after the Input, and a live grid of augmented samples
for image data (re-drawn with new random draws while the panel is visible)."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget)

from studio.core import catalog
from studio.core.params import ParamError
from studio.ui import theme
from studio.ui.aug_preview import augment
from studio.ui.deferred import Deferred
from studio.ui.document import Document
from studio.ui.forms import ParamForm
from studio.ui.panels.common import SectionPanel
from studio.ui.panels.data_panel import DataPanel, image_grid

REROLL_MS = 1500
AUG_TYPES = catalog.augmentation_types()


class AugmentationPanel(SectionPanel):
    sections = (("data", "augmentation"),)

    def __init__(self, doc: Document, data_panel: DataPanel, parent: QWidget | None = None):
        super().__init__(doc, parent)
        self.data_panel = data_panel
        self._form_for: tuple[int, str] | None = None
        self.form: ParamForm | None = None
        self.rng = np.random.default_rng()
        outer = QVBoxLayout(self)
        note = QLabel("Applied to the training data only, right after the Input block.", wordWrap=True)
        note.setStyleSheet(f"color: {theme.colors().muted};")
        outer.addWidget(note)
        row = QHBoxLayout()
        self.kind = QComboBox()
        for t in AUG_TYPES:
            self.kind.addItem(t, t)
            self.kind.setItemData(self.kind.count() - 1, catalog.BLOCKS[t].help, 3)
        add = QPushButton("Add")
        add.clicked.connect(self.add)
        self.remove_btn = QPushButton("Remove")
        self.remove_btn.clicked.connect(self.remove)
        row.addWidget(self.kind, 1)
        row.addWidget(add)
        row.addWidget(self.remove_btn)
        outer.addLayout(row)
        self.list = QListWidget()
        self.list.setMaximumHeight(110)
        self.list.currentRowChanged.connect(lambda _r: self._on_changed())
        outer.addWidget(self.list)
        self.form_box = QVBoxLayout()
        outer.addLayout(self.form_box)
        outer.addWidget(self.error)
        self.preview_note = QLabel()
        outer.addWidget(self.preview_note)
        self.grid = Deferred(image_grid)  # built when first shown (pyqtgraph is not loaded at start)
        self.grid.setMinimumHeight(160)
        outer.addWidget(self.grid, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REROLL_MS)
        self.timer.timeout.connect(self.preview)
        data_panel.samples_ready.connect(lambda _s: self.preview())
        self._on_changed()

    def showEvent(self, event):  # noqa: N802 - re-roll only while someone can see it
        super().showEvent(event)
        self.timer.start()
        self.preview()

    def hideEvent(self, event):  # noqa: N802
        super().hideEvent(event)
        self.timer.stop()

    def shutdown(self) -> None:
        self.timer.stop()

    # ------------------------------------------------------------------ document → widgets
    def refresh(self, spec: dict[str, Any]) -> None:
        augs = spec["data"]["augmentation"]
        row = self.list.currentRow()
        self.list.clear()
        for a in augs:
            self.list.addItem(a["type"])
        if augs:
            row = min(max(row, 0), len(augs) - 1)
            self.list.setCurrentRow(row)
            current = augs[row]
            entry = catalog.get(current["type"])
            values = entry.check_params(current.get("params", {}))
            if self._form_for != (row, current["type"]) or self.form is None:
                self._drop_form()
                self.form = ParamForm(entry.params, values)
                self.form.changed.connect(lambda n, v, r=row: self._param(r, n, v))
                self.form.refused.connect(self.refuse)
                self.form_box.addWidget(self.form)
                self._form_for = (row, current["type"])
            else:
                self.form.set_values(values)
        else:
            self._drop_form()
        self.remove_btn.setEnabled(bool(augs))
        self.preview()

    def _drop_form(self) -> None:
        if self.form is not None:
            self.form.setParent(None)
            self.form.deleteLater()
        self.form, self._form_for = None, None

    # ------------------------------------------------------------------ widgets → document
    def add(self) -> None:
        t = self.kind.currentData()

        def mutate(s):
            augs = s["data"]["augmentation"]
            augs.append({"id": f"aug_{len(augs) + 1}", "type": t, "params": {}, "inputs": None, "enabled": True})
        if self.patch(mutate, f"Add {t} augmentation"):
            self.list.setCurrentRow(self.list.count() - 1)

    def remove(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return

        def mutate(s):
            s["data"]["augmentation"].pop(row)
            for i, a in enumerate(s["data"]["augmentation"]):
                a["id"] = f"aug_{i + 1}"
        self.patch(mutate, "Remove augmentation")

    def _param(self, row: int, name: str, value: Any) -> None:
        def mutate(s):
            s["data"]["augmentation"][row].setdefault("params", {})[name] = value
        self.patch(mutate, f"Set augmentation {name}", key=f"aug.{row}.{name}")

    # ------------------------------------------------------------------ preview
    def preview(self) -> None:
        samples = self.data_panel.samples
        if samples is None or self.data_panel.kind != "image" or samples.ndim != 4:
            self.preview_note.setText("A live grid of augmented samples shows here for image data.")
            self.grid.setVisible(False)
            return
        if not self.isVisible():
            return
        blocks = []
        for a in self.doc.view()["data"]["augmentation"]:
            try:
                blocks.append({"type": a["type"], "params": catalog.get(a["type"]).check_params(a.get("params", {}))})
            except ParamError:
                continue
        images = augment(samples[:16], blocks, self.rng)
        self.grid.setVisible(True)
        self.preview_note.setText("Augmented training samples (new random draws every "
                                  f"{REROLL_MS / 1000:.1f} s)" if blocks else "No augmentation: samples as they are")
        self.grid.call(lambda grid: grid.show_images(images, cols=8))
