"""The pictures of the inside of the model, as RGB arrays (uint8, rows × columns × 3), Qt-free.

The Inside tab shows these arrays and `keras-studio inspect --out FILE.png` saves them, so the command line
writes the picture the app draws. Signed values (weights, filters, saliency's sign) use a blue–white–red
map centred on zero; magnitudes (activations, Grad-CAM, histogram counts) a dark-to-bright one.
"""

from __future__ import annotations

import math

import numpy as np

from studio.core.inspect_store import InspectRecord

# viridis at five stops: dark blue → teal → green → yellow; perceptually even and readable in grey
_SEQUENTIAL = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], np.float64)
_DIVERGING = np.array([[33, 102, 172], [146, 197, 222], [247, 247, 247], [244, 165, 130], [178, 24, 43]],
                      np.float64)
GAP = 1  # pixels between tiles, in the background colour
BACKGROUND = (128, 128, 128)
TARGET = 320  # small maps are enlarged (nearest neighbour) to about this many pixels a side


def _lut(stops: np.ndarray, t: np.ndarray) -> np.ndarray:
    t = np.clip(np.nan_to_num(t, nan=0.0), 0.0, 1.0) * (len(stops) - 1)
    low = np.floor(t).astype(int).clip(0, len(stops) - 2)
    frac = (t - low)[..., None]
    return (stops[low] * (1 - frac) + stops[low + 1] * frac).astype(np.uint8)


def sequential(values: np.ndarray, low: float | None = None, high: float | None = None) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    finite = v[np.isfinite(v)]
    low = float(finite.min()) if low is None and finite.size else (low or 0.0)
    high = float(finite.max()) if high is None and finite.size else (high or 1.0)
    return _lut(_SEQUENTIAL, (v - low) / (high - low) if high > low else np.zeros_like(v))


def diverging(values: np.ndarray, limit: float | None = None) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    finite = np.abs(v[np.isfinite(v)])
    limit = limit or (float(finite.max()) if finite.size and finite.max() > 0 else 1.0)
    return _lut(_DIVERGING, (v / limit + 1) / 2)


def enlarge(rgb: np.ndarray, target: int = TARGET) -> np.ndarray:
    factor = max(1, target // max(rgb.shape[0], rgb.shape[1], 1))
    return np.repeat(np.repeat(rgb, factor, axis=0), factor, axis=1) if factor > 1 else rgb


def tile(images: list[np.ndarray], columns: int | None = None) -> np.ndarray:
    """RGB tiles of one size in a near-square grid, GAP pixels apart."""
    if not images:
        return np.full((1, 1, 3), BACKGROUND, np.uint8)
    h, w = images[0].shape[:2]
    columns = columns or math.ceil(math.sqrt(len(images)))
    rows = math.ceil(len(images) / columns)
    out = np.empty((rows * (h + GAP) - GAP, columns * (w + GAP) - GAP, 3), np.uint8)
    out[:] = BACKGROUND
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        out[r * (h + GAP):r * (h + GAP) + h, c * (w + GAP):c * (w + GAP) + w] = image
    return out


def _as_grid(units: np.ndarray) -> np.ndarray:
    """A 1-D layer's units as a near-square (rows, columns) block, NaN-padded."""
    n = units.size
    columns = math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    grid = np.full(rows * columns, np.nan)
    grid[:n] = units.ravel()
    return grid.reshape(rows, columns)


def feature_maps(activation: np.ndarray) -> np.ndarray:
    """One probe's output of a layer: a tile per channel of a (h, w, channels) map, sharing one colour range
    (so a dead channel looks flat); a (steps, units) sequence as one image; units as a square of cells."""
    a = np.asarray(activation, dtype=np.float64)
    if a.ndim == 3:
        low, high = float(np.nanmin(a)), float(np.nanmax(a))
        return enlarge(tile([sequential(a[..., c], low, high) for c in range(a.shape[-1])]))
    if a.ndim == 2:
        return enlarge(sequential(a.T))  # units down, steps along
    return enlarge(sequential(_as_grid(a)))


def filters(kernel: np.ndarray) -> np.ndarray:
    """A first convolution's filters, one tile each: colour for three input channels, else the mean over
    the input channels in blue–red around zero."""
    k = np.asarray(kernel, dtype=np.float64)
    tiles = []
    limit = float(np.abs(k).max()) or 1.0
    for f in range(k.shape[-1]):
        one = k[..., f]
        if one.shape[-1] == 3:
            low, high = one.min(), one.max()
            tiles.append(((one - low) / (high - low if high > low else 1) * 255).astype(np.uint8))
        else:
            tiles.append(diverging(one.mean(axis=-1), limit))
    return enlarge(tile(tiles))


def _grey(image: np.ndarray) -> np.ndarray:
    x = np.asarray(image, dtype=np.float64)
    x = x.mean(axis=-1) if x.ndim == 3 else x
    low, high = np.nanmin(x), np.nanmax(x)
    return (x - low) / (high - low) if high > low else np.zeros_like(x)


def _resize(heat: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Bilinear resize of a (h, w) map to `shape` (Grad-CAM's coarse grid onto the image)."""
    h, w = heat.shape
    ys = np.clip((np.arange(shape[0]) + 0.5) * h / shape[0] - 0.5, 0, h - 1)
    xs = np.clip((np.arange(shape[1]) + 0.5) * w / shape[1] - 0.5, 0, w - 1)
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    fy, fx = (ys - y0)[:, None], (xs - x0)[None, :]
    top = heat[y0][:, x0] * (1 - fx) + heat[y0][:, x1] * fx
    bottom = heat[y1][:, x0] * (1 - fx) + heat[y1][:, x1] * fx
    return top * (1 - fy) + bottom * fy


def overlay(image: np.ndarray, heat: np.ndarray, alpha: float = 0.6) -> np.ndarray:
    """The probe in grey with `heat` (≥ 0, any grid size) over it: where the model looked."""
    grey = _grey(image)
    heat = _resize(np.asarray(heat, dtype=np.float64), grey.shape)
    peak = float(np.nanmax(heat)) if heat.size else 0.0
    strength = (heat / peak if peak > 0 else np.zeros_like(heat))[..., None]
    colour = sequential(heat).astype(np.float64)
    base = np.repeat(grey[..., None] * 255, 3, axis=-1)
    mixed = base * (1 - alpha * strength) + colour * alpha * strength
    return enlarge(mixed.clip(0, 255).astype(np.uint8))


def saliency_map(gradient: np.ndarray) -> np.ndarray:
    """|d score / d input|, the largest over colour channels: (h, w) from (h, w, channels)."""
    g = np.abs(np.asarray(gradient, dtype=np.float64))
    return g.max(axis=-1) if g.ndim == 3 else g


def bars(values: np.ndarray, height: int = 160, bar: int = 18) -> np.ndarray:
    """Signed values as vertical bars about a middle line (per-feature or per-step saliency, table units)."""
    v = np.nan_to_num(np.asarray(values, dtype=np.float64).ravel())
    limit = float(np.abs(v).max()) or 1.0
    out = np.full((height, max(len(v), 1) * (bar + GAP), 3), 250, np.uint8)
    middle = height // 2
    out[middle, :] = 120
    for i, value in enumerate(v):
        size = int(round(abs(value) / limit * (middle - 2)))
        top, bottom = (middle - size, middle) if value >= 0 else (middle + 1, middle + 1 + size)
        out[top:bottom, i * (bar + GAP):i * (bar + GAP) + bar] = _lut(_DIVERGING, np.array([(value / limit + 1) / 2]))
    return out


def histogram_heatmap(histograms: list[tuple[np.ndarray, np.ndarray]], bins: int = 64) -> np.ndarray:
    """A variable's histograms over epochs: one row per epoch (the first at the top), re-binned onto the range
    all of them span, brightness the share of values in a bin."""
    if not histograms:
        return np.full((1, 1, 3), BACKGROUND, np.uint8)
    low = min(float(e[0]) for _, e in histograms)
    high = max(float(e[-1]) for _, e in histograms)
    edges = np.linspace(low, high if high > low else low + 1, bins + 1)
    rows = []
    for counts, old in histograms:
        centres = (old[:-1] + old[1:]) / 2
        row, _ = np.histogram(centres, bins=edges, weights=counts)
        rows.append(row / max(row.sum(), 1))
    table = np.sqrt(np.array(rows))  # square root: the thin tails stay visible beside the peak
    rgb = sequential(table, 0.0, float(table.max()) or 1.0)
    tall = max(1, min(24, TARGET // 2 // len(rows)))  # a few epochs still make a picture, many stay within bounds
    return np.repeat(np.repeat(rgb, tall, axis=0), max(1, TARGET // bins), axis=1)


def picture(record: InspectRecord, view: str, layer: str, epoch: int, probe: int = 0) -> np.ndarray:
    """The picture of one view of a layer at an epoch (weights and gradients: their first variable's histograms
    over the epochs up to this one)."""
    if view in ("weights", "gradients"):
        epochs = [e for e in record.epochs if e <= epoch]
        first = record.arrays(view, layer, epoch)
        variable = next(k.rsplit("/", 1)[0] for k in first if k.endswith("/counts"))
        return histogram_heatmap([(a[f"{variable}/counts"], a[f"{variable}/edges"])
                                  for a in (record.arrays(view, layer, e) for e in epochs)])
    (values,) = record.arrays(view, layer, epoch, None if view == "filters" else probe).values()
    if view == "filters":
        return filters(values)
    sample = None if view == "activations" else record.probe_arrays()[f"x/{record.inputs[0]}"][probe]
    return sample_picture(view, sample, values)


def sample_picture(view: str, sample: np.ndarray | None, values: np.ndarray) -> np.ndarray:
    """One sample's activations of a layer, saliency or Grad-CAM: a recorded probe and Try it's own input (a
    drawing, an image, a form's row) are drawn alike. `sample` is the input (unused for activations)."""
    if view == "activations":
        return feature_maps(values)
    if sample is None:
        raise ValueError(f"{view} is drawn over its input sample, and none was given")
    if view == "gradcam":
        return overlay(sample, values)
    if np.ndim(values) == 3:  # an image: where the class score is most sensitive
        return overlay(sample, saliency_map(values))
    if np.ndim(values) == 2:  # a sequence: one bar per step
        return bars(np.asarray(values, dtype=np.float64).sum(axis=-1))
    return bars(values)  # table features: one bar each
