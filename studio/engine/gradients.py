"""Gradients on every backend behind one interface: `gradient(fn, args)`.

Keras 3 has no backend-neutral autodiff, so each backend's own is used, one small function each:
`jax.grad`, `tf.GradientTape`, `torch.autograd.grad`. Everything above them is written once with
`keras.ops` and the model's `stateless_call` (weights passed in as values), so what is differentiated is
the same computation on all three, and their answers agree (tests/engine/test_gradients.py, to 1e-4).

Built on it, each taking the weights as explicit values (`Weights`): the loss's gradient per trainable
variable, the saliency of a class score with respect to the inputs, and the gradient with respect to one
layer's output (for Grad-CAM), reached by adding a zero `Nudge` after that layer in a clone of the graph
that shares the model's layers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np
from keras import ops

Fn = Callable[..., Any]


def gradient(fn: Fn, args: Sequence[Any]) -> list[Any]:
    """d fn(*args) / d args for a fn returning a scalar, as backend tensors (zeros where fn ignores an arg).
    Pure on JAX, so it may sit inside a jitted function."""
    return _BY_BACKEND[keras.config.backend()](fn, list(args))


def _jax(fn: Fn, args: list) -> list:
    import jax

    return list(jax.grad(fn, argnums=tuple(range(len(args))))(*args))


def _tensorflow(fn: Fn, args: list) -> list:
    import tensorflow as tf

    tensors = [tf.convert_to_tensor(a) for a in args]
    with tf.GradientTape() as tape:
        for t in tensors:
            tape.watch(t)
        out = fn(*tensors)
    return list(tape.gradient(out, tensors, unconnected_gradients=tf.UnconnectedGradients.ZERO))


def _torch(fn: Fn, args: list) -> list:
    import torch

    tensors = [ops.convert_to_tensor(a).detach().requires_grad_(True) for a in args]  # on Keras' device
    out = fn(*tensors)
    grads = torch.autograd.grad(out, tensors, allow_unused=True)
    return [torch.zeros_like(t) if g is None else g.detach() for g, t in zip(grads, tensors, strict=True)]


_BY_BACKEND: dict[str, Callable[[Fn, list], list]] = {"jax": _jax, "tensorflow": _tensorflow, "torch": _torch}


# ------------------------------------------------------------------------------------------------ on a model
class Weights:
    """The values of a model's variables, passed in explicitly (`stateless_call`), so that a snapshot is taken
    on the weights of its epoch and a jitted function is not tied to the values it was traced with. Sub-models
    that share the model's layers (a tap, a nudged clone) find their variables' values by identity."""

    def __init__(self, variables, values):
        self.by_id = {id(v): value for v, value in zip(variables, values, strict=True)}

    def of(self, model) -> tuple[list, list]:
        return ([self.by_id[id(v)] for v in model.trainable_variables],
                [self.by_id[id(v)] for v in model.non_trainable_variables])


def _first(outputs):
    return outputs[0] if isinstance(outputs, (list, tuple)) else outputs


def _feed(xs: Sequence[Any]):
    return list(xs) if len(xs) > 1 else xs[0]


def class_score(out, classes, log_probability: bool):
    """The summed score of each sample's class: its output (the first for one unit: a regression or a sigmoid),
    as a log-probability where the head gives probabilities (its gradient does not vanish as p → 1)."""
    out = ops.reshape(out, (ops.shape(out)[0], -1))
    width = int(out.shape[-1])
    if width == 1:
        p = out[:, 0]
        if log_probability:  # a sigmoid: class 1's probability is p, class 0's is 1 - p
            c = ops.cast(classes, out.dtype)
            p = c * p + (1.0 - c) * (1.0 - p)
    else:
        p = ops.sum(out * ops.one_hot(classes, width, dtype=out.dtype), axis=-1)
    if log_probability:
        p = ops.log(ops.maximum(p, 1e-7))
    return ops.sum(p)


def loss_gradients(model: keras.Model, weights: Weights, loss: Callable, x: Sequence[Any], y: Any) -> list:
    """The gradient of the data loss on (x, y), in inference mode, for each of `model.trainable_variables`."""
    trainable, frozen = weights.of(model)

    def fn(*values):
        out = model.stateless_call(list(values), frozen, _feed(x), training=False)[0]
        outs = out if isinstance(out, (list, tuple)) else [out]
        return sum(ops.mean(loss(y, o)) for o in outs)

    return gradient(fn, trainable)


def input_gradients(model: keras.Model, weights: Weights, x: Sequence[Any], classes, log_probability: bool) -> list:
    """Saliency: the gradient of each sample's class score with respect to each of its inputs."""
    trainable, frozen = weights.of(model)

    def fn(*xs):
        return class_score(_first(model.stateless_call(trainable, frozen, _feed(xs), training=False)[0]), classes,
                           log_probability)

    return gradient(fn, list(x))


class Nudge(keras.layers.Layer):
    """Adds `delta` (set around each call) to its input: the gradient with respect to delta, taken at zero,
    is the gradient with respect to the output of the layer it follows."""

    delta: Any = None

    def call(self, inputs):
        return inputs if self.delta is None else inputs + self.delta


class LayerGradients:
    """The gradient of the class score with respect to one layer's output (Grad-CAM's)."""

    def __init__(self, model: keras.Model, layer_name: str):
        self.nudge = Nudge(name="studio_nudge")

        def call_function(layer, *args, **kwargs):
            out = layer(*args, **kwargs)
            return self.nudge(out) if layer.name == layer_name else out

        # the clone shares the model's layers (and so its variables): nothing to copy, Weights finds them
        self.nudged = keras.models.clone_model(model, clone_function=lambda layer: layer, call_function=call_function)

    def __call__(self, weights: Weights, x: Sequence[Any], activation, classes, log_probability: bool):
        trainable, frozen = weights.of(self.nudged)

        def fn(delta):
            self.nudge.delta = delta
            try:
                out = self.nudged.stateless_call(trainable, frozen, _feed(x), training=False)[0]
                return class_score(_first(out), classes, log_probability)
            finally:
                self.nudge.delta = None

        return gradient(fn, [ops.zeros_like(activation)])[0]


def grad_cam(activation: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """Grad-CAM (Selvaraju et al.): each feature map weighted by its mean gradient, summed, negatives cut;
    (n, h, w) from (n, h, w, channels)."""
    weights = grad.mean(axis=(1, 2), keepdims=True)
    return np.maximum((weights * activation).sum(axis=-1), 0.0)
