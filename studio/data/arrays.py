"""Arrays that need not fit in memory: samples are read only when a batch asks for them.

A `LazyArray` looks enough like a NumPy array for the data layer (``len``, ``shape``, ``dtype``, indexing)
but indexing it with a slice or an index array returns another `LazyArray` — a *view* that reads nothing.
`take(indices)` reads those samples and returns a float32 ndarray; that is what the engine's
`PyDataset` adapter calls for every batch (in parallel workers). `np.asarray(lazy)` reads everything.

Two sources exist: a memory-mapped ``.npy`` file (`MemmapSource`) and a folder of images, one
sub-folder per class (`ImageFileSource`). No Keras here: this module runs in the GUI process too.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from studio.data.errors import DataError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")


class Source:
    """Where samples come from: `fetch(sorted indices)` returns them as a float32 array."""

    length: int
    sample_shape: tuple[int, ...]

    def fetch(self, indices: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self, index: int) -> str:
        return f"sample {index}"


class MemmapSource(Source):
    """Rows of a memory-mapped .npy file (only the rows asked for are read from disk)."""

    def __init__(self, path: Path, array: np.ndarray):
        if array.ndim < 1 or len(array) == 0:
            raise DataError(f"{path.name}: expected an array of samples (first axis = samples), "
                            f"received shape {array.shape}")
        self.path = path
        self.array = array
        self.length = int(array.shape[0])
        self.sample_shape = tuple(int(d) for d in array.shape[1:]) or (1,)

    def fetch(self, indices: np.ndarray) -> np.ndarray:
        out = np.asarray(self.array[indices], dtype=np.float32)
        return out.reshape((len(indices),) + self.sample_shape)

    def describe(self, index: int) -> str:
        return f"{self.path.name}, row {index}"


class ImageFileSource(Source):
    """Image files decoded with Pillow, converted to RGB or grey and resized to one size."""

    def __init__(self, files: Sequence[Path], height: int, width: int, channels: int):
        self.files = list(files)
        self.length = len(self.files)
        self.height, self.width, self.channels = height, width, channels
        self.sample_shape = (height, width, channels)

    def read_one(self, path: Path) -> np.ndarray:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(path) as img:
                img = img.convert("RGB" if self.channels == 3 else "L")
                if img.size != (self.width, self.height):
                    img = img.resize((self.width, self.height), Image.Resampling.BILINEAR)
                arr = np.asarray(img, dtype=np.float32) / 255.0
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            raise DataError(f"cannot read the image {path}: {exc}; delete or replace the file") from None
        return arr.reshape(self.sample_shape)

    def fetch(self, indices: np.ndarray) -> np.ndarray:
        out = np.empty((len(indices),) + self.sample_shape, dtype=np.float32)
        paths = [self.files[int(i)] for i in indices]
        if len(paths) >= 16:  # Pillow releases the GIL while decoding: threads help
            with ThreadPoolExecutor(max_workers=4) as pool:
                for k, arr in enumerate(pool.map(self.read_one, paths)):
                    out[k] = arr
        else:
            for k, p in enumerate(paths):
                out[k] = self.read_one(p)
        return out

    def describe(self, index: int) -> str:
        return str(self.files[index])


class LazyArray:
    """A read-on-demand view of some samples of a `Source`, with an optional affine transform."""

    def __init__(self, source: Source, indices: np.ndarray | None = None,
                 shift: Any = None, scale: Any = None):
        self.source = source
        self.indices = np.arange(source.length) if indices is None else np.asarray(indices, dtype=np.int64)
        self.shift, self.scale = shift, scale

    # numpy-like surface ------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.indices)

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.indices),) + self.source.sample_shape

    @property
    def ndim(self) -> int:
        return len(self.shape)

    dtype = np.dtype(np.float32)

    def __getitem__(self, item: Any) -> "LazyArray | np.ndarray":
        if isinstance(item, (int, np.integer)):
            return self.take([int(item)])[0]
        return LazyArray(self.source, self.indices[item], self.shift, self.scale)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        out = self.take(np.arange(len(self)))
        return out if dtype is None else out.astype(dtype)

    def __repr__(self) -> str:
        return f"LazyArray({type(self.source).__name__}, shape={self.shape})"

    # reading ------------------------------------------------------------------------------------
    def take(self, positions: Sequence[int] | np.ndarray) -> np.ndarray:
        """The samples at `positions` (positions in this view), read from the source, as float32."""
        base = self.indices[np.asarray(positions, dtype=np.int64)]
        order = np.argsort(base, kind="stable")  # read in file order (memmaps like it), give back in ours
        out = np.empty((len(base),) + self.source.sample_shape, dtype=np.float32)
        if len(base):
            out[order] = self.source.fetch(base[order])
        if self.shift is not None:
            out = (out - self.shift) / self.scale
        return out.astype(np.float32, copy=False)

    def chunks(self, size: int = 4096):
        """(start, block) pairs over the whole view, `size` samples at a time."""
        for start in range(0, len(self), size):
            yield start, self.take(np.arange(start, min(start + size, len(self))))

    def with_transform(self, shift: Any, scale: Any) -> "LazyArray":
        return LazyArray(self.source, self.indices, shift, scale)


def is_lazy(x: Any) -> bool:
    return isinstance(x, LazyArray)


def materialize(x: Any) -> Any:
    """An in-memory ndarray for a LazyArray; anything else as it is."""
    return np.asarray(x) if is_lazy(x) else x


def check_finite_lazy(x: LazyArray, where: str) -> None:
    """Scan a lazy array in chunks for NaN or infinite values; name the first bad sample.

    Decoded images and integer arrays cannot hold them, so those are not read at all."""
    if isinstance(x.source, ImageFileSource) or (isinstance(x.source, MemmapSource)
                                                 and x.source.array.dtype.kind in "biu"):
        return
    for start, block in x.chunks():
        bad = ~np.isfinite(block)
        if bad.any():
            pos = np.argwhere(bad)[0]
            index = int(x.indices[start + int(pos[0])])
            raise DataError(f"{where}: {x.source.describe(index)} holds a NaN or infinite value "
                            f"(at {tuple(int(i) for i in pos[1:])}); clean the data or drop that row")


def stats_lazy(x: LazyArray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature (last axis) shift and scale of a lazy array, computed chunk by chunk."""
    n, total, total_sq = 0, None, None
    lo = hi = None
    for _, block in x.chunks():
        flat = block.reshape(-1, block.shape[-1]).astype(np.float64)
        n += len(flat)
        if method == "standard":
            s, sq = flat.sum(0), (flat * flat).sum(0)
            total = s if total is None else total + s
            total_sq = sq if total_sq is None else total_sq + sq
        else:
            bmin, bmax = flat.min(0), flat.max(0)
            lo = bmin if lo is None else np.minimum(lo, bmin)
            hi = bmax if hi is None else np.maximum(hi, bmax)
    if method == "standard":
        mean = total / n
        std = np.sqrt(np.maximum(total_sq / n - mean * mean, 0))
        return mean.astype(np.float32), std.astype(np.float32)
    return lo.astype(np.float32), (hi - lo).astype(np.float32)
