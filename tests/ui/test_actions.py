"""The window's commands come from one table: every row is an action the menus reach, the toolbar holds the
everyday ones, and no two actions of the window answer the same shortcut."""

from __future__ import annotations

from PySide6.QtGui import QAction

from studio.ui.actions import ACTIONS, MENUS


def _menu_actions(menu) -> list[QAction]:
    out = []
    for a in menu.actions():
        out.append(a)
        if a.menu() is not None:
            out += _menu_actions(a.menu())
    return out


def test_every_action_is_in_a_menu_and_the_toolbar_holds_the_everyday_ones(window):
    w = window
    menus = [a.menu() for a in w.menuBar().actions()]
    assert [m.title() for m in menus] == [title for title, _entries in MENUS]
    reachable = {id(a) for m in menus for a in _menu_actions(m)}
    assert all(id(getattr(w, f"act_{row.id}")) in reachable for row in ACTIONS)
    assert [a.text() for a in _menu_actions(menus[0]) if a.text()][:5] == \
        ["&New", "New from Pre&set…", "&Open…", "Open &Recent", "Open &Preset"]
    toolbar = [a.iconText() for a in w.toolbar.actions() if not a.isSeparator()]
    assert toolbar[:8] == ["New", "Open", "Save", "Undo", "Redo", "Train", "Pause", "Stop"]
    assert w.training_panel.backend in w.toolbar.findChildren(type(w.training_panel.backend))
    assert w.act_train.shortcut().toString() == "F5" and w.act_stop.shortcut().toString() == "Shift+F5"
    assert w.act_train.statusTip() == "Train the model (F5)" and not w.act_export.isEnabled()


def test_no_two_actions_share_a_shortcut(window):
    keys = [a.shortcut().toString() for a in window.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
