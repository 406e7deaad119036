"""Run ▸ Backend shoot-out…: the dialog fills its table as the backends train, overlays their curves in the
main window, and "Use <fastest> for this project" sets the backend as one undoable edit."""

from __future__ import annotations

import pytest

from studio.core import events as ev
from studio.core.presets import load_preset
from studio.jobs import shootout as so
from studio.jobs.devices import installed_backends
from tests.jobs.fake_training import FakeTraining


def _open(w):
    run_menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "&Run")
    next(a for a in run_menu.actions() if a.text() == "Backend &shoot-out…").trigger()
    return w.dialogs.shootout_dialog


def _cells(dialog, column: int) -> list[str]:
    return [dialog.grid.item(r, column).text() for r in range(dialog.grid.rowCount())]


def _shoot_out(w, qtbot, tmp_path, backends, epochs, timeout_ms):
    w.doc.load_dict(load_preset("optimization_lab").to_dict(), None)
    w.runs.set_root(tmp_path / "runs")
    dialog = _open(w)
    for b, box in dialog.backend_boxes.items():
        box.setChecked(b in backends)
    dialog.epochs.setValue(epochs)
    assert not dialog.use_btn.isEnabled() and not dialog.compare_btn.isEnabled()
    dialog.start_btn.click()
    assert not dialog.start_btn.isEnabled() and dialog.stop_btn.isEnabled()
    qtbot.waitUntil(lambda: dialog.start_btn.isEnabled(), timeout=timeout_ms)
    return dialog


def test_the_dialog_tables_the_backends_and_uses_the_fastest(window, qtbot, tmp_path, monkeypatch):
    """The runner's thread, the queue and the table, with trainings faked (a second, not minutes)."""
    monkeypatch.setattr(so, "start_training", FakeTraining)
    monkeypatch.setattr(so, "compare_predictions", lambda ref, spec, models, timeout=0: {
        "split": "test", "samples": 20, "differences": [{"max": 0.0, "mean": 0.0}, {"max": 0.5, "mean": 0.2}]})
    monkeypatch.setattr("studio.ui.main_window.devices.installed_backends", lambda: ["tensorflow", "jax"])
    w = window
    dialog = _shoot_out(w, qtbot, tmp_path, ["tensorflow", "jax", "torch"], 3, 10_000)
    assert not dialog.backend_boxes["torch"].isEnabled()  # not installed: offered, not chosen
    assert _cells(dialog, 0) == ["tensorflow", "jax"] and _cells(dialog, 1) == ["done", "done"]
    assert _cells(dialog, 3) == ["800", "1,500"] and _cells(dialog, 6) == ["0", "0.5"]
    assert dialog.grid.horizontalHeaderItem(6).text() == "max |Δ| vs tensorflow"
    assert "Comparing 2 runs" in w.statusBar().currentMessage()  # the curves overlay by themselves
    assert "Fastest (steady samples/s): jax" in dialog.status.text() and "shootout-" in dialog.status.text()
    assert list((tmp_path / "runs").glob("shootout-*.csv"))
    assert dialog.use_btn.text() == "Use jax for this project"
    dialog.use_btn.click()
    assert w.doc.view()["training"]["backend"] == "jax" and not dialog.use_btn.isEnabled()
    w.act_undo.trigger()
    assert w.doc.view()["training"]["backend"] == "tensorflow"
    dialog.reject()


@pytest.mark.slow
def test_a_real_shootout_on_two_backends_from_the_dialog(window, qtbot, tmp_path):
    installed = installed_backends()
    if len(installed) < 2:
        pytest.skip("a shoot-out needs two installed backends")
    w = window
    pair = installed[:2]
    dialog = _shoot_out(w, qtbot, tmp_path, pair, 3, 300_000)
    assert _cells(dialog, 0) == pair and _cells(dialog, 1) == ["done", "done"], dialog.status.text()
    assert all(float(v.replace(",", "")) > 0 for v in _cells(dialog, 3))  # steady samples/s
    assert all(float(v.replace(",", "")) > 50 for v in _cells(dialog, 4))  # peak MiB of each child
    assert _cells(dialog, 6)[0] == "0" and _cells(dialog, 6)[1] != "—"  # predictions compared
    assert "Comparing 2 runs" in w.statusBar().currentMessage()
    fastest = dialog.fastest
    assert fastest in pair
    if fastest != w.doc.view()["training"]["backend"]:
        dialog.use_btn.click()
        assert w.doc.view()["training"]["backend"] == fastest
        w.act_undo.trigger()
    assert w.doc.view()["training"]["backend"] == "tensorflow"
    dialog.reject()


def test_closing_the_window_stops_a_running_shootout(window, qtbot, tmp_path, monkeypatch):
    """A training that only ends when asked to stop: the window's shutdown must ask (the leak check fails on
    a shoot-out thread left running)."""
    stopped = []

    class Endless(FakeTraining):
        def poll(self, timeout):
            if self.stopped:
                stopped.append(self.spec.training.backend)
                self.terminal = ev.Stopped(run_dir=str(self.run_dir), summary={}, reason="stopped by the user")
                return [self.terminal]
            return []

    monkeypatch.setattr(so, "start_training", Endless)
    w = window
    w.doc.load_dict(load_preset("optimization_lab").to_dict(), None)
    w.runs.set_root(tmp_path / "runs")
    dialog = _open(w)
    dialog.start_btn.click()
    qtbot.waitUntil(lambda: dialog.grid.rowCount() and "running" in _cells(dialog, 1), timeout=5000)
    w.shutdown()
    assert stopped == [dialog.chosen()[0]]  # the running backend was stopped, no other one started
    assert not dialog.running
