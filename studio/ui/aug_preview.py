"""The augmentation preview grid's images: each block's own NumPy stand-in for its Keras layer (the GUI must
not import Keras). The stand-ins live beside the blocks in studio.core.blocks; the training itself uses Keras."""

from __future__ import annotations

from typing import Any

import numpy as np

from studio.core import catalog


def augment(images: np.ndarray, blocks: list[dict[str, Any]], rng: np.random.Generator) -> np.ndarray:
    """Apply each augmentation block (type + resolved params) in order to images (n, h, w, c); a block
    without a preview leaves them as they are."""
    x = np.array(images, dtype=np.float32)
    for b in blocks:
        preview = catalog.get(b["type"]).preview
        if preview is not None:
            x = preview(x, b["params"], rng)
    return x
