"""Loaders for every data source of the catalogue, in NumPy, scikit-learn and Pillow (no Keras).

`load(data_spec, seed, keras_loader)` returns a split, normalised `Dataset`. Sources from
`keras.datasets` read a local copy when `path` is given, else call `keras_loader(name)`, which only the
engine passes (it imports keras); without one they raise a `DataError` that names the file to place.

Sources that may not fit in memory (a folder of images, memory-mapped .npy files with `stream` on) give
`LazyArray`s (`studio.data.arrays`) that the engine feeds through a Keras `PyDataset`; everything else is
in memory. Every `DataError` names the file, column or row and says what to do.
"""

from __future__ import annotations

import csv
import functools
import math
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np

from studio.core import datasets
from studio.core.analysis import DataShape
from studio.data.arrays import IMAGE_SUFFIXES, ImageFileSource, LazyArray, MemmapSource, is_lazy, materialize
from studio.data.dataset import Dataset, check_finite, finish
from studio.data.errors import DataError
from studio.core.numpy_files import OBJECTS, numpy_problem
from studio.data.keras_files import CLASS_NAMES, KERAS_FILES, check_arrays
from studio.data.keras_files import read as read_keras_file

LAB_X = [[1, 2], [2, 1], [3, 3], [4, 5], [5, 4], [6, 1], [7, 2], [8, 3], [9, 4], [10, 5]]
LAB_Y = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]

KERAS_SHAPES = {"mnist": ((28, 28, 1), 10), "fashion_mnist": ((28, 28, 1), 10),
                "cifar10": ((32, 32, 3), 10), "cifar100": ((32, 32, 3), 100)}


def assets_dir() -> Path:
    """The bundled data (assets/data of a checkout, or inside the installed package); KERAS_STUDIO_ASSETS overrides."""
    from studio.core.resources import data_dir

    return data_dir()


KerasLoader = Callable[[str], tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]]


def _classes(y: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Targets as 0..K-1 integers, with the class names."""
    values, codes = np.unique(y, return_inverse=True)
    return codes.astype(np.int32), [str(v) for v in values]


def _table(x, y, task: str, names=None, class_names=None) -> Dataset:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[:, None]
    y = np.asarray(y)
    if task == "auto":
        task = _guess_task(y)
    if task == "classification":
        y, found = _classes(y)
        class_names = class_names or found
    else:
        y = y.astype(np.float32)
    return Dataset(x, y, task=task, class_names=list(class_names or []), feature_names=list(names or []))


def _guess_task(y: np.ndarray) -> str:
    if y.dtype.kind in "OUSb":
        return "classification"
    values = np.unique(y)
    integral = np.all(np.mod(values, 1) == 0)
    return "classification" if integral and len(values) <= max(20, int(math.sqrt(len(y)))) else "regression"


# --------------------------------------------------------------------------------------------- sources
def _lab(_p) -> Dataset:
    return _table(LAB_X, LAB_Y, "classification", ["x1", "x2"])


def _inline(p) -> Dataset:
    x = np.asarray(p["x"], dtype=object)
    if len(p["x"]) != len(p["y"]):
        raise DataError(f"inline data has {len(p['x'])} samples but {len(p['y'])} targets; give one target per sample")
    try:
        x = np.asarray(p["x"], dtype=np.float32)
    except (ValueError, TypeError):
        raise DataError("inline x must be a list of equally long lists of numbers") from None
    return _table(x, p["y"], "auto")


def _sklearn_set(p, name: str) -> Dataset:
    """One of scikit-learn's bundled sets (`load_iris`, …); digits as 8×8 images unless `as_images` is off."""
    from sklearn import datasets as skd

    bunch = getattr(skd, f"load_{name}")()
    if name == "digits" and p.get("as_images", True):
        images = (bunch.images / 16.0).astype(np.float32)
        up = p.get("upscale", 1)
        if up > 1:
            images = images.repeat(up, axis=1).repeat(up, axis=2)
        ds = _table(bunch.data, bunch.target, "classification", class_names=[str(i) for i in range(10)])
        ds.x_train, ds.kind = images[..., None], "image"
        return ds
    task = "regression" if name == "diabetes" else "classification"
    names = [str(n) for n in getattr(bunch, "target_names", [])] if task == "classification" else None
    return _table(bunch.data, bunch.target, task, list(bunch.feature_names), names)


def _moons(p) -> Dataset:
    from sklearn.datasets import make_moons

    x, y = make_moons(p["n_samples"], noise=p["noise"], random_state=p.get("_seed"))
    return _table(x, y, "classification", ["x1", "x2"])


def _circles(p) -> Dataset:
    from sklearn.datasets import make_circles

    x, y = make_circles(p["n_samples"], noise=p["noise"], factor=p["factor"], random_state=p.get("_seed"))
    return _table(x, y, "classification", ["x1", "x2"])


def _blobs(p) -> Dataset:
    from sklearn.datasets import make_blobs

    x, y = make_blobs(p["n_samples"], n_features=p["n_features"], centers=p["centers"],
                      cluster_std=p["cluster_std"], random_state=p.get("_seed"))
    return _table(x, y, "classification", [f"x{i + 1}" for i in range(p["n_features"])])


def _spirals(p) -> Dataset:
    rng = np.random.default_rng(p.get("_seed"))
    n, k = p["n_samples"], p["classes"]
    per = n // k
    xs, ys = [], []
    for c in range(k):
        r = np.linspace(0.1, 1.0, per)
        theta = np.linspace(0, 3 * np.pi, per) + 2 * np.pi * c / k + rng.normal(0, p["noise"], per)
        xs.append(np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1))
        ys.append(np.full(per, c))
    return _table(np.concatenate(xs), np.concatenate(ys), "classification", ["x1", "x2"])


# --------------------------------------------------------------------------------------------- series
def windows(series: np.ndarray, window: int, horizon: int, relative: bool = False,
            where: str = "the series") -> tuple[np.ndarray, np.ndarray]:
    """Cut a 1-D series into (window, 1) inputs and the value `horizon` steps after each window.

    With `relative`, each window is shifted so its last value is 0 and the target is the change from that
    value: the network learns what happens next rather than where the series is, which helps when the series
    trends beyond the range seen in training.
    """
    series = np.asarray(series, dtype=np.float32)
    n = len(series) - window - horizon + 1
    if n < 2:
        raise DataError(f"{where} has {len(series)} steps, too short for window {window} and horizon {horizon}; "
                        f"it needs at least {window + horizon + 1} — lower the window or the horizon")
    idx = np.arange(window)[None, :] + np.arange(n)[:, None]
    x = series[idx][..., None].astype(np.float32)
    y = series[window + horizon - 1: window + horizon - 1 + n].astype(np.float32)
    if relative:
        last = x[:, -1, 0].copy()
        x = x - last[:, None, None]
        y = y - last
    return x, y


def _series_dataset(series: np.ndarray, p: dict, name: str, where: str) -> Dataset:
    relative = bool(p.get("relative", False))
    x, y = windows(series, p["window"], p["horizon"], relative, where)
    return Dataset(x, y, task="regression", kind="series", feature_names=[name],
                   extra={"series": np.asarray(series, dtype=np.float32).tolist(), "window": p["window"],
                          "horizon": p["horizon"], "relative": relative, "series_name": name})


def _sine(p) -> Dataset:
    rng = np.random.default_rng(p.get("_seed"))
    t = np.arange(p["length"], dtype=np.float64)
    series = np.sin(2 * np.pi * t / p["period"]) + p["trend"] * t + rng.normal(0, p["noise"], len(t))
    return _series_dataset(series.astype(np.float32), p, "value", "the generated series")


def interpolate_gaps(values: list[float | None], where: str) -> np.ndarray:
    """A series with its missing values (None) filled by straight lines between their neighbours."""
    arr = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    ok = ~np.isnan(arr)
    if ok.sum() < 2:
        raise DataError(f"{where} has fewer than 2 values; choose a column with numbers")
    if not ok.all():
        idx = np.arange(len(arr))
        arr[~ok] = np.interp(idx[~ok], idx[ok], arr[ok])
    return arr


def bundled_series(file: str, column: str) -> np.ndarray:
    """A series bundled with the app (assets/data), its gaps filled."""
    path = assets_dir() / file
    if not path.is_file():
        raise DataError(f"the bundled series {path} is missing; reinstall Keras Studio or set "
                        "KERAS_STUDIO_ASSETS to the folder that holds it")
    header, body = _read_csv_rows(path)
    values = [_number(r[header.index(column)]) for r in body]
    return interpolate_gaps(values, f"{path.name}, column `{column}`")


def _bundled_series(p, file: str, column: str, title: str) -> Dataset:
    ds = _series_dataset(bundled_series(file, column), p, column, title)
    ds.extra["file"] = file
    return ds


# --------------------------------------------------------------------------------------------- CSV
_MISSING = ("", "NA", "N/A", "na", "n/a", "nan", "NaN", "NAN", "null", "NULL", "None", "?", "-")


def _number(text: str) -> float | None:
    """A cell as a float; None when missing; NaN marks text."""
    text = text.strip()
    if text in _MISSING:
        return None
    try:
        return float(text)
    except ValueError:
        return math.nan  # marks text


def _read_csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            sample = f.read(8192)
            f.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            rows = list(csv.reader(f, dialect))
    except UnicodeDecodeError as exc:
        raise DataError(f"{path.name} is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV") from None
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror}") from None
    rows = [r for r in rows if any(c.strip() for c in r)]
    if len(rows) < 3:
        raise DataError(f"{path.name} has {max(len(rows) - 1, 0)} data rows; a table needs a header and at least "
                        "2 rows")
    header, body = [h.strip() for h in rows[0]], rows[1:]
    seen: set[str] = set()
    for col, h in enumerate(header, start=1):
        if h in seen:  # a dict by name would keep only the last of the two
            raise DataError(f"{path.name}: the header names column `{h}` twice (again in column {col}); give each "
                            "column its own name")
        seen.add(h)
    for i, r in enumerate(body, start=2):
        if len(r) != len(header):
            raise DataError(f"{path.name}, row {i}: has {len(r)} values but the header has {len(header)} columns; "
                            "fix that row (a missing or extra separator)")
    return header, [[c.strip() for c in r] for r in body]


def _column_kind(values: list[float | None]) -> str:
    """numeric | categorical | empty, from parsed cells (None missing, NaN text)."""
    present = [v for v in values if v is not None]
    if not present:
        return "empty"
    texts = sum(1 for v in present if math.isnan(v))
    if texts == 0:
        return "numeric"
    # a column of numbers with a few stray words is a numeric column with a typo, not a category
    return "numeric_with_text" if texts <= max(1, 0.05 * len(present)) and texts < len(present) else "categorical"


def _task_for(raw: list[str], nums: list[float | None]) -> tuple[str, str]:
    """(task, reason) decided from a target column."""
    numeric = all(v is not None and not math.isnan(v) for v in nums)
    if not numeric:
        return "classification", "classification: the target holds text, so each distinct value is a class"
    values = np.unique(np.array(nums, dtype=np.float64))
    integral = bool(np.all(np.mod(values, 1) == 0))
    limit = max(20, int(math.sqrt(len(nums))))
    if integral and len(values) <= limit and len(values) <= max(2, len(nums) // 2):  # classes repeat
        return "classification", (f"classification: the target holds {len(values)} distinct whole numbers that "
                                  "repeat, so each is a class")
    return "regression", (f"regression: the target holds {len(values)} distinct numbers, so it is predicted as "
                          "a quantity")


def inspect_csv(path: str | Path, target: str | None = None) -> dict[str, Any]:
    """What the GUI shows before the user picks columns: every column's kind and missing count, and the task
    the chosen (or last) target implies with the reason."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise DataError(f"CSV file not found: {path}; choose an existing file")
    header, body = _read_csv_rows(path)
    target = target or header[-1]
    columns = []
    for i, h in enumerate(header):
        raw = [r[i] for r in body]
        nums = [_number(v) for v in raw]
        kind = _column_kind(nums)
        columns.append({"name": h, "kind": "numeric" if kind == "numeric_with_text" else kind,
                        "missing": sum(v is None for v in nums),
                        "distinct": len(set(raw)),
                        "text_cells": sum(1 for v in nums if v is not None and math.isnan(v))})
    out: dict[str, Any] = {"file": path.name, "rows": len(body), "columns": columns, "target": target}
    if target in header:
        raw = [r[header.index(target)] for r in body]
        present = [(r, n) for r, n in zip(raw, (_number(v) for v in raw), strict=True) if n is not None]
        out["task"], out["task_reason"] = _task_for([r for r, _ in present], [n for _, n in present])
    return out


def _csv(p) -> Dataset:
    path = Path(p["path"]).expanduser()
    if not p["path"] or not path.is_file():
        raise DataError(f"CSV file not found: {path}; choose an existing file")
    header, body = _read_csv_rows(path)
    cols_text = ", ".join(header)
    if p.get("mode") == "series":
        return _csv_series(p, path, header, body)
    target = p["target"] or header[-1]
    if target not in header:
        raise DataError(f"{path.name} has no column `{target}`; its columns are {cols_text}")
    features = p["features"] or [h for h in header if h != target]
    for c in features:
        if c not in header:
            raise DataError(f"{path.name} has no column `{c}`; its columns are {cols_text}")
        if c == target:
            raise DataError(f"{path.name}: column `{c}` is the target; leave it out of the features")
    cols = {h: [r[i] for r in body] for i, h in enumerate(header)}
    x_parts, names = [], []
    missing = False
    for c in features:
        values = [_number(v) for v in cols[c]]
        kind = _column_kind(values)
        if kind == "empty":
            raise DataError(f"{path.name}, column `{c}` is empty; leave it out of the features")
        if kind == "numeric_with_text":
            row = next(i for i, v in enumerate(values) if v is not None and math.isnan(v))
            raise DataError(f"{path.name}, column `{c}`, row {row + 2}: text {cols[c][row]!r} in a numeric column; "
                            "fix the value, leave the cell empty (a missing value), or leave the column out")
        if kind == "categorical":
            cats = sorted({v for v in cols[c] if v not in _MISSING})
            if len(cats) > 50:
                raise DataError(f"{path.name}, column `{c}` holds {len(cats)} different texts (e.g. {cats[0]!r}, "
                                f"{cats[1]!r}); that is too many categories — leave the column out")
            onehot = np.array([[v == k for k in cats] for v in cols[c]], dtype=np.float32)  # missing: all zeros
            x_parts.append(onehot)
            names += [f"{c}={k}" for k in cats]
            continue
        arr = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        if np.isinf(arr).any():
            row = int(np.flatnonzero(np.isinf(arr))[0])
            raise DataError(f"{path.name}, column `{c}`, row {row + 2}: infinite value {cols[c][row]!r}; "
                            "replace it with a number or leave the cell empty")
        if np.abs(arr[~np.isnan(arr)]).max(initial=0) > np.finfo(np.float32).max:
            row = int(np.nanargmax(np.abs(arr)))
            raise DataError(f"{path.name}, column `{c}`, row {row + 2}: {cols[c][row]!r} is too large for 32-bit "
                            "floats; rescale the column")
        missing = missing or bool(np.isnan(arr).any())  # filled later with the training split's mean
        x_parts.append(arr.astype(np.float32)[:, None])
        names.append(c)
    y_raw = cols[target]
    if any(v in _MISSING for v in y_raw):
        row = next(i for i, v in enumerate(y_raw) if v in _MISSING) + 2
        raise DataError(f"{path.name}, row {row}: the target `{target}` is missing; fill it or drop the row")
    nums = [_number(v) for v in y_raw]
    detected, reason = _task_for(y_raw, nums)
    task = p["task"] if p["task"] != "auto" else detected
    numeric = all(v is not None and not math.isnan(v) for v in nums)
    if task == "regression" and not numeric:
        row = next(i for i, v in enumerate(nums) if v is None or math.isnan(v)) + 2
        raise DataError(f"{path.name}, row {row}: target `{target}` holds text {y_raw[row - 2]!r} but the task is "
                        "regression; choose classification or fix the value")
    y = np.array(nums, dtype=np.float64) if numeric else np.array(y_raw)
    if task == "regression" and np.isinf(y).any():
        row = int(np.flatnonzero(np.isinf(y))[0]) + 2
        raise DataError(f"{path.name}, row {row}: the target `{target}` is infinite; fix the value or drop the row")
    if task == "classification" and len(set(y_raw)) < 2:
        raise DataError(f"{path.name}: the target `{target}` holds a single class ({y_raw[0]!r}); classification "
                        "needs at least two — choose another target column")
    ds = _table(np.concatenate(x_parts, axis=1), y, task, names)
    ds.extra.update({"file": path.name, "target": target, "missing": missing,
                     "task_reason": reason if p["task"] == "auto" else f"{task} (chosen)",
                     "target_label": f"the target `{target}` of {path.name}"})
    return ds


def _csv_series(p, path: Path, header: list[str], body: list[list[str]]) -> Dataset:
    column = p["target"] or next((h for h in reversed(header)
                                  if _column_kind([_number(r[header.index(h)]) for r in body]) == "numeric"), None)
    if column is None:
        raise DataError(f"{path.name} has no numeric column to forecast; its columns are {', '.join(header)}")
    if column not in header:
        raise DataError(f"{path.name} has no column `{column}`; its columns are {', '.join(header)}")
    raw = [r[header.index(column)] for r in body]
    values = [_number(v) for v in raw]
    for i, v in enumerate(values):
        if v is not None and (math.isnan(v) or math.isinf(v)):
            what = "text" if math.isnan(v) else "an infinite value"
            raise DataError(f"{path.name}, column `{column}`, row {i + 2}: {what} {raw[i]!r} in the series; fix the "
                            "value or leave the cell empty (gaps are filled by interpolation)")
    series = interpolate_gaps(values, f"{path.name}, column `{column}`")
    ds = _series_dataset(series, p, column, f"{path.name}, column `{column}`")
    ds.extra.update({"file": path.name, "target": column, "gaps_filled": sum(v is None for v in values)})
    return ds


# --------------------------------------------------------------------------------------------- arrays
def _npz(p) -> Dataset:
    path = Path(p["path"]).expanduser()
    if not p["path"] or not path.is_file():
        raise DataError(f"array file not found: {path}; choose an existing .npz or .npy file")
    stream = p.get("stream", False)
    try:
        if path.suffix == ".npy":
            if not p["y_path"]:
                raise DataError(f"{path.name} is a single array; also give `y_path`, the .npy of the targets")
            y_path = Path(p["y_path"]).expanduser()
            if not y_path.is_file():
                raise DataError(f"target file not found: {y_path}; choose the .npy of the targets")
            x = np.load(path, mmap_mode="r", allow_pickle=False)
            y = np.asarray(np.load(y_path, mmap_mode="r", allow_pickle=False))
        else:
            if stream:
                raise DataError(f"{path.name}: an .npz is a zip archive and cannot be read batch by batch; save x "
                                "and y as two .npy files (np.save) to stream them, or turn `stream` off")
            with np.load(path, allow_pickle=False) as z:
                for key in (p["x_key"], p["y_key"]):
                    if key not in z.files:
                        raise DataError(f"{path.name} has no array `{key}`; it holds {', '.join(z.files)}")
                x, y = z[p["x_key"]], z[p["y_key"]]
    except DataError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:  # a truncated .npz is a bad zip
        if (problem := numpy_problem(exc)) == OBJECTS:
            raise DataError(f"cannot read {path.name}: {problem}") from None
        raise DataError(f"cannot read {path.name}: {problem}; is it a NumPy file saved with np.save / "
                        "np.savez?") from None
    if x.ndim == 0 or y.ndim == 0:
        raise DataError(f"{path.name}: x has shape {x.shape} and y {y.shape}; both need a first axis of samples")
    if len(x) != len(y):
        raise DataError(f"{path.name}: x has {len(x)} samples (shape {x.shape}) but y has {len(y)} targets "
                        f"(shape {y.shape}); the first axes must match")
    if y.ndim > 2:
        raise DataError(f"{path.name}: y has shape {y.shape}; expected one label or a vector of values per sample")
    if x.dtype.kind not in "biuf":
        raise DataError(f"{path.name}: x holds {x.dtype} values; expected numbers")
    if np.issubdtype(y.dtype, np.floating) and not np.isfinite(y).all():
        row = int(np.argwhere(~np.isfinite(y))[0][0])
        raise DataError(f"{path.name}: y holds a NaN or infinite value at row {row}; fix or drop that sample")
    if stream:
        task = p["task"] if p["task"] != "auto" else _guess_task(y)
        if task == "classification":
            y_codes, names = _classes(y)
            ds = Dataset(cast(np.ndarray, LazyArray(MemmapSource(path, x))), y_codes, task=task, class_names=names)
        else:
            ds = Dataset(cast(np.ndarray, LazyArray(MemmapSource(path, x))), y.astype(np.float32), task=task)
    else:
        ds = _table(np.asarray(x, dtype=np.float32), y, p["task"])
    if len(ds.x_train.shape) == 4:
        ds.kind = "image"
    ds.extra["file"] = path.name
    ds.extra["target_label"] = f"the targets y of {path.name}"
    return ds


# --------------------------------------------------------------------------------------------- images
def _image_folder(p) -> Dataset:
    """A folder with one sub-folder of images per class: pets/cat/*.jpg, pets/dog/*.jpg …"""
    root = Path(p["path"]).expanduser()
    if not p["path"] or not root.is_dir():
        raise DataError(f"image folder not found: {root}; choose a folder with one sub-folder per class")
    classes = sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    if not classes:
        loose = [f.name for f in root.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES]
        hint = f" (it holds loose images such as {loose[0]})" if loose else ""
        raise DataError(f"{root} has no sub-folders{hint}; put the images of each class in a sub-folder named "
                        "after the class, e.g. {root}/cat/1.jpg, {root}/dog/2.jpg".replace("{root}", str(root)))
    files, labels = [], []
    for k, d in enumerate(classes):
        found = sorted(f for f in d.rglob("*") if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES)
        if not found:
            raise DataError(f"the class folder {d} holds no images ({', '.join(IMAGE_SUFFIXES)}); add images or "
                            "remove the folder")
        files += found
        labels += [k] * len(found)
    if len(classes) < 2:
        raise DataError(f"{root} has a single class folder ({classes[0].name}); classification needs at least two "
                        "sub-folders, one per class")
    channels = 3 if p["color"] == "rgb" else 1
    x = LazyArray(ImageFileSource(files, p["height"], p["width"], channels))
    ds = Dataset(cast(np.ndarray, x), np.asarray(labels, dtype=np.int32), kind="image",  # a LazyArray stands in
                 class_names=[d.name for d in classes])
    ds.extra.update({"file": str(root), "stream": p.get("stream", False)})
    return ds


# --------------------------------------------------------------------------------------------- keras.datasets
def load_keras_file(name: str, path: Path) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Read a local copy of a keras.datasets file in its published format (see studio.data.keras_files)."""
    arrays, _names = read_keras_file(name, Path(path))
    return arrays


def _keras_source(name: str, p: dict, keras_loader: KerasLoader | None) -> Dataset:
    names = CLASS_NAMES.get(name)
    if p.get("path"):
        ((xt, yt), (xs, ys)), names = read_keras_file(name, Path(p["path"]))
        where = Path(p["path"]).name
    elif keras_loader is not None:
        (xt, yt), (xs, ys) = keras_loader(name)
        where = KERAS_FILES[name]
        check_arrays(name, ((xt, yt), (xs, ys)), where)
    else:
        raise DataError(f"{name} is downloaded by Keras when training starts; to work offline, set the "
                        f"dataset's path to a local copy of {KERAS_FILES[name]}")
    if p.get("limit"):
        xt, yt = xt[: p["limit"]], yt[: p["limit"]]

    def images(a: np.ndarray) -> np.ndarray:
        a = a.astype(np.float32) / 255.0
        return a[..., None] if a.ndim == 3 else a

    yt, ys = np.asarray(yt).reshape(-1).astype(np.int32), np.asarray(ys).reshape(-1).astype(np.int32)
    k = KERAS_SHAPES[name][1]
    for split_name, y in (("train", yt), ("test", ys)):
        if len(y) and (y.min() < 0 or y.max() >= k):
            raise DataError(f"{where}: y_{split_name} holds label {int(y.max() if y.max() >= k else y.min())}; "
                            f"{name} labels are 0 … {k - 1}")
    names = names if names and len(names) == k else [str(i) for i in range(k)]
    return Dataset(images(xt), yt, x_test=images(xs), y_test=ys, kind="image", class_names=names,
                   extra={"file": where, "target_label": f"the labels of {where}"})


LOADERS: dict[str, Callable[[dict], Dataset]] = {
    "optimization_lab": _lab, "inline": _inline, "moons": _moons, "circles": _circles, "blobs": _blobs,
    "spirals": _spirals, "sine": _sine, "csv": _csv, "npz": _npz, "image_folder": _image_folder,
    "co2": functools.partial(_bundled_series, file="co2_mauna_loa_weekly.csv", column="co2", title="Mauna Loa CO2"),
    "sunspots": functools.partial(_bundled_series, file="sunspots_yearly.csv", column="SUNACTIVITY",
                                  title="Yearly sunspots"),
    **{n: functools.partial(_sklearn_set, name=n) for n in ("digits", "iris", "wine", "breast_cancer", "diabetes")},
}


def load(data_spec: Any, seed: int | None = None, keras_loader: KerasLoader | None = None,
         keep_lazy: bool = False) -> Dataset:
    """Load, split and normalise the data a spec's `data` section describes.

    Sources read batch by batch (an image folder, streamed .npy files) come back as `LazyArray`s when their
    `stream` parameter is on or `keep_lazy` is given (the shape check reads no image); otherwise they are
    read into memory here, in parallel for images.
    """
    info = datasets.get(data_spec.source)
    params = info.check_params(data_spec.params)
    params["_seed"] = seed
    if info.group == "Keras":
        ds = _keras_source(info.name, params, keras_loader)
    else:
        ds = LOADERS[info.name](params)
    return prepare(ds, info.kind, info.title, params, data_spec.validation_split, data_spec.test_split,
                   data_spec.normalize, seed, data_spec.shuffle, keep_lazy)


def prepare(ds: Dataset, source_kind: str, title: str, params: dict, validation_split: float, test_split: float,
            normalize: str, seed: int | None, shuffle: bool, keep_lazy: bool = False) -> Dataset:
    """What every source goes through after loading: its kind settled, finite values checked, split,
    imputed and normalised (`finish`)."""
    if ds.kind == "table" and source_kind != "table" and np.ndim(ds.x_train) > 2:
        ds.kind = source_kind  # flat samples stay a table (digits as 64 pixels): normalised, shown as a form
    where = ds.extra.get("file") or f"the {title} samples"
    if not (keep_lazy and is_lazy(ds.x_train)):
        if is_lazy(ds.x_train) and not params.get("stream"):
            ds.x_train = materialize(ds.x_train)
        check_finite(ds.x_train, where, allow_nan=bool(ds.extra.get("missing")))
    if ds.task == "regression":
        check_finite(ds.y_train, f"{where} (targets)")
    return finish(ds, validation_split, test_split, normalize, seed, shuffle)


def data_shape(data_spec: Any, seed: int | None = None) -> DataShape | None:
    """What the model must take and give for this data, without Keras; None when it can't be known here."""
    info = datasets.get(data_spec.source)
    if info.group == "Keras" and not data_spec.params.get("path"):
        shape, k = KERAS_SHAPES[info.name]
        return DataShape(shape, "classification", k)
    ds = load(data_spec, seed, keep_lazy=True)
    return DataShape(ds.input_shape, ds.task, ds.num_classes, ds.target_width)
