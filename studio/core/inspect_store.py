"""The run directory's `inspect/` folder: what the training child recorded of the inside of the model.

    inspect/
        index.json         what is there: epochs, layers and their views, probes (atomic, rewritten per snapshot)
        probes.npz         the fixed validation samples (x_<input> as the model sees them, y, their index)
        epoch-00005.npz    one snapshot (epoch numbers are 1-based here, as the plots show them)

A snapshot's arrays, keyed `<view>/<block>[/<variable>/<part>]`:
    activations/<block>               float16 (probes, *output shape); wide feature maps keep their first channels
    stats/<block>                     float32 [mean, std, dead fraction, saturated fraction] (NaN: not applicable)
    weights|gradients/<block>/<var>/counts|edges|norm   a histogram (int32 counts, float32 edges) and the L2 norm
    filters/<block>                   float16 kernel of the first convolution (kh, kw, channels in, filters)
    saliency/<input>                  float16 (probes, *input shape): d score / d input of the predicted class
    gradcam/<block>                   float16 (probes, h, w) on the last convolution
    predictions                       float32 (probes, outputs)

The size rule: at most `max_snapshots` snapshots and `MAX_BYTES` per run. Past either, every second snapshot
between the first and the newest is deleted and the recorder's spacing doubles, so a long run keeps an evenly
spread, bounded set. Qt-free and keras-free: the engine writes it, the app and `keras-studio inspect` read it.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from studio.core.numpy_files import numpy_problem
from studio.core.runs import FILE_MODE, write_json_atomic

INSPECT_DIR = "inspect"
INDEX_FILE = "index.json"
PROBES_FILE = "probes.npz"
MAX_BYTES = 200_000_000  # a run's inspect/ folder stays under this (about 15 MB for the MNIST CNN over 15 epochs)
BINS = 32  # histogram bins: enough to see a shape, small enough for a ridge plot of 60 epochs
VIEWS = ("activations", "weights", "gradients", "filters", "saliency", "gradcam")
STATS = ("mean", "std", "dead", "saturated")
FLOAT16_MAX = 65_000.0  # float16 overflows to inf past 65,504


class InspectError(ValueError):
    """Nothing (or nothing usable) recorded; the message says what exists instead."""


def snapshot_name(epoch: int) -> str:
    return f"epoch-{epoch:05d}.npz"


def compact(a: Any) -> np.ndarray:
    """float16 for pictures (activations, saliency, filters): a tenth of a percent of precision, invisible in a
    colour map; values beyond float16's range are clipped rather than turned into inf."""
    a = np.asarray(a, dtype=np.float32)
    return np.clip(a, -FLOAT16_MAX, FLOAT16_MAX).astype(np.float16)


def histogram(values: Any, bins: int = BINS) -> dict[str, np.ndarray]:
    """counts, edges and L2 norm of a variable (or its gradient); non-finite values are left out of the counts."""
    v = np.asarray(values, dtype=np.float64).ravel()
    finite = v[np.isfinite(v)]
    if finite.size == 0:
        counts, edges = np.zeros(bins, np.int32), np.linspace(-1, 1, bins + 1)
    else:
        low, high = float(finite.min()), float(finite.max())
        if high <= low:  # a constant (a bias at zero): one bin around it
            low, high = low - 0.5 * max(abs(low), 1e-3), high + 0.5 * max(abs(high), 1e-3)
        counts, edges = np.histogram(finite, bins=bins, range=(low, high))
    norm = float(np.sqrt(np.sum(finite ** 2))) if finite.size else float("nan")
    return {"counts": counts.astype(np.int32), "edges": edges.astype(np.float32),
            "norm": np.array(norm, dtype=np.float32)}


def _save_npz(path: Path, arrays: dict[str, np.ndarray]) -> int:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".npz", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)  # type: ignore[arg-type]  # not compressed: float16 maps compress little, and saving must stay cheap
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path.stat().st_size


@dataclass
class InspectWriter:
    """Writes snapshots and keeps the index and the size rule; used by the training child only."""

    run_dir: Path
    max_snapshots: int = 60
    max_bytes: int = MAX_BYTES
    meta: dict[str, Any] = field(default_factory=dict)  # inputs, probes, task, first/last convolution …
    epochs: list[int] = field(default_factory=list)
    sizes: dict[int, int] = field(default_factory=dict)
    layers: dict[str, list[str]] = field(default_factory=dict)
    spacing: int = 1  # how many times the requested spacing the recorder now keeps (doubles at each thinning)

    def __post_init__(self) -> None:
        self.folder = Path(self.run_dir) / INSPECT_DIR
        self.folder.mkdir(parents=True, exist_ok=True)

    def write_probes(self, arrays: dict[str, np.ndarray]) -> None:
        _save_npz(self.folder / PROBES_FILE, arrays)

    def add(self, epoch: int, arrays: dict[str, np.ndarray]) -> int:
        """Save one snapshot (epoch 1-based), update the index, thin past the caps; the snapshot's bytes."""
        size = _save_npz(self.folder / snapshot_name(epoch), arrays)
        if epoch not in self.sizes:
            self.epochs.append(epoch)
        self.sizes[epoch] = size
        for key in arrays:
            view, _, rest = key.partition("/")
            if view in VIEWS and view not in ("saliency",):
                block = rest.split("/")[0]
                views = self.layers.setdefault(block, [])
                if view not in views:
                    views.append(view)
                    views.sort(key=VIEWS.index)
        while len(self.epochs) > 2 and (len(self.epochs) > self.max_snapshots
                                        or sum(self.sizes.values()) > self.max_bytes):
            self._thin()
        self._write_index()
        return size

    def _thin(self) -> None:
        middle = self.epochs[1:-1]
        for epoch in middle[::2]:  # every second one, from the first after the start
            (self.folder / snapshot_name(epoch)).unlink(missing_ok=True)
            self.sizes.pop(epoch, None)
        self.epochs = [self.epochs[0], *middle[1::2], self.epochs[-1]]
        self.spacing *= 2

    def _write_index(self) -> None:
        write_json_atomic(self.folder / INDEX_FILE, {
            "version": 1, "epochs": self.epochs, "layers": self.layers, "bytes": sum(self.sizes.values()),
            "spacing": self.spacing, **self.meta})


class InspectRecord:
    """A run's recording, read back; every lookup that misses names what exists."""

    def __init__(self, run_dir: str | Path):
        self.folder = Path(run_dir) / INSPECT_DIR
        try:
            index = json.loads((self.folder / INDEX_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InspectError(f"{run_dir} has no recording of the inside of the model (no {INSPECT_DIR}/"
                               f"{INDEX_FILE}); train with inspect.enabled = true") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InspectError(f"{self.folder / INDEX_FILE} cannot be read ({exc})") from None
        if not isinstance(index, dict) or not isinstance(index.get("epochs"), list) \
                or not isinstance(index.get("layers"), dict):
            raise InspectError(f"{self.folder / INDEX_FILE} is not a Keras Studio inspect index")
        self.index = index
        self.epochs: list[int] = [int(e) for e in index["epochs"] if isinstance(e, int)]
        self.layers: dict[str, list[str]] = {str(k): [str(v) for v in vs] for k, vs in index["layers"].items()
                                             if isinstance(vs, list)}
        self.probes: int = int(index.get("probes", 0) or 0)
        self.inputs: list[str] = [str(i) for i in index.get("inputs", [])]
        self._cache: dict[int, Any] = {}

    def listing(self) -> dict[str, Any]:
        """What `keras-studio inspect --list` prints."""
        views = {block: list(vs) for block, vs in self.layers.items()}
        for name in self.inputs:
            views.setdefault(name, []).append("saliency")
        return {"epochs": self.epochs, "layers": views, "probes": self.probes}

    def epoch(self, wanted: int | str | None) -> int:
        """The recorded epoch for `wanted` (an epoch number, "last" or None = last)."""
        if not self.epochs:
            raise InspectError("the run recorded no snapshot yet")
        if wanted in (None, "last"):
            return self.epochs[-1]
        try:
            number = int(wanted)
        except (TypeError, ValueError):
            raise InspectError(f"epoch `{wanted}` is not a number; give a number or `last`") from None
        if number not in self.epochs:
            raise InspectError(f"no snapshot of epoch {number}; recorded epochs: {_ranges(self.epochs)}")
        return number

    def nearest(self, epoch: float) -> int:
        """The recorded epoch closest to `epoch` (the scrubber may stand between snapshots)."""
        if not self.epochs:
            raise InspectError("the run recorded no snapshot yet")
        return min(self.epochs, key=lambda e: (abs(e - epoch), e))

    def snapshot(self, epoch: int):
        """The snapshot's arrays (read lazily, member by member)."""
        if epoch not in self._cache:
            path = self.folder / snapshot_name(epoch)
            try:
                self._cache[epoch] = np.load(path, allow_pickle=False)
            except (OSError, ValueError) as exc:
                raise InspectError(f"the snapshot of epoch {epoch} cannot be read ({numpy_problem(exc)})") from None
        return self._cache[epoch]

    def probe_arrays(self) -> dict[str, np.ndarray]:
        try:
            with np.load(self.folder / PROBES_FILE, allow_pickle=False) as f:
                return {k: f[k] for k in f.files}
        except (OSError, ValueError) as exc:
            raise InspectError(f"the probes cannot be read ({numpy_problem(exc)})") from None

    def arrays(self, view: str, layer: str | None = None, epoch: int | str | None = None,
               probe: int | None = None) -> dict[str, np.ndarray]:
        """The arrays of one view: {name: array}; histograms as `<variable>/counts|edges|norm`."""
        if view not in VIEWS:
            raise InspectError(f"unknown view `{view}`; the views are {', '.join(VIEWS)}")
        listing = self.listing()["layers"]
        having = [b for b, vs in listing.items() if view in vs]
        if not having:
            raise InspectError(f"the run recorded no {view}")
        layer = layer or having[-1 if view in ("gradcam",) else 0]
        if layer not in listing:
            raise InspectError(f"no layer `{layer}`; the recorded layers are {', '.join(listing)}")
        if view not in listing[layer]:
            raise InspectError(f"{layer} has no {view} view; it has {', '.join(listing[layer])}; "
                               f"{view} is recorded for {', '.join(having)}")
        snap = self.snapshot(self.epoch(epoch))
        prefix = f"{view}/{layer}"
        out = {k[len(prefix) + 1:] or layer: snap[k] for k in snap.files if k == prefix or k.startswith(prefix + "/")}
        if probe is not None and view in ("activations", "saliency", "gradcam"):
            if not 0 <= probe < self.probes:
                raise InspectError(f"no probe {probe}; the run has probes 0 to {self.probes - 1}")
            out = {k: v[probe] for k, v in out.items()}
        return out

    def stats(self, layer: str) -> dict[str, np.ndarray]:
        """mean, std, dead and saturated fractions of a layer over the recorded epochs ({name: (epochs,)})."""
        rows = []
        for e in self.epochs:
            snap = self.snapshot(e)
            key = f"stats/{layer}"
            rows.append(snap[key] if key in snap.files else np.full(len(STATS), np.nan, np.float32))
        table = np.array(rows, dtype=np.float32).reshape(len(self.epochs), len(STATS))
        return {name: table[:, i] for i, name in enumerate(STATS)}

    def norms(self, view: str = "gradients") -> dict[str, np.ndarray]:
        """Per block, the L2 norm over all its variables of `view` (weights or gradients), one per epoch."""
        out: dict[str, list[float]] = {}
        for i, e in enumerate(self.epochs):
            snap = self.snapshot(e)
            squares: dict[str, float] = {}
            for key in snap.files:
                parts = key.split("/")
                if parts[0] == view and len(parts) == 4 and parts[3] == "norm":
                    squares[parts[1]] = squares.get(parts[1], 0.0) + float(snap[key]) ** 2
            for block, sq in squares.items():
                out.setdefault(block, [float("nan")] * len(self.epochs))[i] = sq ** 0.5
        return {block: np.array(v) for block, v in out.items()}

    def close(self) -> None:
        for f in self._cache.values():
            f.close()
        self._cache.clear()


def _ranges(epochs: list[int]) -> str:
    shown = ", ".join(str(e) for e in epochs[:12])
    return shown + (f" … {epochs[-1]} ({len(epochs)} in all)" if len(epochs) > 12 else "")
