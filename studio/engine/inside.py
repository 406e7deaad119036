"""What one snapshot of the inside of the model measures, as one stateless function of the weights.

`Measure(values, probes, batch_x, batch_y)` returns, as backend tensors: every recorded layer's output on the
probes and on the gradient batch, the predictions, the loss's gradient per trainable variable, the saliency
of each probe's predicted class per input, and (with a convolution) the last convolution's output and the
score's gradient there (Grad-CAM). It is written once with keras.ops and studio.engine.gradients, so it
runs eagerly on TensorFlow and PyTorch and is jitted whole on JAX (one compile instead of an eager call's
hundreds of small ones, see studio.engine.recorder).
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from studio.engine import gradients
from studio.engine.gradients import Weights


def recorded_layers(model: keras.Model, block_ids: set[str] | None = None) -> list:
    """The model's layers that are the spec's blocks (not its Inputs, nor layers the builder adds)."""
    return [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)
            and (block_ids is None or layer.name in block_ids)]


def is_probability(model: keras.Model) -> bool:
    """The head ends in softmax or sigmoid: its outputs are probabilities."""
    head = model.outputs[0]._keras_history[0]
    return getattr(getattr(head, "activation", None), "__name__", "") in ("softmax", "sigmoid")


class Measure:
    @classmethod
    def of(cls, model: keras.Model, block_ids: set[str] | None = None) -> Measure:
        layers = recorded_layers(model, block_ids)
        convs = [layer.name for layer in layers if isinstance(layer, keras.layers.Conv2D)]
        return cls(model, layers, convs[-1] if convs else None, is_probability(model))

    def __init__(self, model: keras.Model, layers: list, last_conv: str | None, probability: bool):
        self.model, self.layers, self.probability = model, layers, probability
        self.variables = list(model.variables)
        inputs = model.inputs if len(model.inputs) > 1 else model.inputs[0]
        self.tap = keras.Model(inputs, [layer.output for layer in layers] + list(model.outputs))
        self.conv_index = [layer.name for layer in layers].index(last_conv) if last_conv else None
        self.cam = gradients.LayerGradients(model, last_conv) if last_conv else None

    def values(self) -> list:
        """Copies of the variables' current values (the training loop goes on changing, or donating, them)."""
        return [ops.copy(v.value) for v in self.variables]

    def __call__(self, values: list, probes: list, batch_x: list, batch_y: Any) -> dict[str, Any]:
        """A training snapshot: the probes explained, and the maps and loss gradient on the gradient batch."""
        weights = Weights(self.variables, values)
        both = [ops.concatenate([p, b], axis=0) for p, b in zip(probes, batch_x, strict=True)]
        out = self._explain(weights, probes, both)
        out["loss_gradients"] = gradients.loss_gradients(self.model, weights, self.model.loss, batch_x, batch_y)
        return out

    def explain(self, x: list) -> dict[str, Any]:
        """One input (Try it's drawing) through the current weights: maps, prediction, saliency, Grad-CAM."""
        return self._explain(Weights(self.variables, [v.value for v in self.variables]), x, x)

    def _explain(self, weights: Weights, probes: list, feed: list) -> dict[str, Any]:
        """The layers' outputs on `feed` (the probes first), and for the probes their predicted class, its
        saliency and Grad-CAM."""
        n = ops.shape(probes[0])[0]
        trainable, frozen = weights.of(self.tap)
        outs = self.tap.stateless_call(trainable, frozen, feed if len(feed) > 1 else feed[0], training=False)[0]
        outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
        maps, predictions = outs[:len(self.layers)], outs[len(self.layers)][:n]
        flat = ops.reshape(predictions, (n, -1))
        if flat.shape[-1] == 1:
            classes = ops.cast(flat[:, 0] > (0.5 if self.probability else 0.0), "int32")
        else:
            classes = ops.cast(ops.argmax(flat, axis=-1), "int32")
        out: dict[str, Any] = {
            "maps": maps, "predictions": predictions, "classes": classes,
            "saliency": gradients.input_gradients(self.model, weights, probes, classes, self.probability)}
        if self.cam is not None and self.conv_index is not None:
            activation = maps[self.conv_index][:n]
            out["cam_activation"] = activation
            out["cam_gradient"] = self.cam(weights, probes, activation, classes, self.probability)
        return out
