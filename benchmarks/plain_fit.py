"""A plain Keras script: the same model and data as the Studio benchmark, trained with `model.fit` alone.

`KERAS_BACKEND=jax python benchmarks/plain_fit.py DATA.npz EPOCHS BATCH` prints samples/s of the epochs after the
first (the first includes compilation), timed between epoch ends exactly as the Studio side is.
"""

import sys
import time

import keras
import numpy as np


def main(path: str, epochs: int, batch: int) -> None:
    with np.load(path) as z:
        x, y = z["x"].astype("float32"), z["y"]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Flatten(), keras.layers.Dropout(0.5), keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    ends: list[float] = []  # an epoch-end hook only: batch dispatch stays asynchronous, as in plain fit
    stamp = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: ends.append(time.perf_counter()))
    model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, callbacks=[stamp])
    print(f"RESULT {len(x) * (epochs - 1) / (ends[-1] - ends[0]):.1f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
