"""Where a spec path is edited in the Setup dock: the panel (its tab) and the field widget, so that a link to a
setting (the coach's "learning rate") can open that tab and flash that field. Only the fields the panels really
have are found; a path no panel shows gives None and the caller says so."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QToolButton, QWidget

from studio.ui import theme
from studio.ui.forms import ParamForm
from studio.ui.setup_tabs import Panel, SetupTabs

FLASH_MS = 1600  # long enough to find it, short enough not to stay in the way
TAB_NAMES = {"DataPanel": "Data", "OptimizerPanel": "Optimizer", "RegularizationPanel": "Regularization",
             "AugmentationPanel": "Augmentation", "TrainingPanel": "Training"}


def _form_field(form: ParamForm | None, name: str) -> QWidget | None:
    return form.fields.get(name) if form is not None else None


def find_field(tabs: SetupTabs, path: str) -> tuple[Panel, QWidget] | None:
    """The panel and the widget that edit `path` (a dotted spec path; a sub-field of a callback section finds
    the section's group), or None when no setup panel shows it."""
    section, _, rest = path.partition(".")
    name = rest.split(".")[0]
    o, r, t, d = tabs.optimizer_panel, tabs.regularization_panel, tabs.training_panel, tabs.data_panel
    found: tuple[Panel, QWidget | None] | None = None
    if section == "optimizer":
        own: dict[str, QWidget] = {"name": o.name, "schedule": o.schedule, "reduce_on_plateau": o.plateau}
        if name == "params":
            field = _form_field(o.own, rest.split(".")[1]) if rest.count(".") else None
        else:
            field = own[name] if name in own else _form_field(o.common, name)
        found = (o, field)
    elif section == "regularization":
        found = (r, r.early if name == "early_stopping" else _form_field(r.form, name))
    elif section == "training":
        metrics = next(iter(t.metrics.values())).parentWidget() if t.metrics else None
        fields: dict[str, QWidget | None] = {
            "epochs": t.epochs, "batch_size": t.batch, "seed": t.seed, "loss": t.loss, "class_weight": t.class_weight,
            "metrics": metrics,
            "distribution": t.distribution, "initial_model": t.start_from}
        found = (t, fields.get(name))
    elif section == "inspect":
        found = (t, {"enabled": t.inspect, "every": t.inspect_every}.get(name))
    elif section == "data":
        own = {"source": d.source, "normalize": d.normalize, "test_split": d.test,
               "shuffle": d.shuffle, "validation_split": t.val, "augmentation": tabs.augmentation_panel}
        if name == "params":
            sub = rest.split(".")[1] if rest.count(".") else ""
            found = (d, _form_field(d.form, sub) if sub else d.form)
        else:
            panel: Panel = t if name == "validation_split" else (tabs.augmentation_panel if name == "augmentation"
                                                                 else d)
            found = (panel, own.get(name))
    if found is None or found[1] is None:
        return None
    return found[0], found[1]


def where_is(tabs: SetupTabs, path: str) -> str | None:
    """"Setup ▸ Optimizer" for a path a panel shows, else None."""
    found = find_field(tabs, path)
    return f"Setup ▸ {TAB_NAMES[type(found[0]).__name__]}" if found else None


def show_field(tabs: SetupTabs, path: str) -> QWidget | None:
    """Bring the field's tab forward, unfold it if it is an advanced one, scroll to it and flash it."""
    found = find_field(tabs, path)
    if found is None:
        return None
    panel, field = found
    tabs.show_panel(panel)
    form = next((p for p in _ancestors(field) if isinstance(p, ParamForm)), None)
    if form is not None and not field.isVisibleTo(form):  # folded under "Advanced"
        for toggle in form.findChildren(QToolButton):
            if toggle.text() == "Advanced":
                toggle.setChecked(True)
    tabs.scroll_to(panel, field)
    flash(field)
    return field


def _ancestors(w: QWidget) -> list[QWidget]:
    out = []
    p = w.parentWidget()
    while p is not None:
        out.append(p)
        p = p.parentWidget()
    return out


def flash(w: QWidget) -> None:
    """Outline the widget in the accent colour for a moment (the property marks it while it shows)."""
    w.setProperty("coachFlash", True)
    old = w.styleSheet()
    w.setStyleSheet(old + f' *[coachFlash="true"] {{ border: 2px solid {theme.colors().accent}; '
                          'border-radius: 3px; }')

    def done() -> None:
        w.setProperty("coachFlash", False)
        w.setStyleSheet(old)

    QTimer.singleShot(FLASH_MS, w, done)  # bound to the widget: nothing left to call if it is gone
