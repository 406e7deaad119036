"""The mouse wheel over a form (issue 20, item 9): a scroll over a spin box or a drop-down that has no focus scrolls
the form and changes nothing; once the field has focus (a click, Tab) the wheel steps it as before."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QScrollArea, QWidget


def _wheel(widget: QWidget, notches: int = 1) -> None:
    """Turn the wheel over the middle of `widget` (downwards), as the mouse does: the event goes to it first."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, -120 * notches), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def _scroll_of(widget: QWidget) -> QScrollArea:
    p = widget.parentWidget()
    while not isinstance(p, QScrollArea):
        p = p.parentWidget()
    return p


def test_a_scroll_over_an_unfocused_field_changes_nothing(window, qtbot):
    w = window
    w.setup_tabs.show_panel(w.optimizer_panel)
    qtbot.wait(20)
    before = w.doc.view()
    lr = w.optimizer_panel.common.fields["learning_rate"].widget
    assert isinstance(lr, QAbstractSpinBox) and not lr.hasFocus()
    _wheel(lr, 3)
    _wheel(w.optimizer_panel.name)  # the drop-down: adam would turn into the next optimizer
    _wheel(w.optimizer_panel.schedule)
    w.setup_tabs.show_panel(w.training_panel)
    qtbot.wait(20)
    for field in (w.training_panel.epochs, w.training_panel.batch, w.training_panel.loss):
        _wheel(field, 2)
    assert w.doc.view() == before
    assert not w.doc.undo_stack.canUndo()


def test_every_spin_box_and_drop_down_of_the_setup_forms_is_guarded(window, qtbot):
    """Not a list of widgets kept by hand: every field the panels and their generated forms hold, including a
    form made later (another optimizer's own parameters), ignores an unfocused wheel."""
    w = window
    w.open_file("presets/optimization_lab.json", as_template=True)
    w.checker.wait_data()
    fields = [f for f in w.setup_tabs.findChildren(QWidget) if isinstance(f, (QAbstractSpinBox, QComboBox))]
    assert len(fields) > 10
    for field in fields:
        assert field.focusPolicy() == Qt.FocusPolicy.StrongFocus, field  # a wheel does not give it focus
    before = w.doc.view()
    for field in fields:
        w.setup_tabs.show_panel(next(p for p in w.setup_tabs.panels() if p.isAncestorOf(field)))
        if field.isVisible() and field.isEnabled():
            _wheel(field)
    assert w.doc.view() == before


def test_a_focused_field_still_takes_the_wheel_and_an_unfocused_one_scrolls_the_form(window, qtbot):
    w = window
    w.resize(1280, 560)  # short enough that the optimizer's form scrolls
    w.setup_tabs.show_panel(w.optimizer_panel)
    qtbot.wait(50)
    lr = w.optimizer_panel.common.fields["learning_rate"].widget
    scroll = _scroll_of(lr).verticalScrollBar()
    assert scroll.maximum() > 0
    at, start = scroll.value(), lr.value()
    _wheel(lr, 2)
    assert scroll.value() != at and lr.value() == start  # the form moved instead of the value
    lr.setFocus()
    qtbot.waitUntil(lr.hasFocus, timeout=2000)
    _wheel(lr)
    assert lr.value() != start
    assert w.doc.view()["optimizer"]["learning_rate"] == lr.value()
