"""RunHistory reads the same story from a run's files as from its live events, and from metrics.csv alone."""

from __future__ import annotations

import math

import numpy as np

from studio.core import events as ev
from studio.core.coach.history import RunHistory
from studio.core.runs import EVENTS_FILE
from tests.coach.rundirs import OVERFIT_LOSS, OVERFIT_VAL, build_run


def test_a_run_directory_and_its_live_events_give_the_same_history(tmp_path):
    run = tmp_path / "run"
    sent = build_run(run)
    after = RunHistory.from_run_dir(run)
    live = RunHistory()
    for e in sent:
        live.feed(ev.from_dict(e.to_dict()))  # as the events travel: JSON dicts
    for h in (after, live):
        assert h.metric("loss") == OVERFIT_LOSS and h.metric("val_loss") == OVERFIT_VAL
        assert h.epochs_planned == 7 and h.steps_per_epoch == 30 and h.data.val_samples == 30
        assert h.inspect_epochs == list(range(1, 8)) and h.loss() == "sparse_categorical_crossentropy"
        assert np.allclose(h.stats["dense_1"]["dead"], [0.1 * e for e in range(1, 8)])
        assert np.allclose(h.grad_rms["head"], 0.01) and len(h.batch_losses) == 7
    assert after.spec is not None and after.state == "finished" and live.state == "finished"


def test_metrics_csv_alone_is_enough_for_the_curves(tmp_path):
    run = tmp_path / "run"
    build_run(run, inspect=False)
    (run / EVENTS_FILE).unlink()
    h = RunHistory.from_run_dir(run)
    assert h.metric("val_loss") == OVERFIT_VAL and h.learning_rates == [0.001] * 7 and not h.inspect_epochs


def test_a_nan_batch_is_kept_with_its_epoch_and_batch():
    h = RunHistory()
    h.feed({"event": "BatchEnd", "epoch": 1, "step": 4, "steps": 9, "global_step": 13, "logs": {"loss": math.inf},
            "samples_per_s": 1.0})
    h.feed({"event": "EpochEnd", "epoch": 1, "epochs": 3, "logs": {"loss": math.nan}, "learning_rate": 0.1,
            "seconds": 1.0, "samples_per_s": 1.0})
    assert h.nan_at == (2, 4)


def test_an_epoch_sent_twice_replaces_the_first():
    h = RunHistory()
    for value in (1.0, 0.5):
        h.feed(ev.EpochEnd(epoch=0, epochs=2, logs={"loss": value}, learning_rate=0.1, seconds=1.0,
                           samples_per_s=1.0))
    assert h.metric("loss") == [0.5] and h.learning_rates == [0.1]
