"""Pause looks paused (issue 20, item 15): while a run is paused the read-out says so and gives no ETA (nothing is
being estimated), and the time it shows after Resume leaves the pause out (an ETA from a clock that ran through
the pause would be too long)."""

from __future__ import annotations

import time

from studio.ui.main_window import MainWindow
from tests.ui.conftest import close_window


def test_a_paused_run_shows_paused_without_an_eta_and_its_clock_leaves_the_pause_out(qtbot, dialogs, tmp_path,
                                                                                     monkeypatch):
    w = MainWindow(probe_devices=False, worker="tests.ui.pausing_worker", autosave_dir=tmp_path / "autosave")
    try:
        w.show()
        qtbot.waitExposed(w)
        w.open_file("presets/optimization_lab.json", as_template=True)
        w.checker.wait_data()
        monkeypatch.setattr(w, "runs_root", lambda: tmp_path / "runs")
        w.act_train.trigger()
        qtbot.waitUntil(lambda: "batch" in w.controls.progress.format(), timeout=60_000)
        w.act_pause.trigger()
        assert w.bridge.state == "paused"
        bar, info = w.controls.progress.format(), w.controls.info.text()
        assert "Paused" in bar and "ETA" not in info and "samples/s" not in info, (bar, info)
        time.sleep(2.2)  # a pause longer than the run so far
        qtbot.wait(200)
        assert "ETA" not in w.controls.info.text()  # no batch read-out came back while paused
        w.act_pause.trigger()  # Resume
        assert w.bridge.state == "running"
        qtbot.waitUntil(lambda: "ETA" in w.controls.info.text(), timeout=10_000)
        elapsed = w.controls.info.text().rsplit("elapsed ", 1)[-1]
        assert elapsed in ("0:00", "0:01"), w.controls.info.text()  # the 2 s paused are not counted
        with qtbot.waitSignal(w.bridge.ended, timeout=30_000):
            w.act_stop.trigger()
        qtbot.waitUntil(lambda: w.bridge.reaped, timeout=20_000)
    finally:
        close_window(w, qtbot)
