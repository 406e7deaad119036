"""Whether a keras.datasets source can train without the network: a local copy named in the spec, or the
file(s) in the Keras cache. Keras-free and quick (a few stat calls), so the gallery and the Train button can
ask before a run would stall on a download. The engine (studio.engine.keras_data) downloads and reads;
these names match its CACHE (a test keeps them in step)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from studio.core import datasets
from studio.data.keras_files import FASHION_FILES, KERAS_FILES

# Paths under <keras home>/datasets that Keras (3.10 and later) keeps for each source.
CACHE_FILES: dict[str, tuple[str, ...]] = {
    "mnist": ("mnist.npz",),
    "fashion_mnist": tuple(f"fashion-mnist/{f}" for f in FASHION_FILES),
    "cifar10": ("cifar-10-batches-py-target_archive",),
    "cifar100": ("cifar-100-python-target_archive",),
}
TRAIN_SAMPLES = {"mnist": 60_000, "fashion_mnist": 60_000, "cifar10": 50_000, "cifar100": 50_000}


def keras_home() -> Path:
    """Where Keras keeps its cache: $KERAS_HOME, else ~/.keras (or /tmp/.keras when home is read-only)."""
    env = os.environ.get("KERAS_HOME")
    if env:
        return Path(env)
    base = Path(os.path.expanduser("~"))
    return (base if os.access(base, os.W_OK) else Path("/tmp")) / ".keras"


def is_cached(name: str) -> bool:
    return all((keras_home() / "datasets" / f).is_file() for f in CACHE_FILES.get(name, ()))


def needs_download(data: dict[str, Any]) -> str | None:
    """The source name when this data section would have to download (no local copy, nothing cached)."""
    source = data.get("source", "")
    info = datasets.DATASETS.get(source)
    if info is None or info.offline or info.group != "Keras":
        return None
    if (data.get("params") or {}).get("path") or is_cached(source):
        return None
    return source


def offline_fix_text(name: str) -> str:
    """How to work without the network, in one paragraph (for the Train question and the gallery)."""
    where = keras_home() / "datasets" / CACHE_FILES[name][0]
    return (f"{datasets.get(name).title} is downloaded once from the internet, then read from the Keras cache; "
            f"it is not in the cache yet ({where}). Without a network, place {KERAS_FILES[name]} there, or set "
            f"Data ▸ path to a local copy, or train on the bundled Digits (scikit-learn) instead.")
