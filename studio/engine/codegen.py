"""Run spec → a standalone Python script that reproduces the run with plain Keras 3 (no Keras Studio).

The script loads the same data with the same splits (the same seeded shuffles as `studio.data`), builds
the same functional model (layer names are the block ids), compiles it with the same optimizer, schedule,
loss and metrics, trains it with the same callbacks and saves it:

    KERAS_BACKEND=jax python run.py --epochs 5 --save model.keras --describe layers.json

`build_model()` can also be imported on its own (training only runs under `__main__`).

A spec may come from anyone, so no text of it is ever spliced into the script's source: every string that
reaches the script (title, ids, column names, paths, keys) is written as a Python literal by `repr`, block
ids become variables only behind an `x_` prefix, and the spec itself goes in as ASCII-escaped JSON comments.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

from studio import __version__
from studio.core import catalog, datasets
from studio.core.analysis import resolve_graph
from studio.core.spec import RunSpec
from studio.engine.build import OPTIMIZER_CLASSES

class CodegenError(ValueError):
    """A spec the script generator cannot reproduce; the message names what and suggests another way."""

    reason = "unsupported"


_TUPLE_KEYS = ("kernel_size", "strides", "dilation_rate", "pool_size", "target_shape")
_VALUE_RANGE = ("RandomContrast", "RandomBrightness", "RandomSaturation", "RandomHue")


def _lit(value: Any) -> str:
    """A Python literal for a JSON-like value (tuples where Keras wants them)."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return f"float({str(value)!r})"
    if isinstance(value, (list, tuple)):
        items = ", ".join(_lit(v) for v in value)
        return f"({items}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{items}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_lit(k)}: {_lit(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _var(block_id: str) -> str:
    """The script's variable for a block: prefixed, so an id like `class`, `keras` or `np` stays harmless."""
    return f"x_{block_id}"


def _slug(title: str) -> str:
    """An ASCII file-name stem from the title (only letters, digits and _ ever reach the script)."""
    return "".join(c if c.isascii() and c.isalnum() else "_" for c in title.lower()).strip("_") or "model"


def _kwargs(block_type: str, params: dict[str, Any], spec: RunSpec) -> list[str]:
    params = dict(params)
    out: list[str] = []
    entry = catalog.get(block_type)
    reg = None
    if entry.has_kernel or block_type == "Bidirectional":
        l1 = params.pop("kernel_l1", None)
        l2 = params.pop("kernel_l2", None)
        l1 = spec.regularization.l1 if l1 is None else l1
        l2 = spec.regularization.l2 if l2 is None else l2
        if l1 or l2:
            reg = f"keras.regularizers.L1L2(l1={_lit(l1)}, l2={_lit(l2)})"
    if block_type in _VALUE_RANGE:
        params["value_range"] = (0.0, params.pop("value_max"))
    for key in _TUPLE_KEYS:
        if isinstance(params.get(key), list):
            params[key] = tuple(params[key])
    for k, v in params.items():
        out.append(f"{k}={_lit(v)}")
    if reg:
        out.append(f"kernel_regularizer={reg}")
    return out


def model_code(spec: RunSpec) -> str:
    order, outputs = resolve_graph(spec.model, spec.data.augmentation)
    lines = ["def build_model():", '    """The network, block by block (layer names are the Studio block ids)."""']
    inputs = []
    for block, srcs in order:
        params = block.resolved_params()
        var = _var(block.id)
        if block.type == "Input":
            shape = tuple(params["shape"])
            lines.append(f"    {var} = keras.Input(shape={shape!r}, dtype={params['dtype']!r}, name={block.id!r})")
            inputs.append(var)
            continue
        if block.type == "Bidirectional":
            params = dict(params)
            inner, merge = params.pop("layer"), params.pop("merge_mode")
            kw = ", ".join(_kwargs(block.type, params, spec))
            if not inner.isidentifier():  # a catalogue choice (LSTM, GRU, SimpleRNN): never free text
                raise CodegenError(f"`{inner}` is not a recurrent layer of Keras")
            layer = (f"keras.layers.Bidirectional(keras.layers.{inner}({kw}), merge_mode={merge!r}, "
                     f"name={block.id!r})")
        else:
            kw = ", ".join([*_kwargs(block.type, params, spec), f"name={block.id!r}"])
            layer = f"keras.layers.{catalog.get(block.type).keras_name}({kw})"
        srcs = [_var(s) for s in srcs]
        arg = f"[{', '.join(srcs)}]" if catalog.get(block.type).arity is None else srcs[0]
        lines.append(f"    {var} = {layer}({arg})")
    outputs = [_var(o) for o in outputs]
    ins = inputs[0] if len(inputs) == 1 else f"[{', '.join(inputs)}]"
    outs = outputs[0] if len(outputs) == 1 else f"[{', '.join(outputs)}]"
    name = _slug(spec.meta.title)
    lines.append(f"    return keras.Model({ins}, {outs}, name={name!r})")
    return "\n".join(lines)


def _schedule_code(spec: RunSpec) -> str:
    opt, sched = spec.optimizer, spec.optimizer.schedule
    p = sched.resolved_params()
    base = _lit(opt.learning_rate)
    head = ["def learning_rate(steps_per_epoch):",
            "    total = EPOCHS * steps_per_epoch",
            "    s = keras.optimizers.schedules"]
    if sched.name == "constant":
        body = [f"    return {base}"]
    elif sched.name == "exponential":
        body = [f"    return s.ExponentialDecay({base}, max(1, round({p['decay_epochs']!r} * steps_per_epoch)), "
                f"{p['decay_rate']!r}, staircase={p['staircase']!r})"]
    elif sched.name == "step":
        body = [f"    return s.ExponentialDecay({base}, {p['step_epochs']!r} * steps_per_epoch, {p['factor']!r}, "
                "staircase=True)"]
    elif sched.name == "cosine":
        body = [f"    warm = int(round({p['warmup_epochs']!r} * steps_per_epoch))",
                "    if warm:",
                f"        return s.CosineDecay(0.0, max(1, total - warm), alpha={p['alpha']!r}, warmup_target={base}, "
                "warmup_steps=warm)",
                f"    return s.CosineDecay({base}, max(1, total), alpha={p['alpha']!r})"]
    elif sched.name == "piecewise":
        body = [f"    return s.PiecewiseConstantDecay([int(b * steps_per_epoch) for b in {list(p['boundaries'])!r}], "
                f"{list(p['values'])!r})"]
    else:
        raise ValueError(f"unknown schedule {sched.name}")
    return "\n".join(head + body)


def _optimizer_code(spec: RunSpec) -> str:
    opt = spec.optimizer
    kwargs = dict(opt.resolved_params())
    for key in ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm"):
        value = getattr(opt, key)
        if value is not None:
            kwargs[key] = value
    kw = "".join(f", {k}={_lit(v)}" for k, v in kwargs.items())
    return ("def make_optimizer(steps_per_epoch):\n"
            f"    return keras.optimizers.{OPTIMIZER_CLASSES[opt.name]}(learning_rate=learning_rate(steps_per_epoch)"
            f"{kw})")


def _callbacks_code(spec: RunSpec) -> str:
    lines = ["def make_callbacks(has_val):", "    cbs = []"]
    es = spec.regularization.early_stopping
    if es:
        lines += [f"    monitor = {es.monitor!r} if has_val or not {es.monitor!r}.startswith('val_') "
                  f"else {es.monitor[4:]!r}"
                  if es.monitor.startswith("val_") else f"    monitor = {es.monitor!r}",
                  f"    cbs.append(keras.callbacks.EarlyStopping(monitor=monitor, patience={es.patience}, "
                  f"min_delta={es.min_delta!r}, restore_best_weights={es.restore_best_weights!r}))"]
    rop = spec.optimizer.reduce_on_plateau
    if rop:
        lines += [f"    monitor = {rop.monitor!r} if has_val or not {rop.monitor!r}.startswith('val_') else "
                  f"{rop.monitor[4:]!r}" if rop.monitor.startswith("val_") else f"    monitor = {rop.monitor!r}",
                  f"    cbs.append(keras.callbacks.ReduceLROnPlateau(monitor=monitor, factor={rop.factor!r}, "
                  f"patience={rop.patience}, min_lr={rop.min_lr!r}))"]
    lines.append("    return cbs")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ data
def _data_code(spec: RunSpec) -> str:
    """`load_source()` → (x, y, x_test, y_test, task, kind, class_names, extra) for the spec's source."""
    info = datasets.get(spec.data.source)
    p = info.check_params(spec.data.params)
    name = info.name
    seed = spec.training.seed
    head = "def load_source():\n"
    if name == "optimization_lab":
        from studio.data.loaders import LAB_X, LAB_Y

        body = f"""
            x = np.asarray({LAB_X!r}, dtype=np.float32)
            return table(x, np.asarray({LAB_Y!r}), "classification")
        """
    elif name == "inline":
        body = f"""
            return table(np.asarray({p['x']!r}, dtype=np.float32), np.asarray({p['y']!r}), "auto")
        """
    elif name in ("iris", "wine", "breast_cancer", "diabetes"):
        task = "regression" if name == "diabetes" else "classification"
        names = "[str(n) for n in bunch.target_names]" if task == "classification" else "None"
        body = f"""
            from sklearn import datasets
            bunch = datasets.load_{name}()
            return table(bunch.data, bunch.target, {task!r}, {names})
        """
    elif name == "digits":
        if p.get("as_images", True):
            body = f"""
                from sklearn import datasets
                bunch = datasets.load_digits()
                images = (bunch.images / 16.0).astype(np.float32)
                if {p['upscale']!r} > 1:
                    images = images.repeat({p['upscale']!r}, axis=1).repeat({p['upscale']!r}, axis=2)
                x, y, x_test, y_test, task, kind, names, extra = table(bunch.data, bunch.target, "classification",
                                                                        [str(i) for i in range(10)])
                return images[..., None], y, None, None, task, "image", names, extra
            """
        else:
            body = """
                from sklearn import datasets
                bunch = datasets.load_digits()
                return table(bunch.data, bunch.target, "classification", [str(i) for i in range(10)])
            """
    elif name in ("moons", "circles", "blobs"):
        args = {"moons": f"{p['n_samples']!r}, noise={p['noise']!r}",
                "circles": f"{p['n_samples']!r}, noise={p['noise']!r}, factor={p.get('factor')!r}",
                "blobs": f"{p['n_samples']!r}, n_features={p.get('n_features')!r}, centers={p.get('centers')!r}, "
                         f"cluster_std={p.get('cluster_std')!r}"}[name]
        body = f"""
            from sklearn.datasets import make_{name}
            x, y = make_{name}({args}, random_state={seed!r})
            return table(x, y, "classification")
        """
    elif name == "spirals":
        body = f"""
            rng = np.random.default_rng({seed!r})
            n, k, noise = {p['n_samples']!r}, {p['classes']!r}, {p['noise']!r}
            per = n // k
            xs, ys = [], []
            for c in range(k):
                r = np.linspace(0.1, 1.0, per)
                theta = np.linspace(0, 3 * np.pi, per) + 2 * np.pi * c / k + rng.normal(0, noise, per)
                xs.append(np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1))
                ys.append(np.full(per, c))
            return table(np.concatenate(xs), np.concatenate(ys), "classification")
        """
    elif name == "sine":
        body = f"""
            rng = np.random.default_rng({seed!r})
            t = np.arange({p['length']!r}, dtype=np.float64)
            series = (np.sin(2 * np.pi * t / {p['period']!r}) + {p['trend']!r} * t
                      + rng.normal(0, {p['noise']!r}, len(t))).astype(np.float32)
            return windows(series, {p['window']!r}, {p['horizon']!r}, {bool(p.get('relative', False))!r})
        """
    elif name in ("co2", "sunspots"):
        # the bundled series goes into the script itself (gaps already filled), so it runs anywhere
        from studio.data.loaders import load as load_dataset

        series = load_dataset(spec.data).extra["series"]
        values = ", ".join(repr(float(v)) for v in series)
        body = f"""
            series = np.asarray([{values}], dtype=np.float32)  # {info.title}, from Keras Studio's assets/data
            return windows(series, {p['window']!r}, {p['horizon']!r}, {bool(p.get('relative', False))!r})
        """
    elif name == "csv" and p.get("mode") == "series":  # one column forecast from a window of its past
        from studio.data.loaders import load as load_dataset

        column = load_dataset(spec.data).extra["target"]  # the column Studio chose when none was named
        body = f"""
            series = read_series({p['path']!r}, {column!r})
            return windows(series, {p['window']!r}, {p['horizon']!r}, {bool(p.get('relative', False))!r})
        """
    elif name == "image_folder":
        body = f"""
            return read_image_folder({p['path']!r}, {p['height']!r}, {p['width']!r}, {p['color']!r})
        """
    elif name == "csv" and p.get("mode", "table") == "table":
        body = f"""
            return read_csv({p['path']!r}, {p['target']!r}, {p['features']!r}, {p['task']!r})
        """
    elif name == "npz":
        if str(p["path"]).endswith(".npy"):
            load = f"x, y = np.load({p['path']!r}), np.load({p['y_path']!r})"
        else:
            load = (f"with np.load({p['path']!r}, allow_pickle=False) as z:\n"
                    f"                x, y = z[{p['x_key']!r}], z[{p['y_key']!r}]")
        body = f"""
            {load}
            x = np.asarray(x, dtype=np.float32)
            out = table(x, y, {p['task']!r})
            return out[:5] + (("image" if x.ndim == 4 else "table"),) + out[6:]
        """
    elif info.group == "Keras":
        if p.get("path"):
            load = (f"with np.load({p['path']!r}, allow_pickle=False) as z:\n"
                    f"                (xt, yt), (xs, ys) = (z['x_train'], z['y_train']), (z['x_test'], z['y_test'])")
        else:
            load = f"(xt, yt), (xs, ys) = keras.datasets.{name}.load_data()"
        limit = p.get("limit")
        k = {"cifar100": 100}.get(name, 10)
        body = f"""
            {load}
            if {limit!r}:
                xt, yt = xt[:{limit!r}], yt[:{limit!r}]

            def images(a):
                a = a.astype(np.float32) / 255.0
                return a[..., None] if a.ndim == 3 else a

            yt, ys = np.asarray(yt).reshape(-1).astype(np.int32), np.asarray(ys).reshape(-1).astype(np.int32)
            return images(xt), yt, images(xs), ys, "classification", "image", [str(i) for i in range({k})], {{}}
        """
    else:
        raise CodegenError(f"the python export cannot yet write loading code for the data source `{name}` "
                           f"({info.title}); export the model as keras or onnx, or train on another source")
    return head + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n"


_CSV_READER = '''
def read_csv(path, target, features, task):
    """The CSV reader of Keras Studio: numeric columns (missing → mean), text columns one-hot encoded."""
    import csv

    missing_tokens = ("", "NA", "N/A", "na", "n/a", "nan", "NaN", "NAN", "null", "NULL", "None", "?", "-")

    def number(text):
        text = text.strip()
        if text in missing_tokens:
            return None
        try:
            return float(text)
        except ValueError:
            return math.nan

    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [r for r in csv.reader(f) if any(c.strip() for c in r)]
    header, body = [h.strip() for h in rows[0]], rows[1:]
    target = target or header[-1]
    features = features or [h for h in header if h != target]
    cols = {h: [r[i] for r in body] for i, h in enumerate(header)}
    parts = []
    for c in features:
        values = [number(v) for v in cols[c]]
        if any(v is not None and math.isnan(v) for v in values):
            cats = sorted({v for v in cols[c] if v not in missing_tokens})
            parts.append(np.array([[v == k for k in cats] for v in cols[c]], dtype=np.float32))
        else:  # missing values stay NaN here and get the training split's mean after splitting
            parts.append(np.array([np.nan if v is None else v for v in values], dtype=np.float32)[:, None])
    nums = [number(v) for v in cols[target]]
    numeric = all(v is not None and not math.isnan(v) for v in nums)
    y = np.array(nums, dtype=np.float64) if numeric else np.array(cols[target])
    return table(np.concatenate(parts, axis=1), y, task)
'''

_SERIES = '''
def windows(series, window, horizon, relative):
    """(window, 1) slices of the series and the value `horizon` steps after each, as Keras Studio cuts them;
    `relative` shifts each window so its last value is 0 and predicts the change from it."""
    series = np.asarray(series, dtype=np.float32)
    n = len(series) - window - horizon + 1
    idx = np.arange(window)[None, :] + np.arange(n)[:, None]
    x = series[idx][..., None].astype(np.float32)
    y = series[window + horizon - 1: window + horizon - 1 + n].astype(np.float32)
    if relative:
        last = x[:, -1, 0].copy()
        x, y = x - last[:, None, None], y - last
    return x, y, None, None, "regression", "series", [], {"series": series, "relative": relative}
'''

_SERIES_CSV = '''
def read_series(path, column):
    """One numeric column of a CSV file; empty cells are filled by straight lines between their neighbours."""
    import csv

    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [r for r in csv.reader(f) if any(c.strip() for c in r)]
    k = [h.strip() for h in rows[0]].index(column)
    values = np.array([float(r[k]) if r[k].strip() else np.nan for r in rows[1:]], dtype=np.float64)
    gaps = np.isnan(values)
    if gaps.any():
        idx = np.arange(len(values))
        values[gaps] = np.interp(idx[gaps], idx[~gaps], values[~gaps])
    return values
'''

_IMAGE_FOLDER = '''
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")


def read_image_folder(root, height, width, color):
    """A folder with one sub-folder of images per class, decoded with Pillow and scaled to [0, 1]."""
    from pathlib import Path

    from PIL import Image

    classes = sorted(d for d in Path(root).expanduser().iterdir() if d.is_dir() and not d.name.startswith("."))
    images, labels = [], []
    for k, d in enumerate(classes):
        for f in sorted(f for f in d.rglob("*") if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES):
            with Image.open(f) as img:
                img = img.convert("RGB" if color == "rgb" else "L")
                if img.size != (width, height):
                    img = img.resize((width, height), Image.Resampling.BILINEAR)
                images.append(np.asarray(img, dtype=np.float32).reshape(height, width, -1) / 255.0)
            labels.append(k)
    return (np.stack(images), np.asarray(labels, dtype=np.int32), None, None, "classification", "image",
            [d.name for d in classes], {})
'''


_COMMON = '''
def table(x, y, task, class_names=None):
    """Features as float32; classification targets as 0..K-1 with their names."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[:, None]
    y = np.asarray(y)
    if task == "auto":
        if y.dtype.kind in "OUSb":
            task = "classification"
        else:
            values = np.unique(y)
            integral = np.all(np.mod(values, 1) == 0)
            task = "classification" if integral and len(values) <= max(20, int(math.sqrt(len(y)))) else "regression"
    if task == "classification":
        values, codes = np.unique(y, return_inverse=True)
        y = codes.astype(np.int32)
        class_names = class_names or [str(v) for v in values]
    else:
        y = y.astype(np.float32)
    return x, y, None, None, task, "table", list(class_names or []), {}


def split(x, y, fraction, rng, ordered=False):
    """Hold out `fraction` of the samples: random ones, or the last ones of an ordered series."""
    n = len(x)
    k = int(round(n * fraction))
    if fraction > 0 and k == 0:
        k = 1
    idx = np.arange(n) if ordered or rng is None else rng.permutation(n)
    keep, held = idx[: n - k], idx[n - k:]
    return x[keep], y[keep], x[held], y[held]


def load_data():
    """Load, split (test, then validation) and normalise with training statistics, as Keras Studio does."""
    x, y, x_test, y_test, task, kind, class_names, extra = load_source()
    x_val = y_val = None
    rng = np.random.default_rng(SEED) if SHUFFLE else None
    ordered = kind == "series"
    if x_test is None and TEST_SPLIT > 0:
        x, y, x_test, y_test = split(x, y, TEST_SPLIT, rng, ordered)
    if VALIDATION_SPLIT > 0:
        frac = VALIDATION_SPLIT / (1 - TEST_SPLIT) if x_test is not None and TEST_SPLIT else VALIDATION_SPLIT
        x, y, x_val, y_val = split(x, y, min(frac, 0.95), rng, ordered)
    if np.issubdtype(x.dtype, np.floating) and np.isnan(x).any():  # missing table values: training means
        means = np.nanmean(x, axis=0)
        for arr in (x, x_val, x_test):
            if arr is not None:
                rows, cols = np.nonzero(np.isnan(arr))
                arr[rows, cols] = means[cols]
    if NORMALIZE != "none" and kind != "image":
        axes = tuple(range(x.ndim if kind == "series" else x.ndim - 1))  # a series: one statistic for all
        if NORMALIZE == "standard":
            shift, scale = x.mean(axis=axes), x.std(axis=axes)
        else:
            shift = x.min(axis=axes)
            scale = x.max(axis=axes) - shift
        scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
        shift = np.asarray(shift, dtype=np.float32)
        x = ((x - shift) / scale).astype(np.float32)
        x_val = None if x_val is None else ((x_val - shift) / scale).astype(np.float32)
        x_test = None if x_test is None else ((x_test - shift) / scale).astype(np.float32)
        if kind == "series" and task == "regression":  # the target is the same quantity: same scaling
            y_shift = 0.0 if extra.get("relative") else float(np.ravel(shift)[0])
            y_scale = float(np.ravel(scale)[0])
            y = ((y - y_shift) / y_scale).astype(np.float32)
            y_val = None if y_val is None else ((y_val - y_shift) / y_scale).astype(np.float32)
            y_test = None if y_test is None else ((y_test - y_shift) / y_scale).astype(np.float32)
    return (x, y), (x_val, y_val), (x_test, y_test), task, class_names


def resolve_loss(task, num_classes, head_units):
    if LOSS != "auto":
        return LOSS
    if task == "regression":
        return "mean_squared_error"
    if num_classes == 2 and head_units == 1:
        return "binary_crossentropy"
    return "categorical_crossentropy" if LABEL_SMOOTHING else "sparse_categorical_crossentropy"


def make_loss(name):
    if name == "binary_crossentropy":
        return keras.losses.BinaryCrossentropy(label_smoothing=LABEL_SMOOTHING)
    if name == "categorical_crossentropy":
        return keras.losses.CategoricalCrossentropy(label_smoothing=LABEL_SMOOTHING)
    return keras.losses.get(name)


def make_metrics(loss, task, num_classes):
    out = []
    binary = loss == "binary_crossentropy"
    for m in METRICS:
        if m == "accuracy":
            out.append("accuracy")
        elif m == "rmse":
            out.append(keras.metrics.RootMeanSquaredError(name="rmse"))
        elif m == "auc" and binary:
            out.append(keras.metrics.AUC(name="auc"))
        elif m == "precision" and binary:
            out.append(keras.metrics.Precision(name="precision"))
        elif m == "recall" and binary:
            out.append(keras.metrics.Recall(name="recall"))
        elif m == "top_k_accuracy" and task == "classification" and num_classes > 5:
            cls = (keras.metrics.TopKCategoricalAccuracy if loss == "categorical_crossentropy"
                   else keras.metrics.SparseTopKCategoricalAccuracy)
            out.append(cls(k=5, name="top5_accuracy"))
        elif m in ("mae", "mse"):
            out.append(m)
    return out


def one_hot(y, loss, num_classes):
    if y is None or loss != "categorical_crossentropy" or y.ndim != 1:
        return y
    return np.eye(num_classes, dtype=np.float32)[y.astype(np.int64)]


def describe(model):
    rows = [{"name": layer.name, "type": type(layer).__name__, "params": int(layer.count_params())}
            for layer in model.layers]
    return {"layers": rows, "total_params": int(model.count_params())}


def main():
    global EPOCHS
    parser = argparse.ArgumentParser(description=f"{TITLE}: " + __doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="training epochs (default: the run's)")
    parser.add_argument("--save", default=SAVE_AS, help="where to save the trained model (.keras)")
    parser.add_argument("--describe", help="also write the layers and parameter counts as JSON here")
    parser.add_argument("--save-data", help="also write the prepared splits (after normalisation) to this .npz")
    args = parser.parse_args()
    EPOCHS = args.epochs
    if SEED is not None:
        keras.utils.set_random_seed(SEED)
    (x, y), (x_val, y_val), (x_test, y_test), task, class_names = load_data()
    num_classes = len(class_names) if task == "classification" else 0
    if args.save_data:
        splits = {"x_train": x, "y_train": y, "x_val": x_val, "y_val": y_val, "x_test": x_test, "y_test": y_test}
        np.savez(args.save_data, **{k: v for k, v in splits.items() if v is not None})
    model = build_model()
    if INITIAL_MODEL:
        model.load_weights(INITIAL_MODEL)  # continue training from an earlier run's weights
    batch_size = min(BATCH_SIZE or len(x), len(x))
    steps = math.ceil(len(x) / batch_size)
    loss = resolve_loss(task, num_classes, model.outputs[0].shape[-1])
    model.compile(optimizer=make_optimizer(steps), loss=make_loss(loss), metrics=make_metrics(loss, task, num_classes))
    model.summary()
    if args.describe:
        with open(args.describe, "w", encoding="utf-8") as f:
            json.dump(describe(model), f, indent=2)
    has_val = x_val is not None and len(x_val) > 0
    validation = (x_val, one_hot(y_val, loss, num_classes)) if has_val else None
    model.fit(x, one_hot(y, loss, num_classes), batch_size=batch_size, epochs=EPOCHS, validation_data=validation,
              shuffle=SHUFFLE, callbacks=make_callbacks(has_val), verbose=2)
    for name, xs, ys in (("validation", x_val, y_val), ("test", x_test, y_test)):
        if xs is not None and len(xs):
            result = model.evaluate(xs, one_hot(ys, loss, num_classes), verbose=0, return_dict=True)
            print(name, "  ".join(f"{k} {float(v):.4f}" for k, v in result.items()))
    if args.save:
        model.save(args.save)
        print("saved", args.save)
'''


def generate(spec: RunSpec) -> str:
    """The whole script as text."""
    d = spec.data
    t = spec.training
    slug = _slug(spec.meta.title)
    source = datasets.get(d.source).name
    series = datasets.get(d.source).kind == "series" or d.params.get("mode") == "series"
    sklearn = source in ("iris", "wine", "breast_cancer", "diabetes", "digits", "moons", "circles", "blobs")
    header = f'''#!/usr/bin/env python3
"""Reproduce a Keras Studio run (its title is TITLE, below) with plain Keras 3.

Generated by Keras Studio {__version__} from the run spec (below, for reference). It needs keras, numpy{
", scikit-learn" if sklearn else ""}{
", Pillow" if source == "image_folder" else ""}
and a backend; choose one with KERAS_BACKEND (tensorflow, torch or jax). Usage:

    KERAS_BACKEND={t.backend} python {slug}.py [--epochs N] [--save {slug}.keras] [--describe layers.json]
"""

import argparse
import json
import math
import os

os.environ.setdefault("KERAS_BACKEND", {t.backend!r})

import keras  # noqa: E402
import numpy as np  # noqa: E402

# ---------------------------------------------------------------------------------------------- settings
TITLE = {spec.meta.title!r}
SEED = {t.seed!r}
EPOCHS = {t.epochs!r}
BATCH_SIZE = {t.batch_size!r}  # None: the whole training set in one batch
SHUFFLE = {d.shuffle!r}
VALIDATION_SPLIT = {d.validation_split!r}
TEST_SPLIT = {d.test_split!r}
NORMALIZE = {d.normalize!r}
LOSS = {t.loss!r}
METRICS = {list(t.metrics)!r}
LABEL_SMOOTHING = {spec.regularization.label_smoothing!r}
SAVE_AS = {slug + ".keras"!r}
INITIAL_MODEL = {t.initial_model!r}  # None: new weights; else the run continued from this model's weights
'''
    parts = [
        header,
        "\n# ---------------------------------------------------------------------------------------------- data",
        _data_code(spec),
        _CSV_READER.strip("\n") + "\n" if source == "csv" and not series else "",
        _SERIES.strip("\n") + "\n" if series else "",
        _SERIES_CSV.strip("\n") + "\n" if source == "csv" and series else "",
        _IMAGE_FOLDER.strip("\n") + "\n" if source == "image_folder" else "",
        "\n# ---------------------------------------------------------------------------------------------- model",
        model_code(spec) + "\n",
        "\n# ---------------------------------------------------------------------------------------------- training",
        _schedule_code(spec) + "\n\n",
        _optimizer_code(spec) + "\n\n",
        _callbacks_code(spec) + "\n",
        _COMMON,
        "\n# The run spec this script was generated from:\n"
        + "\n".join("# " + line for line in json.dumps(spec.to_dict(), indent=1, ensure_ascii=True).splitlines())
        + "\n",
        '\nif __name__ == "__main__":\n    main()\n',
    ]
    return "\n".join(p for p in parts if p)
