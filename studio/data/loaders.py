"""Loaders for every data source of the catalogue, in NumPy and scikit-learn (no Keras).

`load(data_spec, seed, keras_loader)` returns a split, normalised `Dataset`. Sources from
`keras.datasets` read a local copy when `path` is given, else call `keras_loader(name)`, which only the
engine passes (it imports keras); without one they raise a `DataError` that names the file to place.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any, Callable

import numpy as np

from studio.core import datasets
from studio.core.analysis import DataShape
from studio.data.dataset import Dataset, DataError, check_finite, finish

LAB_X = [[1, 2], [2, 1], [3, 3], [4, 5], [5, 4], [6, 1], [7, 2], [8, 3], [9, 4], [10, 5]]
LAB_Y = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]

KERAS_SHAPES = {"mnist": ((28, 28, 1), 10), "fashion_mnist": ((28, 28, 1), 10),
                "cifar10": ((32, 32, 3), 10), "cifar100": ((32, 32, 3), 100)}
KERAS_FILES = {"mnist": "mnist.npz", "fashion_mnist": "fashion-mnist (4 .gz files)",
               "cifar10": "cifar-10-batches-py.tar.gz", "cifar100": "cifar-100-python.tar.gz"}

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


def _sklearn(name: str) -> Callable[[dict], Dataset]:
    def load(p) -> Dataset:
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

    return load


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


def windows(series: np.ndarray, window: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut a 1-D series into (window, 1) inputs and the value `horizon` steps after each window."""
    n = len(series) - window - horizon + 1
    if n < 2:
        raise DataError(f"a series of {len(series)} steps is too short for window {window} and horizon {horizon}")
    idx = np.arange(window)[None, :] + np.arange(n)[:, None]
    x = series[idx][..., None].astype(np.float32)
    y = series[window + horizon - 1: window + horizon - 1 + n].astype(np.float32)
    return x, y


def _sine(p) -> Dataset:
    rng = np.random.default_rng(p.get("_seed"))
    t = np.arange(p["length"], dtype=np.float64)
    series = np.sin(2 * np.pi * t / p["period"]) + p["trend"] * t + rng.normal(0, p["noise"], len(t))
    x, y = windows(series.astype(np.float32), p["window"], p["horizon"])
    return Dataset(x, y, task="regression", kind="series", feature_names=["value"],
                   extra={"series": series.astype(np.float32).tolist(), "window": p["window"],
                          "horizon": p["horizon"]})


def _number(text: str) -> float | None:
    text = text.strip()
    if text in ("", "NA", "N/A", "nan", "NaN", "null", "?"):
        return None
    try:
        return float(text)
    except ValueError:
        return math.nan  # marks text


def _csv(p) -> Dataset:
    path = Path(p["path"]).expanduser()
    if not p["path"] or not path.is_file():
        raise DataError(f"CSV file not found: {path}; choose an existing file")
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if len(rows) < 3:
        raise DataError(f"{path.name} has {max(len(rows) - 1, 0)} data rows; a table needs a header and at least 2 rows")
    header, body = [h.strip() for h in rows[0]], rows[1:]
    for i, r in enumerate(body, start=2):
        if len(r) != len(header):
            raise DataError(f"{path.name}, row {i}: has {len(r)} values but the header has {len(header)} columns")
    target = p["target"] or header[-1]
    if target not in header:
        raise DataError(f"{path.name} has no column `{target}`; its columns are {', '.join(header)}")
    features = p["features"] or [h for h in header if h != target]
    missing = [c for c in features if c not in header]
    if missing:
        raise DataError(f"{path.name} has no column `{missing[0]}`; its columns are {', '.join(header)}")
    cols = {h: [r[i].strip() for r in body] for i, h in enumerate(header)}
    x_parts, names = [], []
    for c in features:
        values = [_number(v) for v in cols[c]]
        if any(v is not None and math.isnan(v) for v in values):
            # text: a categorical column, one-hot encoded (missing → all zeros)
            cats = sorted({v for v in cols[c] if v})
            if len(cats) > 50:
                row = next(i for i, v in enumerate(values) if v is not None and math.isnan(v)) + 2
                raise DataError(f"{path.name}, column `{c}`, row {row}: text {cols[c][row - 2]!r} in a column of "
                                f"{len(cats)} different values; fix the value or leave the column out")
            onehot = np.array([[v == k for k in cats] for v in cols[c]], dtype=np.float32)
            x_parts.append(onehot)
            names += [f"{c}={k}" for k in cats]
        else:
            arr = np.array([np.nan if v is None else v for v in values], dtype=np.float32)
            if np.isnan(arr).all():
                raise DataError(f"{path.name}, column `{c}` is empty; leave it out")
            arr[np.isnan(arr)] = np.nanmean(arr)  # missing values: the column's mean
            x_parts.append(arr[:, None])
            names.append(c)
    y_raw = cols[target]
    if any(v == "" for v in y_raw):
        row = y_raw.index("") + 2
        raise DataError(f"{path.name}, row {row}: the target `{target}` is empty; fill it or drop the row")
    nums = [_number(v) for v in y_raw]
    numeric = all(v is not None and not math.isnan(v) for v in nums)
    task = p["task"]
    if task == "regression" and not numeric:
        row = next(i for i, v in enumerate(nums) if v is None or math.isnan(v)) + 2
        raise DataError(f"{path.name}, row {row}: target `{target}` holds text {y_raw[row - 2]!r} but the task is "
                        "regression; choose classification or fix the value")
    y = np.array(nums, dtype=np.float64) if numeric else np.array(y_raw)
    ds = _table(np.concatenate(x_parts, axis=1), y, task, names)
    return ds


def _npz(p) -> Dataset:
    path = Path(p["path"]).expanduser()
    if not p["path"] or not path.is_file():
        raise DataError(f"array file not found: {path}")
    try:
        if path.suffix == ".npy":
            if not p["y_path"]:
                raise DataError(f"{path.name} is a single array; also give `y_path`, the .npy of the targets")
            x, y = np.load(path, mmap_mode="r"), np.load(Path(p["y_path"]).expanduser(), mmap_mode="r")
        else:
            with np.load(path, allow_pickle=False) as z:
                for key in (p["x_key"], p["y_key"]):
                    if key not in z:
                        raise DataError(f"{path.name} has no array `{key}`; it holds {', '.join(z.files)}")
                x, y = z[p["x_key"]], z[p["y_key"]]
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read {path.name}: {exc}") from None
    if len(x) != len(y):
        raise DataError(f"{path.name}: {len(x)} samples but {len(y)} targets; they must match")
    x = np.asarray(x, dtype=np.float32)
    ds = _table(x, y, p["task"])
    if x.ndim == 4:
        ds.kind = "image"
    return ds


def load_keras_file(name: str, path: Path) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Read a local copy of a keras.datasets file in its published format."""
    if not path.exists():
        raise DataError(f"{name}: local file not found: {path}")
    if path.suffix == ".npz":
        with np.load(path, allow_pickle=False) as z:
            return (z["x_train"], z["y_train"]), (z["x_test"], z["y_test"])
    raise DataError(f"{name}: expected the .npz file Keras publishes ({KERAS_FILES[name]}), received {path.name}")


def _keras_source(name: str, p: dict, keras_loader: KerasLoader | None) -> Dataset:
    if p.get("path"):
        (xt, yt), (xs, ys) = load_keras_file(name, Path(p["path"]).expanduser())
    elif keras_loader is not None:
        (xt, yt), (xs, ys) = keras_loader(name)
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
    return Dataset(images(xt), yt, x_test=images(xs), y_test=ys, kind="image",
                   class_names=[str(i) for i in range(k)])


LOADERS: dict[str, Callable[[dict], Dataset]] = {
    "optimization_lab": _lab, "inline": _inline, "moons": _moons, "circles": _circles, "blobs": _blobs,
    "spirals": _spirals, "sine": _sine, "csv": _csv, "npz": _npz,
    **{n: _sklearn(n) for n in ("digits", "iris", "wine", "breast_cancer", "diabetes")},
}


def load(data_spec: Any, seed: int | None = None, keras_loader: KerasLoader | None = None) -> Dataset:
    """Load, split and normalise the data a spec's `data` section describes."""
    info = datasets.get(data_spec.source)
    params = info.check_params(data_spec.params)
    params["_seed"] = seed
    if info.group == "Keras":
        ds = _keras_source(info.name, params, keras_loader)
    else:
        ds = LOADERS[info.name](params)
    if ds.kind == "table" and info.kind != "table":
        ds.kind = info.kind
    check_finite(ds.x_train, f"the {info.title} samples")
    if ds.task == "regression":
        check_finite(ds.y_train, f"the {info.title} targets")
    return finish(ds, data_spec.validation_split, data_spec.test_split, data_spec.normalize, seed,
                  data_spec.shuffle)


def data_shape(data_spec: Any, seed: int | None = None) -> DataShape | None:
    """What the model must take and give for this data, without Keras; None when it can't be known here."""
    info = datasets.get(data_spec.source)
    if info.group == "Keras" and not data_spec.params.get("path"):
        shape, k = KERAS_SHAPES[info.name]
        return DataShape(shape, "classification", k)
    ds = load(data_spec, seed)
    return DataShape(ds.input_shape, ds.task, ds.num_classes, ds.target_width)
