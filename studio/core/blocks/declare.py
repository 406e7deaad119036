"""Shorthand for declaring block parameters, and the parameter groups several blocks share."""

from __future__ import annotations

from studio.core.params import Param

ACTIVATIONS = (
    "linear", "relu", "sigmoid", "softmax", "tanh", "elu", "selu", "gelu", "silu", "leaky_relu",
    "relu6", "softplus", "softsign", "mish", "hard_sigmoid", "exponential", "log_softmax",
)
PADDING = ("valid", "same")
INITIALIZERS = ("glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_normal", "lecun_uniform")


def integer(name, default, help, lo=1, hi=None, **kw) -> Param:
    return Param(name, "int", default, help, minimum=lo, maximum=hi, **kw)


def real(name, default, help, lo=None, hi=None, **kw) -> Param:
    return Param(name, "float", default, help, minimum=lo, maximum=hi, **kw)


def flag(name, default, help, **kw) -> Param:
    return Param(name, "bool", default, help, **kw)


def choice(name, default, choices, help, **kw) -> Param:
    return Param(name, "choice", default, help, choices=tuple(choices), **kw)


def integers(name, default, help, length=None, lo=1, **kw) -> Param:
    return Param(name, "ints", default, help, minimum=lo, length=length, **kw)


def activation(default="linear") -> Param:
    return choice("activation", default, ACTIVATIONS, "Function applied to the output")


def use_bias() -> Param:
    return flag("use_bias", True, "Add a learned bias to each output", advanced=True)


def initializer() -> Param:
    return choice("kernel_initializer", "glorot_uniform", INITIALIZERS, "How the weights start", advanced=True)


def bias_start() -> Param:
    return real("bias_start", 0.0, "The biases' starting value (a large negative one leaves ReLU units dead from "
                "the start)", lo=-1e3, hi=1e3, advanced=True)


def kernel_penalties() -> tuple[Param, ...]:
    """kernel_l1 / kernel_l2; pair them with the `kernel_regularizer` adapter."""
    return (
        real("kernel_l1", None, "L1 penalty on the weights (empty: the run's default)", lo=0, optional=True,
             advanced=True),
        real("kernel_l2", None, "L2 penalty on the weights (empty: the run's default)", lo=0, optional=True,
             advanced=True),
    )


def fraction(name, default, help, **kw) -> Param:
    """A rate in [0, 1): 1 would drop everything."""
    return real(name, default, help, lo=0, hi=1, exclusive_max=True, **kw)
