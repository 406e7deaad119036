"""Generic forms from `studio.core.params.Param` descriptions: the right widget per kind, ranges, units and
help as tooltips, bad values refused with the catalogue's own message.

Everything that edits parameters (block inspector, optimizer, schedule, dataset forms) is built here, so
no panel keeps a hand-made list of fields. A spec section's fields come straight from its pydantic model
(`params_from_model`): type, limits, choices, description and default are read from the model, never retyped.
"""

from __future__ import annotations

import json
import math
import types
import typing
from typing import Any, cast

import annotated_types as at

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QSpinBox, QToolButton, QVBoxLayout, QWidget)

from studio.core.params import Kind, Param, ParamError
from studio.ui import wheel_guard

if typing.TYPE_CHECKING:
    from pydantic import BaseModel

INT_LIMIT = 2**31 - 1
_KINDS: dict[Any, Kind] = {int: "int", float: "float", bool: "bool", str: "str"}


def params_from_model(model: type[BaseModel], names: tuple[str, ...] | None = None,
                      choices: dict[str, typing.Sequence[Any]] | None = None) -> tuple[Param, ...]:
    """The `Param`s of a pydantic model's scalar fields (or of `names`, in that order), so a form shows what
    the spec accepts: `ge/gt/le/lt` become the range, a Literal the choices, `X | None` an optional field,
    `Field(description=...)` the help and `json_schema_extra` `unit`/`advanced` the rest. `choices` gives a
    text field the values valid right now (a monitor: what the run logs)."""
    choices = choices or {}
    out = []
    for name in names or tuple(model.model_fields):
        info = model.model_fields[name]
        kind, options, optional = _kind_of(info.annotation)
        if kind is None:
            if names:
                raise TypeError(f"{model.__name__}.{name} is {info.annotation}; a form field needs a number, "
                                "bool, text or Literal")
            continue
        if name in choices:
            kind, options = "choice", tuple(choices[name])
        lo: Any = None  # the bounds as the model declares them (an int or a float)
        hi: Any = None
        lo_open = hi_open = False
        for m in info.metadata:
            if isinstance(m, (at.Ge, at.Gt)):
                lo, lo_open = (m.ge, False) if isinstance(m, at.Ge) else (m.gt, True)
            elif isinstance(m, (at.Le, at.Lt)):
                hi, hi_open = (m.le, False) if isinstance(m, at.Le) else (m.lt, True)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        default = info.get_default(call_default_factory=True)
        out.append(Param(name, kind, default, info.description or "", minimum=lo, maximum=hi, exclusive_min=lo_open,
                         exclusive_max=hi_open, choices=options, optional=optional,
                         unit=str(extra.get("unit", "")), advanced=bool(extra.get("advanced", False))))
    return tuple(out)


def field_param(model: type[BaseModel], name: str) -> Param:
    """One field of a pydantic model as a Param (for a panel that lays out its own widget)."""
    return params_from_model(model, (name,))[0]


def int_range(p: Param) -> tuple[int, int]:
    """The spin-box range of an integer Param: its limits, open ends stepped in by one."""
    lo = -INT_LIMIT if p.minimum is None else int(math.ceil(p.minimum)) + (1 if p.exclusive_min else 0)
    hi = INT_LIMIT if p.maximum is None else min(int(p.maximum) - (1 if p.exclusive_max else 0), INT_LIMIT)
    return lo, hi


def float_range(p: Param, decimals: int) -> tuple[float, float]:
    """The spin-box range of a float Param shown with `decimals`: open ends stepped in by one last digit."""
    step = 10.0 ** -decimals
    lo = -1e12 if p.minimum is None else p.minimum + (step if p.exclusive_min else 0)
    hi = 1e12 if p.maximum is None else p.maximum - (step if p.exclusive_max else 0)
    return lo, hi


def _kind_of(annotation: Any) -> tuple[Kind | None, tuple[Any, ...], bool]:
    """(Param kind, choices, optional) of a field's type; kind None for types a form does not edit."""
    args = typing.get_args(annotation)
    optional = typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args
    if optional:
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            return None, (), True
        annotation, args = rest[0], typing.get_args(rest[0])
    if typing.get_origin(annotation) is typing.Literal:
        return "choice", args, optional
    return _KINDS.get(annotation), (), optional


def pretty(name: str) -> str:
    return name.replace("_", " ")


def tooltip(p: Param) -> str:
    unit = f" ({p.unit})" if p.unit else ""
    return f"<b>{p.name}</b>{unit}<br>{p.help}<br><i>Accepts {p.expectation()}; default {p.default!r}</i>"


def fmt_number(v: float) -> str:
    if v == 0:
        return "0"
    return f"{v:.6g}"


class SciSpinBox(QDoubleSpinBox):
    """A float spin box that shows 1e-07 as 1e-07 (QDoubleSpinBox rounds to its decimals)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDecimals(12)
        self.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt's name
        return fmt_number(value)

    def valueFromText(self, text: str) -> float:  # noqa: N802
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        try:
            float(text)
            return QValidator.State.Acceptable, text, pos
        except ValueError:
            ok = text in ("", "-", "+", ".", "-.") or text.lower().endswith(("e", "e-", "e+"))
            return (QValidator.State.Intermediate if ok else QValidator.State.Invalid), text, pos


def _parse_list(text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        return json.loads(text if text.startswith("[") else f"[{text}]")
    except json.JSONDecodeError:
        return text  # Param.coerce refuses it with a message naming what it expects


def _list_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join("" if v is None else (fmt_number(v) if isinstance(v, float) else json.dumps(v))
                         for v in value)
    return str(value)


class ParamField(QWidget):
    """One parameter's widget. Emits `committed(value)` with a value the Param accepts, or `refused(msg)`."""

    committed = Signal(object)
    refused = Signal(str)

    def __init__(self, param: Param, value: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.param = param
        self.value = value
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.widget = self._make()
        self.widget.setToolTip(tooltip(param))
        wheel_guard.guard(self.widget)  # a scroll over the form scrolls it; the value changes only with focus
        lay.addWidget(self.widget, 1)
        if param.kind == "str" and param.name.endswith("path"):
            browse = QToolButton()
            browse.setText("…")
            browse.setToolTip("Choose a file")
            browse.clicked.connect(self._browse)
            lay.addWidget(browse)
        self.set_value(value)

    # ------------------------------------------------------------------ widgets
    def _make(self) -> QWidget:
        p = self.param
        if p.kind == "bool":
            check = QCheckBox()
            check.toggled.connect(lambda on: self._commit(bool(on)))
            return check
        if p.kind == "choice":
            combo = QComboBox()
            for c in p.choices:
                combo.addItem(str(c), c)
            combo.activated.connect(lambda i: self._commit(combo.itemData(i)))
            return combo
        if p.kind == "int" and not p.optional:
            spin = QSpinBox()
            spin.setRange(*int_range(p))
            spin.setKeyboardTracking(False)  # commit on Enter/focus-out/arrows, not on every digit typed
            if p.unit:
                spin.setSuffix(f" {p.unit}")
            spin.valueChanged.connect(lambda v: self._commit(int(v)))
            return spin
        if p.kind == "float" and not p.optional:
            sci = SciSpinBox()
            sci.setRange(-1e12 if p.minimum is None else p.minimum, 1e12 if p.maximum is None else p.maximum)
            sci.setKeyboardTracking(False)
            sci.valueChanged.connect(lambda v: self._commit(float(v)))
            return sci
        line = QLineEdit()
        if p.optional:
            line.setPlaceholderText("empty: " + ("default" if p.default is None else _list_text(p.default)))
        elif p.kind in ("ints", "floats"):
            line.setPlaceholderText("e.g. 3, 3")
        line.editingFinished.connect(lambda: self._commit_text(line.text()))
        return line

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, f"Choose {pretty(self.param.name)}")
        if path:
            cast(QLineEdit, self.widget).setText(path)  # a path's field is a line edit (see _make)
            self._commit_text(path)

    def _commit_text(self, text: str) -> None:
        p = self.param
        if p.kind in ("int", "float"):
            text = text.strip()
            if not text:
                value: Any = None
            else:
                try:
                    whole = p.kind != "float" and text.lstrip("-").isdigit()
                    value = int(text) if whole else float(text)
                except ValueError:
                    value = text
        elif p.kind in ("ints", "floats", "list"):
            value = _parse_list(text)
        else:  # str
            value = text if (text or not p.optional) else None
        self._commit(value)

    def _commit(self, value: Any) -> None:
        try:
            value = self.param.coerce(value)
        except ParamError as exc:
            self.set_value(self.value)  # put the last good value back
            self.refused.emit(str(exc))
            return
        if value == self.value:
            return
        self.value = value
        self.committed.emit(value)

    # ------------------------------------------------------------------ model → widget
    def set_value(self, value: Any) -> None:
        self.value = value
        w = self.widget
        with QSignalBlocker(w):
            if isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif isinstance(w, QComboBox):
                i = w.findData(value)
                w.setCurrentIndex(max(i, 0))
            elif isinstance(w, (QSpinBox, QDoubleSpinBox)):
                w.setValue(value if value is not None else 0)
            elif isinstance(w, QLineEdit):
                if self.param.kind in ("int", "float"):
                    w.setText("" if value is None else fmt_number(value) if isinstance(value, float) else str(value))
                elif self.param.kind == "str":
                    w.setText(value or "")
                else:
                    w.setText(_list_text(value))


class ParamForm(QWidget):
    """A form for a tuple of Params; advanced ones fold away. `changed(name, value)`, `refused(message)`."""

    changed = Signal(str, object)
    refused = Signal(str)

    def __init__(self, params: tuple[Param, ...], values: dict[str, Any], parent: QWidget | None = None,
                 show_advanced: bool = False):
        super().__init__(parent)
        self.fields: dict[str, ParamField] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        basic = QFormLayout()
        basic.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(basic)
        advanced = [p for p in params if p.advanced]
        adv_box = QWidget()
        adv_form = QFormLayout(adv_box)
        adv_form.setContentsMargins(0, 0, 0, 0)
        for p in params:
            f = ParamField(p, values.get(p.name, p.default))
            f.committed.connect(lambda v, name=p.name: self.changed.emit(name, v))
            f.refused.connect(self.refused)
            self.fields[p.name] = f
            label = QLabel(pretty(p.name) + (f" ({p.unit})" if p.unit else ""))
            label.setToolTip(tooltip(p))
            (adv_form if p.advanced else basic).addRow(label, f)
        if advanced:
            toggle = QToolButton()
            toggle.setText("Advanced")
            toggle.setCheckable(True)
            toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            toggle.setArrowType(Qt.ArrowType.RightArrow)
            toggle.setAutoRaise(True)

            def flip(on: bool) -> None:
                adv_box.setVisible(on)
                toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)

            toggle.toggled.connect(flip)
            outer.addWidget(toggle)
            outer.addWidget(adv_box)
            toggle.setChecked(show_advanced)
            flip(show_advanced)

    def set_values(self, values: dict[str, Any]) -> None:
        for name, f in self.fields.items():
            if name in values and values[name] != f.value:
                f.set_value(values[name])
