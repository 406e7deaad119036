"""Regularization: default L1/L2 weight penalties, label smoothing, early stopping."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from studio.core.spec import EarlyStoppingSpec, RegularizationSpec
from studio.ui import theme
from studio.ui.document import Document
from studio.ui.forms import ParamForm, params_from_model
from studio.ui.panels.common import CallbackSection, SectionPanel

PENALTIES = ("l1", "l2", "label_smoothing")  # their form is read from the spec's model


class RegularizationPanel(SectionPanel):
    sections = (("regularization",), ("training", "metrics"))  # early stopping watches a logged metric

    def __init__(self, doc: Document, parent: QWidget | None = None):
        super().__init__(doc, parent)
        outer = QVBoxLayout(self)
        note = QLabel("Dropout, noise and per-block penalties are blocks and block parameters of the model; "
                      "these settings apply to the whole run.", wordWrap=True)
        note.setStyleSheet(f"color: {theme.colors().muted};")
        outer.addWidget(note)
        self.form = ParamForm(params_from_model(RegularizationSpec, PENALTIES), {})
        self.form.changed.connect(lambda n, v: self.set_field(("regularization", n), v, f"Set {n.replace('_', ' ')}"))
        self.form.refused.connect(self.refuse)
        outer.addWidget(self.form)
        self.early = CallbackSection("Early stopping", EarlyStoppingSpec, ("regularization", "early_stopping"), self,
                                     "Early stopping", "No early stopping")
        outer.addWidget(self.early)
        self.finish_form(outer)

    def refresh(self, spec: dict[str, Any]) -> None:
        r = spec["regularization"]
        self.form.set_values(r)
        self.early.show_section(spec)
