"""Regularization: default L1/L2 weight penalties, label smoothing, early stopping."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from studio.core.spec import EarlyStoppingSpec, RegularizationSpec
from studio.ui import theme
from studio.ui.document import Document
from studio.ui.forms import ParamForm, params_from_model
from studio.ui.panels.common import MonitoredForm, SectionPanel

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
        self.early = QGroupBox("Early stopping", checkable=True)
        el = QVBoxLayout(self.early)
        self.early_form = MonitoredForm(EarlyStoppingSpec)
        self.early_form.changed.connect(self._early_changed)
        self.early_form.refused.connect(self.refuse)
        el.addWidget(self.early_form)
        self.early.toggled.connect(self._early_toggled)
        outer.addWidget(self.early)
        outer.addWidget(self.error)
        outer.addStretch(1)
        self._on_changed()

    def refresh(self, spec: dict[str, Any]) -> None:
        r = spec["regularization"]
        self.form.set_values(r)
        es = r.get("early_stopping")
        self.early.setChecked(es is not None)
        self.early_form.show_values(es, spec["training"]["metrics"])

    def _early_toggled(self, on: bool) -> None:
        def mutate(s):
            s["regularization"]["early_stopping"] = EarlyStoppingSpec().model_dump() if on else None
        self.patch(mutate, "Early stopping" if on else "No early stopping")

    def _early_changed(self, name: str, value: Any) -> None:
        if self.doc.view()["regularization"].get("early_stopping") is not None:
            self.set_field(("regularization", "early_stopping", name), value)
