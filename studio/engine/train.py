"""One training run: spec → data → model → fit → evaluation → run directory, streaming events.

`run` is a plain function (no Qt, no processes) so tests can call it directly; `worker.main` calls it inside
the spawned child after choosing the backend. Whatever happens, it returns a terminal event and leaves the
run directory readable.
"""

from __future__ import annotations

import math
import os
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import numpy as np

from studio.core import diskspace
from studio.core import events as ev
from studio.core.analysis import DataShape
from studio.core.control import Control, ControlReader
from studio.core.runs import BEST_FILE, MODEL_FILE, SUMMARY_FILE, TENSORBOARD_DIR, RunWriter, set_status, \
    write_json_atomic
from studio.core.spec import RunSpec
from studio.data.dataset import Dataset
from studio.data.loaders import load
from studio.engine import bootstrap, boundary, distribution, keras_data, pydataset, recipe, recorder
from studio.engine.build import ModelBuildError, build_model, compile_model, layer_summary, prepare_targets, \
    split_inputs
from studio.data.class_weights import class_weights
from studio.engine.callbacks import Reporter, tensorboard_callback
from studio.engine.errors import classify
from studio.engine.evaluate import evaluate as evaluate_run


def peak_memory_mb() -> float | None:
    """This process's peak resident memory in MiB (None where the system cannot say).

    /proc/self/status VmHWM first: it belongs to this image alone (reset by exec), whereas ru_maxrss may
    carry the parent's size over a fork+exec; ru_maxrss is the fallback (kilobytes on Linux, bytes on macOS).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)
    except (ImportError, OSError):
        return None


class EpochCheckpoint(keras.callbacks.ModelCheckpoint):
    """Keras' best-model checkpoint, saving at epoch ends only (keeps batch dispatch asynchronous). Keras
    writes a partial file that is then renamed over best.keras: a save cut short (a full disk) never tears
    the last good checkpoint."""

    on_train_batch_begin = keras.callbacks.Callback.on_train_batch_begin
    on_train_batch_end = keras.callbacks.Callback.on_train_batch_end

    def __init__(self, filepath: str, **kwargs: Any):
        self.final = Path(filepath)
        super().__init__(str(self.final.with_name(diskspace.PARTIAL_PREFIX + self.final.name)), **kwargs)

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        partial = Path(self.filepath)
        if partial.exists():
            diskspace.fault(self.final)
            os.replace(partial, self.final)


def _callbacks(spec: RunSpec, run_dir: Path, has_val: bool, reporter: Reporter, extra: list) -> list:
    monitor_default = "val_loss" if has_val else "loss"
    # Keras' NaN check runs on the training thread after every batch, so the run stops at the batch that
    # diverged; it makes batch callbacks synchronous, which measured no slower on JAX's CPU MLPs
    cbs: list[Any] = [reporter, *extra, keras.callbacks.TerminateOnNaN()]  # extra: after the epoch's EpochEnd
    es, rop = spec.regularization.early_stopping, spec.optimizer.reduce_on_plateau
    cbs += recipe.stopping_callbacks(es and es.model_dump(), rop and rop.model_dump(), has_val)
    cbs.append(EpochCheckpoint(str(run_dir / BEST_FILE), monitor=monitor_default, save_best_only=True))
    cbs.append(tensorboard_callback(str(run_dir / TENSORBOARD_DIR)))
    return cbs


def _evaluate(model, ds: Dataset, loss: str, batch_size: int) -> dict[str, dict[str, float]]:
    """Final metrics of each split in inference mode (dropout and augmentation off)."""
    out = {}
    for name, x, y in (("train", ds.x_train, ds.y_train), ("validation", ds.x_val, ds.y_val),
                       ("test", ds.x_test, ds.y_test)):
        if x is None or len(x) == 0:
            continue
        feed = pydataset.batches(x, y, max(batch_size, 256), targets=lambda t: prepare_targets(t, loss, ds.num_classes))
        if feed is not None:  # streamed data (image folder, memory-mapped .npy): read batch by batch
            result = model.evaluate(feed, verbose=0, return_dict=True)
        else:
            y = prepare_targets(y, loss, ds.num_classes)
            result = model.evaluate(split_inputs(model, x), y, batch_size=max(batch_size, 256), verbose=0,
                                    return_dict=True)
        out[name] = {k: float(v) for k, v in result.items()}
    return out


def _save_model(model, run_dir: Path) -> None:
    tmp = run_dir / f"{diskspace.PARTIAL_PREFIX}{MODEL_FILE}"
    model.save(str(tmp))
    diskspace.fault(run_dir / MODEL_FILE)
    os.replace(tmp, run_dir / MODEL_FILE)
    os.chmod(run_dir / MODEL_FILE, 0o644)  # like the run's other files (Keras' zip writer may make it 0600)


def _disk_full(run_dir: Path) -> ev.Failed:
    """Remove what a save left half-written and say how much room the run needs (its checkpoint's size,
    or the partial file's)."""
    partial = diskspace.remove_partials(run_dir)
    best = run_dir / BEST_FILE
    needed = max(partial, best.stat().st_size if best.is_file() else 0, 1_000_000)
    return ev.Failed(reason=diskspace.DISK_FULL, message=diskspace.message(run_dir, needed), run_dir=str(run_dir))


def run(spec: RunSpec, run_dir: str | Path, emit: Callable[[ev.Event], None],
        control: ControlReader | None = None) -> ev.Event:
    run_dir = Path(run_dir)
    control = control or Control()
    writer = RunWriter(run_dir)
    lock = threading.Lock()

    def send(event: ev.Event) -> None:
        with lock:
            writer.event(event)
            emit(event)

    def relay_warning(message, category, filename, lineno, file=None, line=None):
        send(ev.Warning(message=f"{message}" if category is UserWarning else f"{category.__name__}: {message}"))

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            for category in (DeprecationWarning, PendingDeprecationWarning):  # for library authors, not users
                warnings.simplefilter("ignore", category)
            warnings.showwarning = relay_warning  # the user sees warnings in the log, not on a console
            result = _run(spec, run_dir, send, control, writer)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        # a bad spec or bad data is the user's to fix and the message says how; a traceback only helps with the rest
        result = classify(exc).failed(exc, "Training failed: ", str(run_dir))
        if diskspace.is_disk_full(exc):
            result = _disk_full(run_dir)
    if isinstance(result, ev.Failed):
        try:
            set_status(run_dir, "failed", reason=result.reason, message=result.message)
        except OSError:  # still no room: the supervisor reports it from the event
            pass
    try:
        send(result)
        writer.close()
    except OSError:  # a full disk: events.jsonl lacks its last line, the supervisor still hears
        emit(result)
    return result


def _start_from(model, path_text: str, send) -> None:
    """Continue training: load the weights of an earlier model of the same blocks. Only weights are read
    (nothing in the file is run), and a file of other blocks is refused with what to do instead."""
    path = Path(path_text).expanduser()
    if not path.is_file():
        raise ModelBuildError(f"the model to continue from, {path}, does not exist; choose a run's model.keras "
                              "or best.keras, or clear `training.initial_model` to start from scratch")
    try:
        model.load_weights(path)
    except Exception as exc:  # noqa: BLE001 - Keras says "layer count mismatch", "shape mismatch", …
        raise ModelBuildError(f"the weights in {path.name} do not fit this model ({exc}). Continue from a model "
                              "with the same blocks, e.g. open that run's spec.json, or clear "
                              "`training.initial_model` to start from scratch") from None
    send(ev.Log(message=f"Continuing from the weights of {path}"))


def _run(spec: RunSpec, run_dir: Path, send, control: ControlReader, writer: RunWriter) -> ev.Event:
    t_start = time.perf_counter()
    backend = keras.config.backend()
    device = spec.training.device
    placement = distribution.setup(spec.training.distribution, backend)  # before any model or array exists
    if spec.training.seed is not None:
        keras.utils.set_random_seed(spec.training.seed)
    ds = load(spec.data, spec.training.seed,
              keras_loader=lambda name: keras_data.load(name, progress=lambda m: send(ev.Log(message=m))))
    ds = placement.local_share(ds)  # several hosts: this process's share of the data
    shape = DataShape(ds.input_shape, ds.task, ds.num_classes, ds.target_width)
    with placement.scope():  # tf.distribute makes the model's variables on every device inside its scope
        model = build_model(spec, shape)
    if spec.training.initial_model:
        _start_from(model, spec.training.initial_model, send)
    n_train, n_val, n_test = ds.sizes()
    batch_size = placement.local_batch(min(spec.training.batch_size or n_train, n_train))
    steps = math.ceil(n_train / batch_size)
    placement.check_batches(batch_size, {"train": n_train, "validation": n_val, "test": n_test})
    with placement.scope():  # and compiles there (the optimizer's variables)
        loss, metric_names = compile_model(model, spec, shape, steps)
    y_train = prepare_targets(ds.y_train, loss, ds.num_classes)

    def targets(t: np.ndarray) -> np.ndarray:
        return prepare_targets(t, loss, ds.num_classes)

    train_feed = pydataset.batches(ds.x_train, ds.y_train, batch_size, shuffle=spec.data.shuffle,
                                   seed=spec.training.seed, targets=targets)  # None for in-memory data
    val_feed = pydataset.batches(ds.x_val, ds.y_val, max(batch_size, 256), targets=targets) if n_val else None
    val = val_feed or ((split_inputs(model, ds.x_val), prepare_targets(ds.y_val, loss, ds.num_classes))
                       if n_val else None)
    send(ev.Started(run_dir=str(run_dir), backend=backend, device=bootstrap.device_label(backend, device),
                    summary=layer_summary(model), total_params=int(model.count_params()),
                    trainable_params=int(sum(np.prod(w.shape) for w in model.trainable_weights)),
                    epochs=spec.training.epochs, steps_per_epoch=steps, train_samples=n_train,
                    val_samples=n_val, test_samples=n_test, metrics=metric_names, task=ds.task,
                    versions=bootstrap.versions(backend), devices=placement.devices))
    reporter = Reporter(send, control, batch_size, steps, spec.training.epochs, on_epoch=writer.epoch,
                        samples=n_train)
    recorders = recorder.recorders(spec, run_dir, ds, loss, send, {b.id for b in spec.model.blocks})
    if control.stop_requested():
        reporter.stopped_by_user = True
    else:
        if train_feed is not None:  # a keras PyDataset: batches read by parallel workers
            fit_data: dict[str, Any] = {"x": train_feed}
        else:
            fit_data = {"x": split_inputs(model, ds.x_train), "y": y_train, "batch_size": batch_size,
                        "shuffle": spec.data.shuffle}
        weights = class_weights(spec.training.class_weight, ds.y_train, ds.num_classes)
        if weights is not None:
            names = list(ds.class_names)
            shown = ", ".join(f"{names[c] if c < len(names) else c} {w:.3g}" for c, w in weights.items())
            send(ev.Log(message=f"Class weights (balanced): {shown}"))
        model.fit(**fit_data, epochs=spec.training.epochs, validation_data=val, class_weight=weights,
                  callbacks=boundary.stream(ds, send) + _callbacks(spec, run_dir, bool(n_val), reporter, recorders),
                  verbose=0)
    if reporter.nan_step is not None:
        return ev.Failed(reason=ev.NAN_LOSS, run_dir=str(run_dir),
                         message=f"The loss became NaN or infinite in epoch {reporter.nan_epoch}, batch "
                                 f"{reporter.nan_batch} of {steps}, and training stopped there. Lower the learning "
                                 "rate, add gradient clipping (clipnorm) or normalise the data.")
    _save_model(model, run_dir)
    summary = {
        "title": spec.meta.title,
        "metrics": _evaluate(model, ds, loss, batch_size),
        "loss": loss,
        "task": ds.task,
        "epochs_run": reporter.epochs_done,
        "epochs_planned": spec.training.epochs,
        "seconds": time.perf_counter() - t_start - reporter.paused_seconds,  # the run's time, not the pauses'
        "paused_seconds": reporter.paused_seconds,
        "train_seconds": reporter.train_seconds,
        "samples_per_s": reporter.samples / reporter.train_seconds if reporter.train_seconds else 0.0,
        "backend": backend,
        "device": bootstrap.device_label(backend, device),
        "params": int(model.count_params()),
        "samples": {"train": n_train, "validation": n_val, "test": n_test},
        "versions": bootstrap.versions(backend),
        "peak_memory_mb": peak_memory_mb(),
        "stopped_early": reporter.epochs_done < spec.training.epochs and not reporter.stopped_by_user,
    }
    if ds.extra.get("naive_baseline"):  # a series: "repeat the last value", in the units of the loss
        summary["naive_baseline"] = ds.extra["naive_baseline"]
    write_json_atomic(run_dir / SUMMARY_FILE, summary)
    try:  # the full evaluation (confusion matrix, ROC, errors vs the naive baseline) beside the curves
        evaluate_run(run_dir / MODEL_FILE, spec, run_dir, model=model, ds=ds)
    except Exception as exc:  # noqa: BLE001 - a failed evaluation must not fail the run
        send(ev.Warning(message=f"evaluation after training failed: {exc}"))
    if reporter.stopped_by_user:
        reason = getattr(control, "stop_reason", "") or "stopped by the user"  # or Ctrl-C, or the app went away
        set_status(run_dir, "stopped", reason=reason)
        return ev.Stopped(run_dir=str(run_dir), summary=summary, reason=reason)
    set_status(run_dir, "finished")
    return ev.Finished(run_dir=str(run_dir), summary=summary)
