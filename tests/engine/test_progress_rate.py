"""The progress bar's samples/s agrees with the summary's (Reporter totals): both are the run's training
samples over its training time, so neither the validation after each epoch's last batch nor a slow first
epoch (compilation) makes them differ."""

from __future__ import annotations

import os
import time

import pytest

from studio.core.control import Control
from studio.core.events import BatchEnd, EpochEnd


class _Model:  # what Reporter reads of a model: its optimizer's rate, and the stop flag it sets
    stop_training = False
    optimizer = None


@pytest.mark.slow  # imports keras into the test process
def test_bar_rate_agrees_with_summary_rate():
    os.environ.setdefault("KERAS_BACKEND", "jax")  # the quickest to import; the callback runs no model
    from studio.engine.callbacks import Reporter

    events = []
    steps, batch = 5, 32
    reporter = Reporter(events.append, Control(), batch_size=batch, steps=steps, epochs=2, interval=0.0)
    reporter.set_model(_Model())
    for epoch in range(2):
        reporter.on_epoch_begin(epoch)
        for b in range(steps):
            reporter.on_train_batch_begin(b)
            time.sleep(0.06 if epoch == 0 else 0.01)  # the first epoch compiles: five times slower
            reporter.on_train_batch_end(b, {"loss": 0.5})
        time.sleep(0.2)  # validation: longer than the epoch's training, so a mixed-up rate shows at once
        reporter.on_epoch_end(epoch, {"loss": 0.5, "val_loss": 0.6})
    bar = [e.samples_per_s for e in events if isinstance(e, BatchEnd)]
    summary = reporter.samples / reporter.train_seconds
    assert reporter.samples == 2 * steps * batch
    assert abs(bar[-1] - summary) / summary < 0.05, (bar[-1], summary)
    assert all(isinstance(e.samples_per_s, float) for e in events if isinstance(e, EpochEnd))


@pytest.mark.slow  # imports keras into the test process
def test_a_pause_is_not_counted_as_run_time():
    """The run's time (the headline's "… 16 s on jax/cpu") leaves out the time it stood paused (issue 20, 15)."""
    import threading

    os.environ.setdefault("KERAS_BACKEND", "jax")
    from studio.engine.callbacks import Reporter

    control = Control()
    reporter = Reporter(lambda _e: None, control, batch_size=8, steps=2, epochs=2, interval=0.0)
    reporter.set_model(_Model())
    for epoch in range(2):
        reporter.on_epoch_begin(epoch)
        control.pause()  # paused before this epoch's first batch, resumed 0.3 s later
        threading.Timer(0.3, control.resume).start()
        for b in range(2):
            reporter.on_train_batch_begin(b)
            reporter.on_train_batch_end(b, {"loss": 0.5})
        reporter.on_epoch_end(epoch, {"loss": 0.5})
    assert 0.55 <= reporter.paused_seconds < 2.0, reporter.paused_seconds  # both pauses, over the epochs
