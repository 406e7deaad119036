"""keras.datasets through Keras' own loaders: the cache detected, the download with progress, and a clear
message — never a hang or a traceback — when there is neither network nor cache.

`load(name, progress)` is what `studio.data.loaders.load` calls as `keras_loader` (this is the only module
that calls keras.datasets). The steps:

1. Look in the Keras cache (`$KERAS_HOME/datasets` or `~/.keras/datasets`) for the file(s) Keras keeps.
2. Found and identical to the published file (SHA-256): Keras' loader reads it, no network involved.
   Found but different (an offline lab's reduced copy, a damaged download): read it with the keras-free
   readers of `studio.data.keras_files` and say so — Keras would otherwise silently try to download again.
3. Not found: download it into the cache ourselves, in chunks with a timeout, reporting progress through
   `progress(message)`, check the hash, then let Keras' loader read it.
Any failure becomes a `DataError` naming the file to place, where, and the offline choices.
"""

from __future__ import annotations

import hashlib
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from studio.data import keras_files
from studio.data.dataset import DataError
from studio.data.keras_files import KERAS_FILES
from studio.data.keras_cache import keras_home  # one definition: the GUI asks the same cache

Progress = Callable[[str], None]

_GCS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


@dataclass(frozen=True)
class CacheFile:
    name: str  # path under <keras home>/datasets
    origin: str
    sha256: str | None = None


# The names Keras (3.10 and later) gives these files in its cache, with their published hashes.
CACHE: dict[str, tuple[CacheFile, ...]] = {
    "mnist": (CacheFile("mnist.npz", _GCS + "mnist.npz",
                        "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"),),
    "fashion_mnist": tuple(CacheFile(f"fashion-mnist/{f}", _GCS + f) for f in keras_files.FASHION_FILES),
    "cifar10": (CacheFile("cifar-10-batches-py-target_archive",
                          "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                          "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"),),
    "cifar100": (CacheFile("cifar-100-python-target_archive",
                           "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
                           "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"),),
}
OFFLINE_CHOICE = {"mnist": "digits (scikit-learn, ships with the app; upscale 3 gives 24×24 images)",
                  "fashion_mnist": "digits (scikit-learn, ships with the app)",
                  "cifar10": "an image folder of your own, or digits (scikit-learn)",
                  "cifar100": "an image folder of your own, or digits (scikit-learn)"}
TIMEOUT_S = 30.0  # per network operation (connect, each read): a dead network fails in seconds, not hours


def cache_dir() -> Path:
    return keras_home() / "datasets"


def cached_files(name: str) -> tuple[list[Path], list[Path]]:
    """(present, missing) cache paths of dataset `name`."""
    present: list[Path] = []
    missing: list[Path] = []
    for f in CACHE[name]:
        p = cache_dir() / f.name
        (present if p.is_file() else missing).append(p)
    return present, missing


def is_cached(name: str) -> bool:
    return not cached_files(name)[1]


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _published(name: str) -> bool:
    """Whether every cached file of `name` is the file Keras publishes (files without a known hash count)."""
    return all(f.sha256 is None or sha256(cache_dir() / f.name) == f.sha256 for f in CACHE[name])


def offline_message(name: str, why: str) -> str:
    first = cache_dir() / CACHE[name][0].name
    place = (f"place {KERAS_FILES[name]} at {first}" if len(CACHE[name]) == 1
             else f"place {KERAS_FILES[name]} in {first.parent}")
    return (f"Could not get {name}: {why}. It is downloaded once and then read from the Keras cache; to work "
            f"offline, {place}, or set the dataset's `path` to a local copy of {KERAS_FILES[name]}, or choose "
            f"an offline dataset: {OFFLINE_CHOICE[name]}.")


def download(name: str, progress: Progress | None = None, timeout: float = TIMEOUT_S) -> None:
    """Fetch the missing cache files of `name`, reporting progress about every 10 %."""
    for f in CACHE[name]:
        target = cache_dir() / f.name
        if target.is_file():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        if progress:
            progress(f"Downloading {name}: {f.origin}")
        try:
            with urllib.request.urlopen(f.origin, timeout=timeout) as response, open(partial, "wb") as out:
                total = int(response.headers.get("Content-Length") or 0)
                done, next_report, t0 = 0, 0.1, time.monotonic()
                while True:
                    chunk = response.read(1 << 16)
                    if not chunk:
                        break
                    out.write(chunk)
                    done += len(chunk)
                    if progress and total and done / total >= next_report:
                        rate = done / max(time.monotonic() - t0, 1e-6) / 1e6
                        progress(f"Downloading {name}: {done / total:.0%} of {total / 1e6:.1f} MB ({rate:.1f} MB/s)")
                        next_report += 0.1
            if f.sha256 and sha256(partial) != f.sha256:
                raise DataError(offline_message(name, f"the download of {f.origin} is damaged (its SHA-256 differs "
                                                      "from the published one)"))
            os.replace(partial, target)
        except DataError:
            partial.unlink(missing_ok=True)
            raise
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            partial.unlink(missing_ok=True)
            reason = getattr(exc, "reason", None) or exc
            raise DataError(offline_message(name, f"no network or no access to {f.origin} ({reason})")) from None
    if progress:
        progress(f"Downloaded {name} into {cache_dir()}")


def _keras_loader(name: str):
    import keras

    return getattr(keras.datasets, name).load_data


def load(name: str, progress: Progress | None = None):
    """((x_train, y_train), (x_test, y_test)) of keras dataset `name`, as its Keras loader returns them."""
    if name not in CACHE:
        raise DataError(f"unknown keras dataset `{name}`; choose one of {', '.join(CACHE)}")
    present, missing = cached_files(name)
    if not missing:
        try:
            published = _published(name)
        except OSError as exc:
            raise DataError(offline_message(name, f"the cached copy cannot be read ({exc})")) from None
        if not published:
            # Keras would delete it and download again; a reduced or damaged copy is the user's to keep or fix
            if progress:
                progress(f"The cached {KERAS_FILES[name]} in {cache_dir()} is not the published file; reading it "
                         "as a local copy (delete it to download the original)")
            return keras_files.read(name, present[0])[0]
        if progress:
            progress(f"Using the cached copy of {name} in {cache_dir()}")
    else:
        download(name, progress)
    try:
        return _keras_loader(name)()
    except Exception as exc:  # noqa: BLE001 - network, proxy and file errors all mean "no data"
        raise DataError(offline_message(name, f"{type(exc).__name__}: {exc}")) from None
