"""Catalogue of Keras 3 optimizers, learning-rate schedules and losses, with their arguments.

Argument names are the Keras keyword arguments. `learning_rate`, `weight_decay` and the clipping options
are common to all optimizers and live on the spec's optimizer section itself.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from studio.core.params import Param

_b1 = Param("beta_1", "float", 0.9, "Decay of the first-moment average", minimum=0, maximum=1, exclusive_max=True)
_b2 = Param("beta_2", "float", 0.999, "Decay of the second-moment average", minimum=0, maximum=1,
            exclusive_max=True)
_eps = Param("epsilon", "float", 1e-7, "Small constant for numerical stability", minimum=0, exclusive_min=True,
             advanced=True)
_amsgrad = Param("amsgrad", "bool", False, "Use the AMSGrad variant", advanced=True)
_rho = Param("rho", "float", 0.9, "Decay of the squared-gradient average", minimum=0, maximum=1)
_momentum = Param("momentum", "float", 0.0, "Momentum (0 = plain gradient descent)", minimum=0, maximum=1,
                  exclusive_max=True)

_BY_KERAS_CLASS: dict[str, tuple[str, float, tuple[Param, ...]]] = {
    # Keras class name: (help, default learning rate, own parameters); the spec names it in lower case
    "SGD": ("Stochastic gradient descent, optionally with (Nesterov) momentum", 0.01, (
        _momentum, Param("nesterov", "bool", False, "Nesterov's look-ahead momentum"))),
    "Adam": ("Adaptive moments: a robust default", 0.001, (_b1, _b2, _eps, _amsgrad)),
    "AdamW": ("Adam with decoupled weight decay", 0.001, (_b1, _b2, _eps, _amsgrad)),
    "RMSprop": ("Divide the gradient by a running average of its magnitude", 0.001, (
        _rho, _momentum, _eps, Param("centered", "bool", False, "Normalise by the gradient's variance",
                                     advanced=True))),
    "Adagrad": ("Per-parameter rates that shrink with accumulated gradients", 0.001, (
        Param("initial_accumulator_value", "float", 0.1, "Starting accumulator", minimum=0, advanced=True),
        _eps)),
    "Adadelta": ("Adagrad that adapts with a moving window", 0.001, (
        Param("rho", "float", 0.95, "Decay rate", minimum=0, maximum=1), _eps)),
    "Adamax": ("Adam with the infinity norm", 0.001, (_b1, _b2, _eps)),
    "Nadam": ("Adam with Nesterov momentum", 0.001, (_b1, _b2, _eps)),
    "Lion": ("Sign-based momentum (EvoLved Sign Momentum)", 0.0001, (
        Param("beta_1", "float", 0.9, "Rate for the update direction", minimum=0, maximum=1),
        Param("beta_2", "float", 0.99, "Rate for the momentum", minimum=0, maximum=1))),
    "Ftrl": ("Follow the regularised leader (sparse, wide models)", 0.001, (
        Param("learning_rate_power", "float", -0.5, "How the rate shrinks", maximum=0),
        Param("l1_regularization_strength", "float", 0.0, "L1 strength", minimum=0),
        Param("l2_regularization_strength", "float", 0.0, "L2 strength", minimum=0))),
    "Adafactor": ("Memory-saving adaptive rates", 0.001, (
        Param("beta_2_decay", "float", -0.8, "Decay of the second moment", maximum=0, advanced=True),)),
    "Lamb": ("Layer-wise adaptive moments for large batches", 0.001, (_b1, _b2, _eps)),
}
CUSTOM = "custom"  # the user's own class: optimizer.path (a .py file) and optimizer.class_name name it
OPTIMIZERS = {cls.lower(): entry for cls, entry in _BY_KERAS_CLASS.items()}
OPTIMIZERS[CUSTOM] = ("Your own optimizer: a keras.optimizers.Optimizer subclass in a .py file (code you run)",
                      0.01, ())
OPTIMIZER_CLASSES = {cls.lower(): cls for cls in _BY_KERAS_CLASS}  # spec name → class in keras.optimizers


SCHEDULES: dict[str, tuple[str, tuple[Param, ...]]] = {
    "constant": ("The same rate throughout", ()),
    "exponential": ("Multiply the rate by `decay_rate` every `decay_epochs`", (
        Param("decay_epochs", "float", 1.0, "Epochs per decay step", minimum=0, exclusive_min=True),
        Param("decay_rate", "float", 0.9, "Factor per step", minimum=0, maximum=1, exclusive_min=True),
        Param("staircase", "bool", False, "Decay in steps (true) or smoothly (false)"))),
    "step": ("Multiply the rate by `factor` every `step_epochs` epochs", (
        Param("step_epochs", "int", 10, "Epochs between drops", minimum=1),
        Param("factor", "float", 0.5, "Factor per drop", minimum=0, maximum=1, exclusive_min=True))),
    "cosine": ("Warm up linearly, then follow a cosine down to `alpha` × the rate", (
        Param("warmup_epochs", "float", 0.0, "Epochs of linear warm-up from 0", minimum=0),
        Param("alpha", "float", 0.0, "Final rate as a fraction of the peak", minimum=0, maximum=1))),
    "piecewise": ("Fixed rates between epoch boundaries", (
        Param("boundaries", "floats", [10.0], "Epochs where the rate changes", minimum=0),
        Param("values", "floats", [0.001, 0.0001], "Rates: one more than the boundaries", minimum=0))),
}

LOSSES = (
    "auto", "sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy",
    "mean_squared_error", "mean_absolute_error", "huber", "log_cosh", "mean_squared_logarithmic_error",
)

METRICS = ("accuracy", "mae", "mse", "rmse", "auc", "precision", "recall", "top_k_accuracy")


def learning_rate_at(base: float, schedule: str, params: dict, step: Any, steps_per_epoch: int, total_epochs: int,
                     xp: Any = np) -> Any:
    """The learning rate at optimizer step `step` (a float or an array of them): the one formula of each schedule.

    `xp` is the math namespace: NumPy for the GUI's preview, `keras.ops` inside the engine's Keras schedule
    (SpecSchedule, in the engine's recipe), which the exported script embeds too. Epoch counts become steps here,
    rounded as Keras' own schedules round them.
    """
    if schedule == "constant":
        return base + 0.0 * step
    if schedule == "exponential":
        n = step / max(1, round(params["decay_epochs"] * steps_per_epoch))
        return base * xp.power(params["decay_rate"], xp.floor(n) if params["staircase"] else n)
    if schedule == "step":
        return base * xp.power(params["factor"], xp.floor(step / (params["step_epochs"] * steps_per_epoch)))
    if schedule == "cosine":
        warm = round(params["warmup_epochs"] * steps_per_epoch)
        span = max(1, total_epochs * steps_per_epoch - warm)
        progress = xp.minimum(xp.maximum(step - warm, 0.0), span) / span
        alpha = params["alpha"]
        decayed = base * ((1 - alpha) * 0.5 * (1 + xp.cos(math.pi * progress)) + alpha)
        return xp.where(step < warm, base * step / max(warm, 1), decayed) if warm else decayed
    if schedule == "piecewise":
        rate = params["values"][-1] + 0.0 * step
        # values has one more entry than boundaries (the rate after the last one, taken above): zip drops it
        for boundary, value in reversed(list(zip(params["boundaries"], params["values"], strict=False))):
            rate = xp.where(step <= int(boundary * steps_per_epoch), value, rate)
        return rate
    raise ValueError(f"Unknown schedule {schedule!r}")  # the spec refuses it first, naming the choices
