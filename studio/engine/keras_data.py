"""keras.datasets through Keras' own loaders (download once, then the cache in ~/.keras/datasets)."""

from __future__ import annotations

import keras

from studio.data.dataset import DataError
from studio.data.loaders import KERAS_FILES


def load(name: str):
    loader = getattr(keras.datasets, name)
    try:
        return loader.load_data()
    except Exception as exc:  # noqa: BLE001 - network, proxy and file errors all mean "no data"
        raise DataError(
            f"Could not load {name} ({type(exc).__name__}: {exc}). It is downloaded on first use and cached in "
            f"~/.keras/datasets; without a network, place {KERAS_FILES[name]} there, or set the dataset's "
            "`path` to a local copy, or pick an offline dataset such as digits.") from None
