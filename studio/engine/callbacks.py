"""Keras callbacks that stream a run's progress and obey stop/pause, at almost no cost to training.

- `Reporter` reads logs in `on_train_batch_end` and sends at most one BatchEnd per `interval` seconds. It is
  `async_safe`: where Keras may dispatch batch ends to a worker thread, it does not hold that up. (Today the
  run also has Keras' TerminateOnNaN, a synchronous batch hook, so each step waits for its loss: that is
  what stops a run at the very batch whose loss became NaN, and it measured no slower on JAX's CPU MLPs.)
- the stop/pause checks run in `on_train_batch_begin`, which Keras always calls on the training thread,
  and cost one flag read per step; `stop_training` is only ever set there.

Keras logs each metric as a running mean over the epoch so far. BatchEnd also carries `batch_<name>`: the
mean over just the batches since the previous BatchEnd, recovered from the running sums, for every metric
that is such a mean (loss, accuracy, mae, mse, top-5 accuracy; rmse as the root of one). Precision, recall
and AUC are not means of per-batch values, so they have no batch value; the plots show them per epoch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import keras

from studio.core.control import ControlReader
from studio.core.events import BatchEnd, EpochEnd, Event, Log

MEANS = ("loss", "accuracy", "mae", "mse", "top5_accuracy")  # running means of per-sample values
ROOT_MEANS = ("rmse",)  # the square root of such a mean


def current_learning_rate(model) -> float:
    try:
        rate = model.optimizer.learning_rate
        return float(keras.ops.convert_to_numpy(getattr(rate, "value", rate)))  # a Variable's tensor
    except Exception:  # noqa: BLE001 - an exotic optimizer without a readable rate
        return float("nan")


class Reporter(keras.callbacks.Callback):
    async_safe = True  # batch-end work runs on Keras' callback thread, off the training loop

    def __init__(self, emit: Callable[[Event], None], control: ControlReader, batch_size: int, steps: int,
                 epochs: int, on_epoch: Callable[[int, dict, float, float], None] | None = None,
                 interval: float = 0.05, samples: int | None = None):
        super().__init__()
        self.emit = emit
        self.control = control
        self.batch_size = batch_size
        self.steps = steps
        self.epochs = epochs
        self.epoch_samples = samples or batch_size * steps  # the last batch may be smaller
        self.on_epoch = on_epoch
        self.interval = interval
        self.global_step = 0
        self.epochs_done = 0
        self.nan_step: int | None = None  # global, 1-based: where the loss first became NaN or infinite
        self.nan_epoch = 0  # 1-based
        self.nan_batch = 0  # 1-based within that epoch
        self.stopped_by_user = False
        self.samples = 0
        self.train_seconds = 0.0
        self.paused_seconds = 0.0  # the whole run's time paused: not run time (the summary's seconds leave it out)

    # ---------------------------------------------------------------- training thread
    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._epoch_start = time.perf_counter()
        self._last_emit = self._epoch_start
        self._seen_at_emit = 0  # samples of this epoch and their summed metrics at the previous BatchEnd
        self._sums_at_emit: dict[str, float] = {}
        self._paused_s = 0.0
        self._last_batch_end: float | None = None

    def on_train_batch_begin(self, batch, logs=None):
        control = self.control
        if control.stop_requested():
            self._request_stop()
        elif control.pause_requested():
            t = time.perf_counter()
            self.emit(Log("Paused"))
            control.wait_while_paused()
            self._paused_s += time.perf_counter() - t
            self.paused_seconds += time.perf_counter() - t
            self.emit(Log("Resumed") if not control.stop_requested() else Log("Stopping"))
            if control.stop_requested():
                self._request_stop()

    def _request_stop(self):
        if not self.stopped_by_user:
            self.stopped_by_user = True
            self.model.stop_training = True

    # ---------------------------------------------------------------- Keras' callback thread
    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        self.global_step += 1
        step = batch + 1
        loss = logs.get("loss")
        if loss is None:
            return
        now = time.perf_counter()
        self._last_batch_end = now
        if not math.isfinite(float(loss)):
            if self.nan_step is None:  # sent at once: the plots mark where the run diverged
                self.nan_step, self.nan_epoch, self.nan_batch = self.global_step, self._epoch + 1, step
                self._send(step, logs, now)
            return
        if now - self._last_emit >= self.interval or step == self.steps:
            self._send(step, logs, now)

    def _send(self, step: int, logs: dict, now: float) -> None:
        elapsed = max(now - self._epoch_start - self._paused_s, 1e-9)
        out = {k: float(v) for k, v in logs.items() if isinstance(v, (int, float))}
        seen = min(step * self.batch_size, self.epoch_samples)
        window = max(seen - self._seen_at_emit, 1)
        for name, mean in list(out.items()):
            if name in MEANS or name in ROOT_MEANS:
                # running mean × samples = running sum; the difference is the window's own sum
                total = (mean * mean if name in ROOT_MEANS else mean) * seen
                value = (total - self._sums_at_emit.get(name, 0.0)) / window
                out[f"batch_{name}"] = math.sqrt(max(value, 0.0)) if name in ROOT_MEANS else value
                self._sums_at_emit[name] = total
        self._seen_at_emit = seen
        self._last_emit = now
        self.emit(BatchEnd(epoch=self._epoch, step=step, steps=self.steps, global_step=self.global_step,
                           logs=out, samples_per_s=self._rate(step * self.batch_size, elapsed)))

    def _rate(self, samples: float, seconds: float) -> float:
        """Samples per second of training so far in the run: the summary's figure, so the two agree at the end
        (a per-epoch rate would hide the first epoch's compilation that the summary counts)."""
        return (self.samples + samples) / max(self.train_seconds + seconds, 1e-9)

    # ---------------------------------------------------------------- training thread again
    def on_epoch_end(self, epoch, logs=None):
        if self.nan_step is not None:
            return  # Keras ends the broken epoch anyway; its means are NaN and it is no epoch of the run
        logs = {k: float(v) for k, v in (logs or {}).items() if isinstance(v, (int, float))}
        seconds = time.perf_counter() - self._epoch_start - self._paused_s
        # samples/s counts training steps only, as the progress bar does: validation comes after the last batch
        fit_seconds = max((self._last_batch_end or time.perf_counter()) - self._epoch_start - self._paused_s, 1e-9)
        lr = current_learning_rate(self.model)
        logs.pop("learning_rate", None)
        samples = self.steps * self.batch_size
        self.samples += samples
        self.train_seconds += fit_seconds
        self.epochs_done = epoch + 1
        if self.on_epoch:
            self.on_epoch(epoch, logs, lr, seconds)
        self.emit(EpochEnd(epoch=epoch, epochs=self.epochs, logs=logs, learning_rate=lr, seconds=seconds,
                           samples_per_s=samples / fit_seconds))


class EpochScalarWriter(keras.callbacks.Callback):
    """TensorBoard epoch scalars written with the tensorboard package alone.

    Keras' TensorBoard callback imports TensorFlow, which costs a torch or JAX run about 4 s of start-up and
    half a gigabyte; this writes the same layout (train/ and validation/, `epoch_<metric>` tags) without it.
    """

    def __init__(self, log_dir: str):
        super().__init__()
        self.log_dir = log_dir
        self._writers: dict = {}

    def _writer(self, split: str):
        if split not in self._writers:
            from tensorboard.summary.writer.event_file_writer import EventFileWriter

            self._writers[split] = EventFileWriter(f"{self.log_dir}/{split}")
        return self._writers[split]

    def on_epoch_end(self, epoch, logs=None):
        from tensorboard.compat.proto.event_pb2 import Event
        from tensorboard.compat.proto.summary_pb2 import Summary

        for name, value in (logs or {}).items():
            split = "validation" if name.startswith("val_") else "train"
            value = Summary.Value(tag="epoch_" + name.removeprefix("val_"), simple_value=float(value))
            self._writer(split).add_event(Event(wall_time=time.time(), step=epoch, summary=Summary(value=[value])))
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()


def tensorboard_callback(log_dir: str) -> keras.callbacks.Callback:
    if keras.config.backend() == "tensorflow":
        return EpochTensorBoard(log_dir=log_dir, write_graph=False, profile_batch=0)
    return EpochScalarWriter(log_dir)


class EpochTensorBoard(keras.callbacks.TensorBoard):
    """Keras' TensorBoard writer, kept to epoch summaries so it leaves batch dispatch asynchronous."""

    on_train_batch_begin = keras.callbacks.Callback.on_train_batch_begin
    on_train_batch_end = keras.callbacks.Callback.on_train_batch_end
    on_test_batch_begin = keras.callbacks.Callback.on_test_batch_begin
    on_test_batch_end = keras.callbacks.Callback.on_test_batch_end
