"""The training recipe in plain arguments: schedule, optimizer, loss, metrics, monitors.

These functions take no RunSpec, so the Python export embeds their own source (studio.engine.embed) and the
script compiles and trains exactly as the engine does; `studio.engine.build` adapts a spec to them.
"""

from __future__ import annotations

import warnings
from typing import Any

import keras

from studio.core.optimizers import learning_rate_at


@keras.saving.register_keras_serializable(package="KerasStudio")
class SpecSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """A Keras schedule that follows `learning_rate_at`, the same formula the GUI plots."""

    def __init__(self, base, schedule, params, steps_per_epoch, total_epochs):
        self.base, self.schedule, self.params = float(base), schedule, dict(params)
        self.steps_per_epoch, self.total_epochs = int(steps_per_epoch), int(total_epochs)

    def __call__(self, step):
        step = keras.ops.cast(step, "float32")
        return learning_rate_at(self.base, self.schedule, self.params, step, self.steps_per_epoch,
                                self.total_epochs, xp=keras.ops)

    def get_config(self):
        return {"base": self.base, "schedule": self.schedule, "params": self.params,
                "steps_per_epoch": self.steps_per_epoch, "total_epochs": self.total_epochs}


def learning_rate(base, schedule, params, steps_per_epoch, total_epochs):
    """A float for a constant rate (the saved model then needs nothing of Keras Studio), else a SpecSchedule."""
    if schedule == "constant":
        return float(base)
    return SpecSchedule(base, schedule, params, steps_per_epoch, total_epochs)


def optimizer(class_name, params, rate):
    """The Keras optimizer of that class (OPTIMIZER_CLASSES of Keras Studio's core names it for a spec)."""
    return getattr(keras.optimizers, class_name)(learning_rate=rate, **params)


def loss_object(name, label_smoothing):
    """The loss of a resolved loss name; the crossentropies carry the label smoothing."""
    if name == "binary_crossentropy":
        return keras.losses.BinaryCrossentropy(label_smoothing=label_smoothing)
    if name == "categorical_crossentropy":
        return keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing)
    return keras.losses.get(name)


def metric_objects(names, loss, task, num_classes) -> list[Any]:
    """The metrics that apply to this loss and task; the others are left out with a warning."""
    out: list[Any] = []
    binary = loss == "binary_crossentropy"
    for m in names:
        if m == "accuracy":
            out.append("accuracy")
        elif m == "rmse":
            out.append(keras.metrics.RootMeanSquaredError(name="rmse"))
        elif m == "auc" and binary:
            out.append(keras.metrics.AUC(name="auc"))
        elif m == "precision" and binary:
            out.append(keras.metrics.Precision(name="precision"))
        elif m == "recall" and binary:
            out.append(keras.metrics.Recall(name="recall"))
        elif m == "top_k_accuracy" and task == "classification" and num_classes > 5:
            cls = (keras.metrics.TopKCategoricalAccuracy if loss == "categorical_crossentropy"
                   else keras.metrics.SparseTopKCategoricalAccuracy)
            out.append(cls(k=5, name="top5_accuracy"))
        elif m in ("mae", "mse"):
            out.append(m)
        else:
            # its own name: overwriting `binary` here let the metrics after a dropped one in on any head (a
            # softmax head with precision, recall then crashed the run on a shape mismatch)
            binary_only = m in ("auc", "precision", "recall")
            kind = "binary classification" if binary_only else "classification with over 5 classes"
            warnings.warn(f"metric `{m}` applies to {kind} only; it is left out of this run", stacklevel=2)
    return out


def monitored(monitor, has_val):
    """The quantity a callback watches: a `val_` one falls back to its training twin when there is no
    validation split."""
    return monitor if has_val or not monitor.startswith("val_") else monitor[4:]


def stopping_callbacks(early_stopping, reduce_on_plateau, has_val) -> list[Any]:
    """EarlyStopping and ReduceLROnPlateau from their spec sections as dicts (None: not used)."""
    cbs: list[Any] = []
    es = early_stopping
    if es:
        cbs.append(keras.callbacks.EarlyStopping(monitor=monitored(es["monitor"], has_val), patience=es["patience"],
                                                 min_delta=es["min_delta"],
                                                 restore_best_weights=es["restore_best_weights"]))
    rop = reduce_on_plateau
    if rop:
        cbs.append(keras.callbacks.ReduceLROnPlateau(monitor=monitored(rop["monitor"], has_val), factor=rop["factor"],
                                                     patience=rop["patience"], min_lr=rop["min_lr"]))
    return cbs
