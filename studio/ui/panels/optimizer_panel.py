"""Optimizer and learning-rate schedule, generated from `core.optimizers`, with a small plot of the rate
over the epochs (`learning_rate_at`, the same formula the engine's schedule follows)."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from studio.core.custom_code import TEMPLATE_CLASS
from studio.core.optimizers import CUSTOM, OPTIMIZERS, SCHEDULES, learning_rate_at
from studio.core.params import coerce_params
from studio.core.spec import OptimizerSpec, ReduceOnPlateauSpec
from studio.ui import theme
from studio.ui.deferred import Deferred
from studio.ui.document import Document
from studio.ui.optimizer_code import DEFAULT_FILE
from studio.ui.forms import ParamForm, params_from_model
from studio.ui.panels.common import CallbackSection, SectionPanel

# the optimizer section's own fields (common to every optimizer); their form is read from the spec's model
PREVIEW_STEPS = 100  # optimizer steps per epoch the preview assumes (the curve barely depends on it)
CLIPS = ("clipnorm", "clipvalue", "global_clipnorm")
COMMON = ("learning_rate", "weight_decay", *CLIPS)
POINTS = 200


def refusal(optimizer: dict[str, Any], mutate) -> str:
    """Why the spec would refuse this optimizer section after `mutate(copy)`; "" when it would accept it.
    Asking the spec itself keeps the panel from offering what validation then rejects."""
    import copy

    o = copy.deepcopy(optimizer)
    mutate(o)
    try:
        OptimizerSpec.model_validate(o)
    except ValidationError as exc:
        return str(exc.errors()[0].get("msg", exc)).removeprefix("Value error, ")
    return ""


class OptimizerPanel(SectionPanel):
    # the schedule plot spans the epochs; the plateau's monitor offers what the metrics log
    sections = (("optimizer",), ("training", "epochs"), ("training", "metrics"))

    def __init__(self, doc: Document, parent: QWidget | None = None):
        super().__init__(doc, parent)
        self._name = self._schedule = None
        outer = QVBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form)
        self.name = QComboBox()
        for name, (help_, _lr, _p) in OPTIMIZERS.items():
            self.name.addItem(name, name)
            self.name.setItemData(self.name.count() - 1, help_, 3)
        self.name.activated.connect(self._name_changed)
        form.addRow("Optimizer", self.name)
        self.help = QLabel(wordWrap=True)
        self.help.setStyleSheet(f"color: {theme.colors().muted};")
        form.addRow("", self.help)
        self.common = ParamForm(params_from_model(OptimizerSpec, COMMON), {})
        self.common.changed.connect(lambda n, v: self.set_field(("optimizer", n), v, f"Set {n.replace('_', ' ')}"))
        self.common.refused.connect(self.refuse)
        outer.addWidget(self.common)
        self.own_box = QVBoxLayout()
        outer.addLayout(self.own_box)
        self.own: ParamForm | None = None

        sched = QGroupBox("Learning-rate schedule")
        sl = QVBoxLayout(sched)
        self.schedule = QComboBox()
        for name, (help_, _p) in SCHEDULES.items():
            self.schedule.addItem(name, name)
            self.schedule.setItemData(self.schedule.count() - 1, help_, 3)
        self.schedule.activated.connect(self._schedule_changed)
        sl.addWidget(self.schedule)
        self.sched_box = QVBoxLayout()
        sl.addLayout(self.sched_box)
        self.sched_form: ParamForm | None = None
        self.plot = Deferred(self._schedule_plot)  # built when the Optimizer tab is first shown
        self.plot.setFixedHeight(130)
        self._rates: tuple[np.ndarray, list[float], int] = (np.zeros(0), [], 1)
        sl.addWidget(self.plot)
        outer.addWidget(sched)

        self.plateau = CallbackSection("Reduce the rate on a plateau", ReduceOnPlateauSpec,
                                       ("optimizer", "reduce_on_plateau"), self, "Reduce on plateau",
                                       "No reduce on plateau")
        outer.addWidget(self.plateau)
        self.finish_form(outer)

    # ------------------------------------------------------------------ document → widgets
    def refresh(self, spec: dict[str, Any]) -> None:
        o = spec["optimizer"]
        self.name.setCurrentIndex(self.name.findData(o["name"]))
        self.help.setText(OPTIMIZERS[o["name"]][0])
        self.common.set_values({name: o.get(name) for name in COMMON})
        own_params = OPTIMIZERS[o["name"]][2]
        values = coerce_params(own_params, o.get("params", {}), o["name"])
        if o["name"] != self._name:
            self._name = o["name"]
            self.own = self._replace(self.own, self.own_box, own_params, values, self._own_changed)
        elif self.own is not None:
            self.own.set_values(values)
        s = o["schedule"]
        self.schedule.setCurrentIndex(self.schedule.findData(s["name"]))
        sched_params = SCHEDULES[s["name"]][1]
        svalues = coerce_params(sched_params, s.get("params", {}), s["name"])
        if s["name"] != self._schedule:
            self._schedule = s["name"]
            self.sched_form = self._replace(self.sched_form, self.sched_box, sched_params, svalues,
                                            self._sched_changed)
        elif self.sched_form is not None:
            self.sched_form.set_values(svalues)
        self.plateau.show_section(spec)
        self._plot(o["learning_rate"], s["name"], svalues, spec["training"]["epochs"])
        self._offer_only_accepted(o)

    def _offer_only_accepted(self, o: dict[str, Any]) -> None:
        """Disable, with the reason as tooltip, the choices the spec would refuse next to the current ones."""
        model = self.schedule.model()
        for i in range(self.schedule.count()):
            name = self.schedule.itemData(i)
            why = refusal(o, lambda c, n=name: c.update(schedule={"name": n, "params": {}}))
            if isinstance(model, QStandardItemModel):
                model.item(i).setEnabled(not why)
            self.schedule.setItemData(i, f"Not available: {why}" if why else SCHEDULES[name][0],
                                      Qt.ItemDataRole.ToolTipRole)
        if o.get("reduce_on_plateau") is None:
            why = refusal(o, lambda c: c.update(reduce_on_plateau=ReduceOnPlateauSpec().model_dump()))
            self.plateau.setEnabled(not why)
            self.plateau.setToolTip(f"Not available: {why}" if why else "")
        else:
            self.plateau.setEnabled(True)
            self.plateau.setToolTip("")
        for name in CLIPS:
            field = self.common.fields[name]
            why = "" if o.get(name) is not None else refusal(o, lambda c, n=name: c.update({n: 1.0}))
            field.setEnabled(not why)
            field.setToolTip(f"Not available: {why}" if why else "")

    def _replace(self, old: ParamForm | None, box, params, values, slot) -> ParamForm:
        if old is not None:
            old.setParent(None)
            old.deleteLater()
        form = ParamForm(params, values)
        form.changed.connect(slot)
        form.refused.connect(self.refuse)
        box.addWidget(form)
        return form

    def _plot(self, base: float, schedule: str, params: dict, epochs: int) -> None:
        xs = np.linspace(0, epochs, POINTS)
        try:
            ys = list(learning_rate_at(base, schedule, params, xs * PREVIEW_STEPS, PREVIEW_STEPS, epochs))
        except (ValueError, ZeroDivisionError):
            ys = [base] * POINTS
        self._rates = (xs, ys, epochs)
        if self.plot.built:
            self._draw_rates(self.plot.widget())

    def _schedule_plot(self):
        import pyqtgraph as pg

        plot = pg.PlotWidget(background=theme.colors().background)
        plot.setLabel("bottom", "epoch")
        plot.setLabel("left", "rate")
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.setMouseEnabled(False, False)
        self.curve = plot.plot([], [], pen=pg.mkPen(theme.colors().series[2], width=2))
        self._draw_rates(plot)
        return plot

    def _draw_rates(self, plot) -> None:
        xs, ys, epochs = self._rates
        self.curve.setData(xs, ys)
        top = max((y for y in ys if np.isfinite(y)), default=0.0)
        # from zero up: a constant rate would otherwise autoscale to a flat line in a ±0.5 band around it
        plot.setYRange(0, top * 1.15 if top > 0 else 1.0, padding=0)
        plot.setXRange(0, max(epochs, 1), padding=0.02)

    # ------------------------------------------------------------------ widgets → document
    def _name_changed(self, i: int) -> None:
        name = self.name.itemData(i)

        def mutate(s):
            s["optimizer"]["name"] = name
            s["optimizer"]["params"] = {}
            s["optimizer"]["learning_rate"] = OPTIMIZERS[name][1]  # each optimizer's usual starting rate
            if name == CUSTOM:  # your own class, from a file beside the project (View ▸ Optimizer code edits it)
                s["optimizer"]["path"] = s["optimizer"].get("path") or DEFAULT_FILE
                s["optimizer"]["class_name"] = s["optimizer"].get("class_name") or TEMPLATE_CLASS
        self.patch(mutate, f"Use {name}")

    def _own_changed(self, name: str, value: Any) -> None:
        def mutate(s):
            s["optimizer"].setdefault("params", {})[name] = value
        self.patch(mutate, f"Set {name}", key=f"optimizer.params.{name}")

    def _schedule_changed(self, i: int) -> None:
        name = self.schedule.itemData(i)

        def mutate(s):
            s["optimizer"]["schedule"] = {"name": name, "params": {}}
        self.patch(mutate, f"Use the {name} schedule")

    def _sched_changed(self, name: str, value: Any) -> None:
        def mutate(s):
            s["optimizer"]["schedule"].setdefault("params", {})[name] = value
        self.patch(mutate, f"Set schedule {name}", key=f"schedule.{name}")
