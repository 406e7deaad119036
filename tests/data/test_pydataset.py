"""The engine's PyDataset adapter feeds streamed data (an image folder read batch by batch) to Keras."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import json
import numpy as np
import keras
from studio.core.spec import DataSpec
from studio.data.loaders import load
from studio.engine import pydataset

ds = load(DataSpec(source="image_folder", params={"path": "tests/data/files/shapes", "height": 16, "width": 16,
                                                  "stream": True}, validation_split=0.25), seed=0)
assert pydataset.batches(np.zeros((4, 2)), np.zeros(4), 2) is None  # in memory: Keras slices it itself
feed = pydataset.batches(ds.x_train, ds.y_train, 4, shuffle=True, seed=1, workers=2,
                         targets=lambda y: np.eye(2, dtype="float32")[y])
first = [feed[i] for i in range(len(feed))]
order1 = feed._order.copy()
feed.on_epoch_end()
inputs = keras.Input((16, 16, 3))
h = keras.layers.Conv2D(4, 3, activation="relu")(inputs)
h = keras.layers.GlobalAveragePooling2D()(h)
model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(h))
model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
hist = model.fit(feed, epochs=2, verbose=0,
                 validation_data=pydataset.batches(ds.x_val, ds.y_val, 8, targets=lambda y: np.eye(2)[y]))
print("RESULT " + json.dumps({
    "n_batches": len(feed), "shapes": [list(x.shape) for x, _ in first], "y": [list(y.shape) for _, y in first],
    "covers": sorted(int(i) for i in order1) == list(range(len(ds.x_train))),
    "reshuffled": bool((order1 != feed._order).any()),
    "same_pixels": bool(np.allclose(first[0][0], ds.x_train.take(order1[:4]))),
    "epochs": len(hist.history["loss"]), "val": "val_loss" in hist.history}))
"""


@pytest.mark.slow
def test_pydataset_streams_an_image_folder_into_fit():
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu")
    proc = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert line, proc.stderr[-3000:]
    out = json.loads(line[7:])
    assert out["n_batches"] == 3  # 9 training images, batches of 4
    assert out["shapes"] == [[4, 16, 16, 3], [4, 16, 16, 3], [1, 16, 16, 3]]
    assert out["y"] == [[4, 2], [4, 2], [1, 2]]
    assert out["covers"] and out["reshuffled"] and out["same_pixels"]
    assert out["epochs"] == 2 and out["val"]
