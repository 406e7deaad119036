"""The curve state without a window: series per metric fed by events or read back from a run, the smoothing, and
where a run diverged."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from studio.core import events as ev
from studio.core.curves import LABELS, RunCurves, Series, Smoother, flat_span, nice_ceil
from studio.core.runs import EVENTS_FILE, create_run_dir


def _started(epochs: int = 3, metrics=("loss", "accuracy", "val_loss", "val_accuracy")) -> ev.Started:
    return ev.Started(run_dir="r", backend="jax", device="cpu", summary=[], total_params=1, trainable_params=1,
                      epochs=epochs, steps_per_epoch=10, train_samples=100, val_samples=10, test_samples=0,
                      metrics=list(metrics), task="classification", versions={})


def _batch(epoch: int, step: int, steps: int = 10, **logs: float) -> ev.BatchEnd:
    return ev.BatchEnd(epoch=epoch, step=step, steps=steps, global_step=epoch * steps + step, logs=logs,
                       samples_per_s=1.0)


def _epoch(epoch: int, lr: float = 0.01, **logs: float) -> ev.EpochEnd:
    return ev.EpochEnd(epoch=epoch, epochs=3, logs=logs, learning_rate=lr, seconds=1, samples_per_s=1)


def test_series_doubles_its_buffers_and_finds_the_nearest_point():
    s = Series(capacity=2)
    for i in range(5):
        s.append(float(i), float(i * i))
    s.extend(np.array([5.0, 6.0]), np.array([25.0, 36.0]))
    x, y = s.data()
    assert list(x) == [0, 1, 2, 3, 4, 5, 6] and list(y) == [0, 1, 4, 9, 16, 25, 36] and len(s.x) >= 7
    assert s.nearest(2.4) == (2.0, 4.0) and s.nearest(2.6) == (3.0, 9.0) and s.nearest(-5) == (0.0, 0.0)
    assert Series().nearest(1.0) is None


def test_the_smoothing_is_debiased_and_its_memory_is_at_most_a_fifth_of_an_epoch():
    smooth = Smoother()
    assert smooth(0.1, 0.5) == pytest.approx(0.5)  # the first point is the first value, not 0.05
    # a point a whole epoch later barely remembers the past (e^-5 of it), whatever the smoothing weight says
    assert smooth(1.1, 1.0) == pytest.approx(1.0, abs=0.01)
    dense = Smoother()
    values = [dense(i / 1000, 1.0 if i else 0.0) for i in range(50)]  # close points: the weight 0.9 holds
    assert 0.9 < values[-1] < 1.0 and values[1] == pytest.approx(0.1 / 0.19)


def test_batches_feed_raw_and_smoothed_points_and_epochs_feed_train_validation_and_the_rate():
    c = RunCurves()
    c.on_started(_started())
    assert list(c.metrics) == ["loss", "accuracy", "learning_rate"] and c.epochs == 3
    c.on_batch(_batch(0, 5, loss=0.9, batch_loss=0.7, accuracy=0.6, batch_accuracy=0.8))
    c.on_batch(_batch(0, 10, loss=0.8, batch_loss=0.6, accuracy=0.7, batch_accuracy=0.9))
    c.on_epoch(_epoch(0, lr=0.05, loss=0.8, accuracy=0.7, val_loss=0.85, val_accuracy=0.65))
    loss = c.metrics["loss"].series
    assert list(loss["raw"].data()[0]) == [0.5, 1.0] and list(loss["raw"].data()[1]) == pytest.approx([0.7, 0.6])
    assert loss["smooth"].n == 2 and 0.6 < loss["smooth"].y[1] < 0.7
    assert list(loss["epoch"].data()[1]) == [0.8] and list(loss["val"].data()[1]) == [0.85]
    assert list(c.metrics["learning_rate"].series["lr"].data()[1]) == [0.05]
    assert c.last_x() == 1.0 and c.point_count()["accuracy.val"] == 1
    assert c.metrics["loss"].readout(0.9) == "\n".join(
        [f"{LABELS['raw']}: 0.6 @ 1.00", f"{LABELS['smooth']}: {loss['smooth'].y[1]:.4g} @ 1.00",
         f"{LABELS['epoch']}: 0.8 @ 1.00", f"{LABELS['val']}: 0.85 @ 1.00"])


def test_the_first_nan_loss_marks_the_divergence_once_and_adds_no_point():
    c = RunCurves()
    c.on_started(_started(epochs=20))
    assert not c.on_batch(_batch(1, 7, loss=2.0, batch_loss=2.0))
    assert c.on_batch(_batch(1, 8, loss=math.inf, batch_loss=math.inf))
    assert c.diverged == (pytest.approx(1.8), 2, 8) and c.diverged.label() == "loss became NaN/inf\nepoch 2, batch 8"
    assert not c.on_epoch(_epoch(1, loss=math.nan))  # the epoch's end repeats it: no second mark
    assert c.metrics["loss"].series["raw"].n == 1 and c.last_x() == pytest.approx(1.8)
    older = RunCurves()  # runs recorded before the engine stopped at the NaN batch: marked at the epoch's end
    assert older.on_epoch(_epoch(1, loss=math.nan)) and older.diverged.label() == "loss became NaN/inf\nepoch 2"


def test_a_single_value_is_shown_from_zero_until_the_curves_spread():
    assert flat_span([np.array([30786.0]), np.array([])]) == pytest.approx((0.0, 30786.0 * 1.15))
    assert flat_span([np.array([-2.0, -2.0])]) == pytest.approx((-2.3, 1.0))
    assert flat_span([np.array([4.7, 4.4])]) is None
    assert flat_span([np.full(9, 1.0)]) is None  # enough points: the axis follows them
    assert flat_span([]) is None


@pytest.mark.parametrize(("x", "want"), [(0.3, 0.5), (1.0, 1.0), (1.01, 2.0), (7.0, 10.0), (130, 200)])
def test_nice_ceil(x, want):
    assert nice_ceil(x) == pytest.approx(want)


def test_a_finished_run_reads_back_from_its_events_or_its_metrics_file(tmp_path):
    with_events = create_run_dir(tmp_path, {"meta": {"title": "events"}})
    recorded = (_started(epochs=2), _batch(0, 10, loss=0.9, batch_loss=0.9), _epoch(0, loss=0.9, val_loss=1.0),
                _epoch(1, loss=0.5, val_loss=0.6))
    (with_events / EVENTS_FILE).write_text("".join(json.dumps(e.to_dict()) + "\n" for e in recorded))
    c = RunCurves()
    assert c.load_run(with_events)
    assert list(c.metrics["loss"].series["epoch"].data()[1]) == [0.9, 0.5] and c.metrics["loss"].series["raw"].n == 1
    assert c.epochs == 0  # drawn whole
    csv_only = create_run_dir(tmp_path, {"meta": {"title": "csv"}})
    (csv_only / "metrics.csv").write_text("epoch,loss,mae,val_loss,learning_rate,seconds\n1,2.0,1.5,2.2,0.1,0.3\n"
                                          "2,1.0,1.0,1.3,0.05,0.3\n")
    assert c.load_run(csv_only) and list(c.metrics) == ["loss", "mae", "learning_rate"]
    assert list(c.metrics["loss"].series["val"].data()[1]) == [2.2, 1.3]
    assert list(c.metrics["learning_rate"].series["lr"].data()[1]) == [0.1, 0.05]
    assert not RunCurves().load_run(create_run_dir(tmp_path, {"meta": {"title": "empty"}}))
