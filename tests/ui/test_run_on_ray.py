"""Run ▸ Run on: choosing a Ray cluster sends the bridge's next run there and is remembered; without Ray the
choice says how to install it and stays on this computer."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog

from studio.ui import run_on_menu
from studio.ui.main_window import MainWindow, settings
from tests.ui.conftest import close_window


@pytest.fixture
def address_typed(monkeypatch):
    typed = {"text": "ray://10.1.2.3:10001", "ok": True}
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (typed["text"], typed["ok"]))
    monkeypatch.setattr(run_on_menu, "ray_available", lambda: "")  # as if Ray were installed
    return typed


def test_choosing_a_ray_cluster_is_used_and_remembered(qtbot, window, address_typed, tmp_path):
    menu = window.run_on_menu
    assert window.bridge.ray_address is None and menu.act_local.isChecked()
    menu.act_ray.trigger()
    assert window.bridge.ray_address == "http://10.1.2.3:8265"  # ray:// goes to the dashboard's Jobs API
    assert menu.act_ray.isChecked() and "10.1.2.3:8265" in menu.act_ray.text()
    again = MainWindow(probe_devices=False, autosave_dir=tmp_path / "autosave2")
    try:
        assert again.bridge.ray_address == "http://10.1.2.3:8265"
    finally:
        close_window(again, qtbot)
    menu.act_local.trigger()
    assert window.bridge.ray_address is None
    assert settings().value(run_on_menu.SETTING) == ""


def test_a_cancelled_or_bad_address_keeps_the_last_choice(window, address_typed, dialogs):
    menu = window.run_on_menu
    address_typed["ok"] = False
    menu.act_ray.trigger()
    assert window.bridge.ray_address is None and menu.act_local.isChecked()
    address_typed.update(ok=True, text="ftp://nowhere")
    menu.act_ray.trigger()
    assert window.bridge.ray_address is None and menu.act_local.isChecked()
    assert any("expected ray://HOST:PORT" in text for kind, text in dialogs if kind == "warning")


def test_without_ray_the_menu_says_how_to_install_it(window, monkeypatch, dialogs):
    monkeypatch.setattr(run_on_menu, "ray_available", lambda: run_on_menu.INSTALL_HINT)
    window.run_on_menu.act_ray.trigger()
    assert window.bridge.ray_address is None and window.run_on_menu.act_local.isChecked()
    assert any("pip install keras-studio[ray]" in text for kind, text in dialogs if kind == "information")
