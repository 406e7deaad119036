"""The progress bar's samples/s (last BatchEnd of an epoch) agrees with the summary's (Reporter totals): both
count training steps only, not the validation that runs after the last batch."""

from __future__ import annotations

import os
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

from studio.core.control import Control  # noqa: E402
from studio.core.events import BatchEnd, EpochEnd  # noqa: E402
from studio.engine.callbacks import Reporter  # noqa: E402


class _Model:  # what Reporter reads of a model: its optimizer's rate, and the stop flag it sets
    stop_training = False
    optimizer = None


def test_bar_rate_agrees_with_summary_rate():
    events = []
    steps, batch = 5, 32
    reporter = Reporter(events.append, Control(), batch_size=batch, steps=steps, epochs=2, interval=0.0)
    reporter.set_model(_Model())
    for epoch in range(2):
        reporter.on_epoch_begin(epoch)
        for b in range(steps):
            reporter.on_train_batch_begin(b)
            time.sleep(0.01)
            reporter.on_train_batch_end(b, {"loss": 0.5})
        time.sleep(0.2)  # validation: as long as the whole epoch's training, so a mixed-up rate shows at once
        reporter.on_epoch_end(epoch, {"loss": 0.5, "val_loss": 0.6})
    bar = [e.samples_per_s for e in events if isinstance(e, BatchEnd) and e.step == steps]
    summary = reporter.samples / reporter.train_seconds
    epoch_rates = [e.samples_per_s for e in events if isinstance(e, EpochEnd)]
    assert len(bar) == 2
    for rate in (*bar, *epoch_rates):
        assert abs(rate - summary) / summary < 0.1, (bar, epoch_rates, summary)
