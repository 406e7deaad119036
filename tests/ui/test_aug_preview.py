"""The augmentation preview's NumPy stand-ins: every catalogue augmentation runs, keeps the batch, and draws
new variations each time (the GUI shows them without importing Keras)."""

from __future__ import annotations

import numpy as np

from studio.core import catalog
from studio.ui.aug_preview import augment

SETTINGS = {"RandomRotation": {"factor": 0.1}, "RandomZoom": {"height_factor": 0.2},
            "RandomTranslation": {"height_factor": 0.1, "width_factor": 0.1}, "RandomCrop": {"height": 12, "width": 12},
            "RandomContrast": {"factor": 0.3}, "RandomBrightness": {"factor": 0.2}}


def _block(kind: str) -> dict:
    return {"type": kind, "params": {**catalog.get(kind).defaults(), **SETTINGS.get(kind, {})}}


def test_every_augmentation_runs_and_varies():
    images = np.random.default_rng(0).random((6, 16, 16, 3)).astype(np.float32)
    kinds = [b.type for b in catalog.by_category()["Augmentation"]]
    assert {"RandomFlip", "RandomRotation", "RandomZoom", "RandomCrop"} <= set(kinds)
    for kind in kinds:
        out = augment(images, [_block(kind)], np.random.default_rng(1))
        assert out.shape[0] == 6 and np.isfinite(out).all(), kind
        if kind == "RandomCrop":
            assert out.shape[1:3] == (12, 12)
        else:
            assert out.shape == images.shape, kind
        again = augment(images, [_block(kind)], np.random.default_rng(2))
        assert kind == "RandomCrop" or not np.allclose(out, again), f"{kind} draws the same every time"
