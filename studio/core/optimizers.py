"""Catalogue of Keras 3 optimizers, learning-rate schedules and losses, with their arguments.

Argument names are the Keras keyword arguments. `learning_rate`, `weight_decay` and the clipping options
are common to all optimizers and live on the spec's optimizer section itself.
"""

from __future__ import annotations

import math

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

OPTIMIZERS: dict[str, tuple[str, float, tuple[Param, ...]]] = {
    # name: (help, default learning rate, own parameters)
    "sgd": ("Stochastic gradient descent, optionally with (Nesterov) momentum", 0.01, (
        _momentum, Param("nesterov", "bool", False, "Nesterov's look-ahead momentum"))),
    "adam": ("Adaptive moments: a robust default", 0.001, (_b1, _b2, _eps, _amsgrad)),
    "adamw": ("Adam with decoupled weight decay", 0.001, (_b1, _b2, _eps, _amsgrad)),
    "rmsprop": ("Divide the gradient by a running average of its magnitude", 0.001, (
        _rho, _momentum, _eps, Param("centered", "bool", False, "Normalise by the gradient's variance",
                                     advanced=True))),
    "adagrad": ("Per-parameter rates that shrink with accumulated gradients", 0.001, (
        Param("initial_accumulator_value", "float", 0.1, "Starting accumulator", minimum=0, advanced=True),
        _eps)),
    "adadelta": ("Adagrad that adapts with a moving window", 0.001, (
        Param("rho", "float", 0.95, "Decay rate", minimum=0, maximum=1), _eps)),
    "adamax": ("Adam with the infinity norm", 0.001, (_b1, _b2, _eps)),
    "nadam": ("Adam with Nesterov momentum", 0.001, (_b1, _b2, _eps)),
    "lion": ("Sign-based momentum (EvoLved Sign Momentum)", 0.0001, (
        Param("beta_1", "float", 0.9, "Rate for the update direction", minimum=0, maximum=1),
        Param("beta_2", "float", 0.99, "Rate for the momentum", minimum=0, maximum=1))),
    "ftrl": ("Follow the regularised leader (sparse, wide models)", 0.001, (
        Param("learning_rate_power", "float", -0.5, "How the rate shrinks", maximum=0),
        Param("l1_regularization_strength", "float", 0.0, "L1 strength", minimum=0),
        Param("l2_regularization_strength", "float", 0.0, "L2 strength", minimum=0))),
    "adafactor": ("Memory-saving adaptive rates", 0.001, (
        Param("beta_2_decay", "float", -0.8, "Decay of the second moment", maximum=0, advanced=True),)),
    "lamb": ("Layer-wise adaptive moments for large batches", 0.001, (_b1, _b2, _eps)),
}

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


def learning_rate_at(base: float, schedule: str, params: dict, epoch: float, total_epochs: int) -> float:
    """The learning rate at a (fractional) epoch, as the engine's Keras schedule computes it.

    Keras-free so the GUI can plot a schedule instantly; the engine's tests hold the two together.
    """
    if schedule == "constant":
        return base
    if schedule == "exponential":
        n = epoch / params["decay_epochs"]
        return base * params["decay_rate"] ** (math.floor(n) if params["staircase"] else n)
    if schedule == "step":
        return base * params["factor"] ** math.floor(epoch / params["step_epochs"])
    if schedule == "cosine":
        warm = params["warmup_epochs"]
        if warm and epoch < warm:
            return base * epoch / warm
        span = max(total_epochs - warm, 1e-9)
        progress = min(max(epoch - warm, 0.0) / span, 1.0)
        alpha = params["alpha"]
        return base * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * progress)) + alpha)
    if schedule == "piecewise":
        for boundary, value in zip(params["boundaries"], params["values"], strict=False):
            if epoch <= boundary:
                return value
        return params["values"][-1]
    raise ValueError(f"Unknown schedule {schedule!r}")
