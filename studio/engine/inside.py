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


class Measure:
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
        weights = Weights(self.variables, values)
        n = ops.shape(probes[0])[0]
        both = [ops.concatenate([p, b], axis=0) for p, b in zip(probes, batch_x, strict=True)]
        trainable, frozen = weights.of(self.tap)
        outs = self.tap.stateless_call(trainable, frozen, both if len(both) > 1 else both[0], training=False)[0]
        outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
        maps, predictions = outs[:len(self.layers)], outs[len(self.layers)][:n]
        flat = ops.reshape(predictions, (n, -1))
        if flat.shape[-1] == 1:
            classes = ops.cast(flat[:, 0] > (0.5 if self.probability else 0.0), "int32")
        else:
            classes = ops.cast(ops.argmax(flat, axis=-1), "int32")
        out: dict[str, Any] = {
            "maps": maps, "predictions": predictions, "classes": classes,
            "loss_gradients": gradients.loss_gradients(self.model, weights, self.model.loss, batch_x, batch_y),
            "saliency": gradients.input_gradients(self.model, weights, probes, classes, self.probability)}
        if self.cam is not None and self.conv_index is not None:
            activation = maps[self.conv_index][:n]
            out["cam_activation"] = activation
            out["cam_gradient"] = self.cam(weights, probes, activation, classes, self.probability)
        return out
