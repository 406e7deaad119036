"""A train handler that reports batches until it is stopped, and holds while it is paused, without Keras (used by
test_pause_looks_paused): what the progress read-out shows around a pause, in a second or two."""

import time

from studio.core import events as ev


def run(payload, channel):
    control, run_dir = channel.control, payload["run_dir"]
    channel.emit(ev.Started(run_dir=run_dir, backend="jax", device="cpu", summary=[], total_params=3,
                            trainable_params=3, epochs=1, steps_per_epoch=400, train_samples=400, val_samples=0,
                            test_samples=0, metrics=["loss"], task="classification"))
    step = 0
    while not control.stop_requested() and step < 400:
        if control.pause_requested():
            time.sleep(0.02)
            continue
        step += 1
        channel.emit(ev.BatchEnd(epoch=0, step=step, steps=400, global_step=step, logs={"loss": 1.0},
                                 samples_per_s=100.0))
        time.sleep(0.03)
    return ev.Stopped(run_dir=run_dir, summary={})
