"""A train handler that reports a two-epoch run without Keras and leaves a (fake) model file behind, so that a
test sees the live events and the end of a training in a few seconds (used by test_result_views)."""

from pathlib import Path

from studio.core import events as ev


def run(payload, channel):
    run_dir = payload["run_dir"]
    channel.emit(ev.Started(run_dir=run_dir, backend="jax", device="cpu", summary=[], total_params=3,
                            trainable_params=3, epochs=2, steps_per_epoch=1, train_samples=4, val_samples=0,
                            test_samples=0, metrics=["loss"], task="classification"))
    for epoch in range(2):
        channel.emit(ev.EpochEnd(epoch=epoch, epochs=2, logs={"loss": 1.0 / (epoch + 1)}, learning_rate=0.01,
                                 seconds=0.1, samples_per_s=40.0))
    (Path(run_dir) / "model.keras").write_bytes(b"not opened here")
    return ev.Finished(run_dir=run_dir, summary={})
