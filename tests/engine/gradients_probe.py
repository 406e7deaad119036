"""Child script for tests/engine/test_gradients.py: on the backend KERAS_BACKEND names, build a small graph
(a convolution, a skip connection, two inputs) with weights drawn from a fixed NumPy seed, and save the loss
gradients, the saliency and the Grad-CAM gradients to the .npz named on the command line."""

import sys

import keras
import numpy as np

from studio.engine import gradients


def model() -> keras.Model:
    image = keras.Input((8, 8, 1), name="image")
    extra = keras.Input((3,), name="extra")
    a = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv_a")(image)
    b = keras.layers.Conv2D(4, 3, padding="same", activation="tanh", name="conv_b")(a)
    skip = keras.layers.Add(name="skip")([a, b])
    flat = keras.layers.Flatten(name="flat")(skip)
    joined = keras.layers.Concatenate(name="join")([flat, keras.layers.Dense(5, name="side")(extra)])
    out = keras.layers.Dense(3, activation="softmax", name="head")(joined)
    m = keras.Model([image, extra], out)
    rng = np.random.default_rng(0)
    m.set_weights([rng.normal(0, 0.2, w.shape).astype(np.float32) for w in m.get_weights()])
    return m


def main(out_path: str) -> None:
    m = model()
    rng = np.random.default_rng(1)
    x = [rng.normal(size=(6, 8, 8, 1)).astype(np.float32), rng.normal(size=(6, 3)).astype(np.float32)]
    y = np.array([0, 1, 2, 0, 1, 2])
    loss = keras.losses.SparseCategoricalCrossentropy()
    weights = gradients.Weights(m.variables, [v.value for v in m.variables])
    numpy = keras.ops.convert_to_numpy
    grads = gradients.loss_gradients(m, weights, loss, x, y)
    saliency = gradients.input_gradients(m, weights, x, y, log_probability=True)
    activation = numpy(keras.Model(m.inputs, m.get_layer("conv_b").output)(x))
    layer_grad = numpy(gradients.LayerGradients(m, "conv_b")(weights, x, activation, y, log_probability=True))
    arrays = {f"loss/{v.path}": numpy(g) for v, g in zip(m.trainable_variables, grads, strict=True)}
    arrays.update({"saliency/image": numpy(saliency[0]), "saliency/extra": numpy(saliency[1]),
                   "activation": activation, "layer_grad": layer_grad,
                   "cam": gradients.grad_cam(activation, layer_grad)})
    np.savez(out_path, **arrays)


if __name__ == "__main__":
    main(sys.argv[1])
