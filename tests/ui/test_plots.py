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
                                   logs={"loss": 1.0 / (epoch + 1), "accuracy": 0.5, "batch_loss": 1.0 / (epoch + 1),
                                         "batch_accuracy": 0.5}, samples_per_s=1.0))
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


def _batch(epoch: int, step: int, steps: int, **logs: float) -> ev.BatchEnd:
    return ev.BatchEnd(epoch=epoch, step=step, steps=steps, global_step=epoch * steps + step, logs=logs,
                       samples_per_s=1.0)


def _epoch_end(epoch: int, **logs: float) -> ev.EpochEnd:
    return ev.EpochEnd(epoch=epoch, epochs=10, logs=logs, learning_rate=0.01, seconds=1, samples_per_s=1)


@pytest.mark.parametrize("points_per_epoch", [1, 2, 50])
def test_the_smoothed_curve_reaches_the_epochs_value_and_does_not_start_at_zero(qtbot, points_per_epoch):
    # a full-batch run (the optimisation lab) sends one point an epoch, a fast run a few: the smoothing must
    # not lag several epochs behind either (it showed 0.75 at epoch 8 while the run's accuracy was 0.95)
    panel = PlotsPanel()
    qtbot.addWidget(panel)
    panel.on_started(_started(epochs=10))
    acc = panel.plots["accuracy"]
    for epoch in range(8):
        value = 0.5 if epoch == 0 else 0.95  # a step: the run jumps after its first epoch
        for step in range(1, points_per_epoch + 1):
            panel.on_batch(_batch(epoch, step, points_per_epoch, loss=1.0, batch_loss=1.0, accuracy=value,
                                  batch_accuracy=value))
        panel.on_epoch(_epoch_end(epoch, loss=1.0, accuracy=value))
        _x, smooth = acc.series["smooth"].data()
        assert smooth[-1] == pytest.approx(value, abs=0.01), (epoch, smooth)
    _x, smooth = acc.series["smooth"].data()
    assert smooth[0] == pytest.approx(0.5)  # debiased: the first point is the first value, not 0.05
    panel.shutdown()


def test_train_per_epoch_is_drawn_beside_validation_and_batches_mean_the_same_on_every_plot(qtbot):
    panel = PlotsPanel()
    qtbot.addWidget(panel)
    panel.on_started(_started(epochs=3))
    # Keras' running means (loss, accuracy) differ from the batches' own values (batch_*): every plot's
    # "train (batches)" curve must be the batches' own value, the loss's as well as the accuracy's
    panel.on_batch(_batch(0, 5, 10, loss=0.9, batch_loss=0.7, accuracy=0.6, batch_accuracy=0.8))
    panel.on_batch(_batch(0, 10, 10, loss=0.8, batch_loss=0.6, accuracy=0.7, batch_accuracy=0.9))
    panel.on_epoch(_epoch_end(0, loss=0.8, accuracy=0.7, val_loss=0.85, val_accuracy=0.65))
    panel.redraw()
    for name, batches, epoch, val in (("loss", [0.7, 0.6], 0.8, 0.85), ("accuracy", [0.8, 0.9], 0.7, 0.65)):
        p = panel.plots[name]
        assert list(p.series["raw"].data()[1]) == pytest.approx(batches), name
        x, y = p.curves["epoch"].getData()
        assert list(x) == [1.0] and list(y) == pytest.approx([epoch])
        assert list(p.curves["val"].getData()[1]) == pytest.approx([val])
    # one legend, on the first plot, in a fixed order: the curves look and mean the same on every plot
    assert [label.text for _sample, label in panel.plots["loss"].legend.items] == \
        ["train (batches)", "train (smoothed)", "train (epoch)", "validation"]
    assert not panel.plots["accuracy"].legend.items
    panel.shutdown()


def test_a_diverged_run_is_marked_where_its_loss_became_nan_and_keeps_a_sane_y_range(qtbot):
    panel = PlotsPanel()
    qtbot.addWidget(panel)
    panel.on_started(_started(epochs=20))
    losses = [10.0 * 30 ** i for i in range(14)]  # the loss explodes before it overflows
    for i, loss in enumerate(losses):
        epoch, step = divmod(i, 10)
        panel.on_batch(_batch(epoch, step + 1, 10, loss=loss, batch_loss=loss, accuracy=0.5, batch_accuracy=0.5))
        if step == 9:
            panel.on_epoch(_epoch_end(epoch, loss=loss, accuracy=0.5))
    # what the engine sends when the loss of epoch 2's batch 8 is infinite, then stops
    panel.on_batch(_batch(1, 8, 10, loss=float("inf"), batch_loss=float("inf"), accuracy=0.5))
    panel.redraw()
    panel.resize(900, 500)
    panel.show()
    qtbot.waitExposed(panel)
    loss = panel.plots["loss"]
    assert panel.diverged == (pytest.approx(1.8), 2, 8)  # 1-based epoch and batch
    for p in panel.plots.values():
        assert p.divergence is not None and p.divergence.value() == pytest.approx(1.8)
    assert "epoch 2, batch 8" in loss.divergence.label.toPlainText()
    (x0, x1), (y0, y1) = loss.plot.vb.viewRange()
    assert x0 <= 1.8 <= x1  # the mark is in view
    # the y axis holds every finite point drawn, from the first loss to the largest
    assert y0 <= min(losses) and y1 >= max(losses) and y1 - y0 > 0.5 * max(losses)
    panel.shutdown()


def test_a_run_recorded_before_the_engine_stopped_at_the_nan_batch_is_marked_at_its_nan_epoch(qtbot):
    panel = PlotsPanel()
    qtbot.addWidget(panel)
    panel.on_started(_started(epochs=5))
    _feed(panel, 0)
    panel.on_epoch(_epoch_end(1, loss=float("nan"), accuracy=0.5))  # its second epoch ended with a NaN loss
    assert panel.diverged == (2.0, 2, 0)
    assert "epoch 2" in panel.plots["loss"].divergence.label.toPlainText()
    panel.shutdown()


def test_a_run_that_diverges_after_one_point_shows_it_from_zero_not_in_a_hairline_band(qtbot):
    panel = PlotsPanel()
    qtbot.addWidget(panel)
    panel.on_started(_started(epochs=5))
    panel.on_batch(_batch(0, 10, 10, loss=30786.0, batch_loss=30786.0))
    panel.on_epoch(_epoch_end(0, loss=30786.0))
    panel.on_batch(_batch(1, 3, 10, loss=float("nan"), batch_loss=float("nan")))
    panel.redraw()
    panel.resize(600, 400)
    panel.show()
    qtbot.waitExposed(panel)
    y0, y1 = panel.plots["loss"].plot.vb.viewRange()[1]
    assert y0 <= 0 and 30786 < y1 < 2 * 30786  # the value, read against zero
    assert panel.diverged == (pytest.approx(1.3), 2, 3)
    # a new run's first point is shown from zero too; once its curves spread, the y axis follows them again
    panel.on_started(_started(epochs=5))
    panel.on_batch(_batch(0, 1, 10, loss=4.7, batch_loss=4.7))
    panel.redraw()
    qtbot.wait(50)
    assert panel.plots["loss"].plot.vb.viewRange()[1][0] <= 0
    for step in range(2, 11):
        panel.on_batch(_batch(0, step, 10, loss=5.0 - 0.3 * step, batch_loss=5.0 - 0.3 * step))
    panel.redraw()
    qtbot.wait(50)
    y0, y1 = panel.plots["loss"].plot.vb.viewRange()[1]
    assert 1.5 < y0 < 2.2 and 4.4 < y1 < 5.2
    panel.shutdown()
