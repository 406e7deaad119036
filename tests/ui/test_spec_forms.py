"""The setup forms are read from the pydantic spec: a field's limit, choices or help changed in the model
changes the form, and the monitor pickers offer exactly what the spec accepts."""

from __future__ import annotations

from typing import Literal

import annotated_types as at
import pytest
from pydantic import BaseModel, Field
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox

from studio.core.spec import (NORMALIZATIONS, DataSpec, OptimizerSpec, SpecError, TrainingSpec, monitor_choices,
                              parse_spec)
from studio.ui.forms import ParamForm, params_from_model


def _section(limit: int):
    class Section(BaseModel):
        epochs: int = Field(10, ge=1, le=limit, description="Passes over the data",
                            json_schema_extra={"unit": "epochs"})
        rate: float = Field(0.5, gt=0, lt=1, description="A fraction")
        kind: Literal["a", "b", "c"] = "b"
        cap: float | None = Field(None, ge=0, json_schema_extra={"advanced": True})
        flag: bool = True
    return Section


@pytest.mark.parametrize("limit", [7, 123])
def test_a_fields_limit_changed_in_the_model_changes_the_form(qtbot, limit):
    model = _section(limit)
    form = ParamForm(params_from_model(model), model().model_dump())
    qtbot.addWidget(form)
    epochs = form.fields["epochs"].widget
    assert isinstance(epochs, QSpinBox)
    assert (epochs.minimum(), epochs.maximum()) == (1, limit)
    assert "Passes over the data" in epochs.toolTip() and epochs.suffix() == " epochs"
    kind = form.fields["kind"].widget
    assert isinstance(kind, QComboBox)
    assert [kind.itemText(i) for i in range(kind.count())] == ["a", "b", "c"] and kind.currentText() == "b"
    assert isinstance(form.fields["rate"].widget, QDoubleSpinBox)
    refused = []
    form.refused.connect(refused.append)
    form.fields["rate"]._commit(1.0)  # the open end is refused with the spec's range in the message
    assert refused and "(0, 1)" in refused[0]
    assert form.fields["cap"].param.optional and form.fields["cap"].param.advanced


def test_a_limit_changed_in_the_run_spec_changes_the_setup_panels(qtbot, monkeypatch):
    """The one place is the pydantic field: patch its `le` and freshly built panels follow."""
    from studio.ui.document import Document
    from studio.ui.panels.optimizer_panel import OptimizerPanel
    from studio.ui.panels.training_panel import TrainingPanel

    for model, name, limit in ((TrainingSpec, "epochs", 77), (OptimizerSpec, "learning_rate", 0.5)):
        info = model.model_fields[name]
        monkeypatch.setattr(info, "metadata", [m if not hasattr(m, "le") else at.Le(limit) for m in info.metadata])
    doc = Document()
    training, optimizer = TrainingPanel(doc, ["tensorflow"]), OptimizerPanel(doc)
    for w in (training, optimizer):
        qtbot.addWidget(w)
    assert training.epochs.maximum() == 77
    assert optimizer.common.fields["learning_rate"].widget.maximum() == 0.5


def test_the_setup_panels_follow_the_spec_fields(window):
    w = window
    lr = OptimizerSpec.model_fields["learning_rate"]
    spin = w.optimizer_panel.common.fields["learning_rate"].widget
    assert spin.maximum() == next(m.le for m in lr.metadata if hasattr(m, "le"))
    epochs = TrainingSpec.model_fields["epochs"]
    assert w.training_panel.epochs.maximum() == next(m.le for m in epochs.metadata if hasattr(m, "le"))
    normalize = w.data_panel.normalize
    assert tuple(normalize.itemText(i) for i in range(normalize.count())) == NORMALIZATIONS
    assert DataSpec.model_fields["normalize"].description in normalize.toolTip()


def test_the_monitor_offers_exactly_what_the_run_logs(window, qtbot):
    w = window
    panel = w.regularization_panel
    panel.early.setChecked(True)
    assert w.doc.view()["regularization"]["early_stopping"] is not None

    def offered() -> list[str]:
        combo = panel.early.form.form.fields["monitor"].widget
        return [combo.itemData(i) for i in range(combo.count())]

    metrics = w.doc.view()["training"]["metrics"]
    assert offered() == monitor_choices(metrics)
    for m in offered():  # every offered choice is one the spec accepts ...
        spec = w.doc.spec
        spec["regularization"]["early_stopping"]["monitor"] = m
        parse_spec(spec)
    spec = w.doc.spec
    spec["regularization"]["early_stopping"]["monitor"] = "val_mae"
    with pytest.raises(SpecError):  # ... and one the run does not log is neither offered nor accepted
        parse_spec(spec)
    assert "val_mae" not in offered()
    w.training_panel.metrics["mae"].setChecked(True)  # a new metric: its curves become choices
    assert "val_mae" in offered() and offered() == monitor_choices(w.doc.view()["training"]["metrics"])
