"""The live curves: the epoch axis follows a run in steps (never past its planned epochs) until the user zooms,
validation joins the legend with its first point, and long per-epoch curves drop their markers."""

from __future__ import annotations

import pytest

from studio.core import events as ev
from studio.ui.plots import MAX_MARKERS, PlotsPanel, nice_ceil


@pytest.mark.parametrize(("x", "want"), [(0.3, 0.5), (1.0, 1.0), (1.01, 2.0), (2.5, 5.0), (7.0, 10.0), (130, 200)])
def test_nice_ceil(x, want):
    assert nice_ceil(x) == pytest.approx(want)


def _started(epochs: int) -> ev.Started:
    return ev.Started(run_dir="r", backend="jax", device="cpu", summary=[], total_params=1, trainable_params=1,
                      epochs=epochs, steps_per_epoch=10, train_samples=100, val_samples=10, test_samples=0,
                      metrics=["loss", "accuracy", "val_loss", "val_accuracy"], task="classification", versions={})


def _feed(panel: PlotsPanel, epoch: int, steps: int = 10, val: bool = True) -> None:
    for step in range(1, steps + 1):
        panel.on_batch(ev.BatchEnd(epoch=epoch, step=step, steps=steps, global_step=epoch * steps + step,
                                   logs={"loss": 1.0 / (epoch + 1), "accuracy": 0.5}, samples_per_s=1.0))
    logs = {"loss": 1.0 / (epoch + 1), "accuracy": 0.5}
    if val:
        logs.update(val_loss=1.1 / (epoch + 1), val_accuracy=0.4)
    panel.on_epoch(ev.EpochEnd(epoch=epoch, epochs=3, logs=logs, learning_rate=0.01, seconds=1, samples_per_s=1))


def _right(panel: PlotsPanel) -> float:
    return panel.plots["loss"].plot.vb.viewRange()[0][1]


def test_epoch_axis_grows_in_steps_up_to_the_planned_epochs_and_stops_following_a_zoom(qtbot):
    panel = PlotsPanel()
    qtbot.addWidget(panel)
    panel.on_started(_started(epochs=3))
    _feed(panel, 0)
    panel.redraw()
    first = _right(panel)
    assert 1.0 <= first <= 1.3  # room to grow, not the whole run yet
    _feed(panel, 1)
    panel.redraw()
    assert 2.0 <= _right(panel) <= 3.1  # a step, capped by the 3 planned epochs
    assert _right(panel) == pytest.approx(panel.plots["accuracy"].plot.vb.viewRange()[0][1], abs=0.5)  # linked
    # the user zooms: the axis no longer moves under them
    panel.plots["loss"].plot.vb.sigRangeChangedManually.emit([True, False])
    panel.plots["loss"].plot.setXRange(0.2, 0.8, padding=0)
    _feed(panel, 2)
    panel.redraw()
    assert _right(panel) == pytest.approx(0.8)
    panel.shutdown()


def test_validation_joins_the_legend_and_markers_stop_on_long_curves(qtbot):
    panel = PlotsPanel()
    qtbot.addWidget(panel)
    panel.on_started(_started(epochs=500))
    loss = panel.plots["loss"]
    _feed(panel, 0, val=False)
    panel.redraw()
    assert loss.legend.getLabel(loss.curves["val"]) is None
    _feed(panel, 1)
    panel.redraw()
    assert loss.legend.getLabel(loss.curves["val"]) is not None
    assert loss.curves["val"].opts["symbol"] == "o"
    for epoch in range(2, MAX_MARKERS + 5):
        _feed(panel, epoch, steps=1)
    panel.redraw()
    assert loss.curves["val"].opts["symbol"] is None and loss.series["val"].n > MAX_MARKERS
    panel.shutdown()
