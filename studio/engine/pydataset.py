"""Feed `LazyArray` data (image folders, memory-mapped .npy) to Keras batch by batch with parallel workers.

`batches(x, y, batch_size, shuffle, seed, workers, targets)` returns a `keras.utils.PyDataset` when `x` is a
`LazyArray` and None for in-memory arrays (which Keras slices itself, fastest). Workers are threads: image
decoding (Pillow) and memory-mapped reads release the GIL, and threads need no pickling of the source.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from studio.data.arrays import LazyArray, is_lazy


def default_workers() -> int:
    return max(1, min(8, (os.cpu_count() or 2)))


class ArrayBatches(keras.utils.PyDataset):
    """Batches of a LazyArray (and its in-memory targets), reshuffled each epoch when `shuffle`."""

    def __init__(self, x: LazyArray, y: np.ndarray | None, batch_size: int, shuffle: bool = False,
                 seed: int | None = None, workers: int | None = None,
                 targets: Callable[[np.ndarray], np.ndarray] | None = None):
        workers = default_workers() if workers is None else workers
        super().__init__(workers=workers, use_multiprocessing=False, max_queue_size=max(10, 2 * workers))
        if y is not None and len(y) != len(x):
            raise ValueError(f"{len(x)} samples but {len(y)} targets")
        self.x, self.y = x, y
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.targets = targets
        self._rng = np.random.default_rng(seed)
        self._order = self._rng.permutation(len(x)) if shuffle else np.arange(len(x))

    def __len__(self) -> int:
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index: int) -> Any:
        if index >= len(self):
            raise IndexError(index)
        pos = self._order[index * self.batch_size:(index + 1) * self.batch_size]
        xb = self.x.take(pos)
        if self.y is None:
            return (xb,)
        yb = self.y[pos]
        if self.targets is not None:
            yb = self.targets(yb)
        return xb, yb

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self._order = self._rng.permutation(len(self.x))


def batches(x: Any, y: np.ndarray | None, batch_size: int, shuffle: bool = False, seed: int | None = None,
            workers: int | None = None, targets: Callable[[np.ndarray], np.ndarray] | None = None
            ) -> ArrayBatches | None:
    """An `ArrayBatches` for a LazyArray `x`; None when `x` is in memory (pass it to fit as it is)."""
    if not is_lazy(x):
        return None
    return ArrayBatches(x, y, batch_size, shuffle, seed, workers, targets)
