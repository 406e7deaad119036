"""Try it on a series model: the forecast is shown where it happens (the last window the model saw and the
forecast after it), with labelled axes, not as a sliver at the end of the whole series."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")


def test_forecast_is_zoomed_to_the_last_window_and_labelled(qtbot, runs):
    from studio.ui.evaluation import TryItPanel

    panel = TryItPanel()
    qtbot.addWidget(panel)
    try:
        panel.open_run(runs["sine"])
        qtbot.waitUntil(lambda: panel.ready, timeout=120_000)
        panel.steps.setValue(20)
        with qtbot.waitSignal(panel.answered, timeout=60_000):
            panel.forecast()
        series = panel.series_curve.getData()[1]
        t, _v = panel.forecast_curve.getData()
        (x0, x1), _y = panel.series_plot.getViewBox().viewRange()
        window = panel.info["input_shape"][0]  # 16 steps
        assert x0 <= len(series) - 1 - window and x0 >= len(series) - 1 - window - 5
        assert x1 >= t[-1] and x1 - x0 < 2 * (window + 20)
        assert panel.series_plot.getAxis("bottom").labelText == "time step"
        assert panel.series_plot.getAxis("left").labelText == "value"
        assert np.isfinite(series).all()
    finally:
        panel.shutdown()
