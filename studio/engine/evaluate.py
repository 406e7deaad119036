"""Evaluate a trained model on its data: predictions → the figures of `studio.data.evaluation` → files.

Runs inside a child process whose backend is already chosen (`evaluate_worker`). Writes, atomically, next
to the model:

    evaluation.json   the metrics, per-class table, confusion matrix, what was evaluated and how
    evaluation.npz    the arrays the plots need: targets, predictions, probabilities, ROC points, the worst
                      mistakes' inputs, the series and its forecast

A model other than `model.keras` writes `evaluation-<stem>.json` / `.npz` instead, so evaluating
best.keras never overwrites the final model's results.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import keras
import numpy as np

from studio.core.runs import write_json_atomic
from studio.core.spec import RunSpec
from studio.data import evaluation as E  # noqa: N812 - short, like np
from studio.data.dataset import Dataset, DataError
from studio.data.keras_files import keras_file_problem
from studio.data.loaders import load
from studio.engine import keras_data
from studio.engine.build import split_inputs

EVALUATION_VERSION = 1


class EvaluationError(ValueError):
    """Evaluation that cannot be done, with a message that says why and what to do."""


def output_names(model_path: str | Path) -> tuple[str, str]:
    stem = Path(model_path).name.removesuffix(".keras")
    base = "evaluation" if stem == "model" else f"evaluation-{stem}"
    return f"{base}.json", f"{base}.npz"


UNSAFE_PARTS = (  # (words of Keras's safe-mode refusal, what the model holds), first match wins
    ("`TFSMLayer`", "holds a TFSMLayer, which loads an external TensorFlow SavedModel (its graph can run code),"),
    ("`torch.nn.Module`", "holds a pickled PyTorch module (a TorchModuleWrapper, whose loading can run code),"),
    ("vocabulary file outside", "reads a vocabulary file from outside the archive,"),
    ("`Lambda` layer", "holds Python code (a Lambda layer)"),
    ("Python lambda", "holds Python code (a lambda)"),
)


def unsafe_part(keras_message: str) -> str:
    """What a model that safe mode refuses holds, from Keras's refusal (whose advice, to turn safe mode off,
    is not passed on)."""
    for words, part in UNSAFE_PARTS:
        if words in keras_message:
            return part
    return "holds an object that can run code"


def load_model(path: str | Path, code: tuple[str, str] | None = None):
    """keras.saving.load_model in safe mode (no arbitrary code), with friendly errors.

    A model trained with the user's own optimizer opens only with `code`, (file, class name) of a file this
    child was granted (`studio.engine.custom_optimizer`), whose class is then its custom object."""
    path = Path(path)
    if not path.is_file():
        raise EvaluationError(f"model file not found: {path}; train the run first or give an existing .keras file")
    if path.suffix != ".keras":
        raise EvaluationError(f"{path.name} is not a .keras file; Keras Studio opens models saved in the .keras format")
    if problem := keras_file_problem(path):  # Keras says "File not found" for a file that is not a zip
        raise EvaluationError(problem)
    custom_objects = _custom_objects(path, code)
    try:
        return keras.saving.load_model(str(path), safe_mode=True, compile=False, custom_objects=custom_objects)
    except ValueError as exc:
        text = str(exc)
        if "safe_mode" in text or "lambda" in text.lower():
            raise EvaluationError(f"{path.name} {unsafe_part(text)} that safe mode will not load; Keras Studio "
                                  "only opens models without arbitrary code") from None
        first = text.splitlines()[0] if text else type(exc).__name__
        raise EvaluationError(f"cannot open {path.name}: {first}") from None
    except Exception as exc:  # noqa: BLE001 - zip, h5 and deserialisation errors of every kind
        raise EvaluationError(f"cannot open {path.name} ({type(exc).__name__}: {exc}); is it a complete .keras "
                              "file saved by Keras 3?") from None


def _custom_objects(path: Path, code: tuple[str, str] | None) -> dict[str, Any] | None:
    from studio.core.custom_code import CodeRefusedError, refusal
    from studio.engine import custom_optimizer

    registered = custom_optimizer.saved_optimizer(path)
    if registered is None:
        return None
    class_name = registered.split(">")[-1]
    if code is None or code[1] != class_name:
        raise EvaluationError(f"{path.name} was trained with your own optimizer `{class_name}`, code that is not "
                              "in the file: Keras Studio opens it only with the optimizer's .py file from its run "
                              "spec (optimizer.path), allowed (--allow-code, or trust its folder in the app)")
    try:
        return {registered: custom_optimizer.load_class(*code)}
    except (CodeRefusedError, custom_optimizer.CustomCodeError) as exc:
        message = f"{path.name}: {refusal(code[0])}" if isinstance(exc, CodeRefusedError) else \
            f"{path.name} was trained with your own optimizer `{class_name}`: {exc}"
        raise EvaluationError(message) from None


def user_optimizer(spec: RunSpec | None) -> tuple[str, str] | None:
    """(file, class name) of the spec's own optimizer, None for Keras' own."""
    opt = spec.optimizer if spec is not None else None
    return (opt.path, opt.class_name) if opt and opt.name == "custom" and opt.path and opt.class_name else None


def load_data(spec: RunSpec) -> Dataset:
    return load(spec.data, spec.training.seed, keras_loader=keras_data.load)


def pick_split(ds: Dataset, split: str = "auto") -> tuple[str, np.ndarray, np.ndarray]:
    splits = {"test": (ds.x_test, ds.y_test), "validation": (ds.x_val, ds.y_val), "train": (ds.x_train, ds.y_train)}
    if split == "auto":
        for name, (x, y) in splits.items():
            if x is not None and len(x):
                return name, np.asarray(x), np.asarray(y)
    if split not in splits:
        raise EvaluationError(f"unknown split `{split}`; choose auto, test, validation or train")
    x, y = splits[split]
    if x is None or not len(x):
        raise EvaluationError(f"the data has no {split} split; set data.{split}_split in the spec or choose another")
    return split, np.asarray(x), np.asarray(y)


def offset_of(ds: Dataset, split: str) -> int:
    """Index of a split's first window among all windows of a series (splits of a series are in order)."""
    n_train, n_val, n_test = ds.sizes()
    return {"train": 0, "validation": n_train, "test": n_train + n_val}[split]


def check_fits(model, x: np.ndarray) -> None:
    if len(model.inputs) != 1:
        widths = [t.shape[-1] for t in model.inputs]
        if x.ndim != 2 or any(len(t.shape) != 2 for t in model.inputs) or sum(w or 0 for w in widths) != x.shape[1]:
            raise EvaluationError(f"the model's {len(widths)} inputs take {widths} columns but the data has "
                                  f"samples of shape {tuple(x.shape[1:])}")
        return
    want = tuple(model.inputs[0].shape[1:])
    have = tuple(x.shape[1:])
    if len(want) != len(have) or any(w is not None and w != h for w, h in zip(want, have, strict=True)):
        raise EvaluationError(f"the model takes samples of shape {want} but the data has {have}; "
                              "open the model with the spec it was trained on")


def predict(model, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    out = model.predict(split_inputs(model, x), batch_size=batch_size, verbose=0)
    if isinstance(out, (list, tuple, dict)):
        raise EvaluationError("the model has several outputs; evaluation handles one-output models")
    return np.asarray(out)


class SeriesScale:
    """How a series' windows and targets were scaled for the model, to map both ways."""

    def __init__(self, ds: Dataset):
        norm = ds.extra.get("normalization") or {}
        self.shift = float(np.ravel(norm.get("shift", [0.0]))[0])
        self.scale = float(np.ravel(norm.get("scale", [1.0]))[0])
        target = ds.extra.get("target_scale")
        self.y_shift = float(target["shift"]) if target else 0.0
        self.y_scale = float(target["scale"]) if target else 1.0
        self.relative = bool(ds.extra.get("relative"))

    def inputs(self, windows: np.ndarray) -> np.ndarray:
        """Raw (n, window) windows → the model's (n, window, 1) inputs."""
        w = np.asarray(windows, dtype=np.float64)
        if self.relative:
            w = w - w[:, -1:]
        return ((w - self.shift) / self.scale).astype(np.float32)[..., None]

    def values(self, outputs: np.ndarray, last: np.ndarray) -> np.ndarray:
        """The model's outputs → values in the series' own units."""
        v = np.asarray(outputs, dtype=np.float64).reshape(len(last), -1)[:, 0] * self.y_scale + self.y_shift
        return v + last if self.relative else v


def _save_npz(path: Path, arrays: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".npz", dir=path.parent)
    os.close(fd)
    try:
        np.savez_compressed(tmp, **arrays)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would differ from the run's other files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _clean(v: Any) -> Any:
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


def evaluate(model_path: str | Path, spec: RunSpec, out_dir: str | Path | None = None, split: str = "auto",
             worst_k: int = 16, forecast_steps: int | None = None, model=None,
             ds: Dataset | None = None) -> dict[str, Any]:
    """Evaluate the model at `model_path` on the spec's data; write and return the evaluation document."""
    t0 = time.perf_counter()
    model_path = Path(model_path)
    out_dir = Path(out_dir) if out_dir else model_path.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    model = model if model is not None else load_model(model_path, user_optimizer(spec))
    try:
        ds = ds if ds is not None else load_data(spec)
    except DataError as exc:
        raise EvaluationError(f"data: {exc}") from None
    split_name, x, y = pick_split(ds, split)
    check_fits(model, x)
    outputs = predict(model, x)
    arrays: dict[str, np.ndarray] = {}
    doc: dict[str, Any] = {
        "version": EVALUATION_VERSION, "created": time.time(), "model": model_path.name,
        "model_path": str(model_path.resolve()), "backend": keras.config.backend(), "task": ds.task,
        "kind": ds.kind, "split": split_name, "samples": int(len(x)), "class_names": list(ds.class_names),
        "feature_names": list(ds.feature_names), "input_shape": list(ds.input_shape),
        "title": spec.meta.title,
    }
    r: E.ClassificationResult | E.RegressionResult
    if ds.task == "classification":
        r = E.evaluate_classification(y, outputs, ds.class_names, worst_k)
        doc["metrics"] = {k: _clean(v) for k, v in r.metrics().items()}
        doc["per_class"] = [{k: _clean(v) for k, v in row.items()} for row in r.per_class()]
        doc["confusion"] = r.confusion.tolist()
        arrays.update(y_true=r.y_true, y_pred=r.y_pred, probabilities=r.probabilities.astype(np.float32))
        for i, (fpr, tpr) in enumerate(r.roc):
            arrays[f"roc_fpr_{i}"] = fpr.astype(np.float32)
            arrays[f"roc_tpr_{i}"] = tpr.astype(np.float32)
        doc["roc_curves"] = ([ds.class_names[1]] if len(ds.class_names) == 2 else list(ds.class_names))
    elif ds.kind == "series" and "series" in ds.extra:
        series = np.asarray(ds.extra["series"], dtype=np.float64)
        window, horizon = int(ds.extra["window"]), int(ds.extra["horizon"])
        sc = SeriesScale(ds)
        first = offset_of(ds, split_name)
        idx = first + np.arange(len(x))
        last = series[idx + window - 1]
        truth = series[idx + window + horizon - 1]
        if not np.allclose(sc.values(y, last), truth, rtol=1e-4, atol=1e-4 * (1 + np.abs(truth).max())):
            raise EvaluationError("the series' targets could not be mapped back to the series (the data layout "
                                  "changed); evaluation of this series is not possible with this version")
        r = E.evaluate_regression(truth, sc.values(outputs, last), ds.y_train, last_values=last, worst_k=worst_k)
        doc["metrics"] = {k: _clean(v) for k, v in r.metrics().items()}
        doc["baseline"] = r.baseline_name
        doc["units"] = "the series' own units"
        doc["target_scale"] = {"shift": sc.y_shift, "scale": sc.y_scale, "relative": sc.relative}
        steps = forecast_steps or max(window, 20)

        def predict_raw(windows: np.ndarray) -> np.ndarray:
            out = keras.ops.convert_to_numpy(model(sc.inputs(windows), training=False))
            return sc.values(out, np.asarray(windows, dtype=np.float64)[:, -1])

        t, v = E.forecast(predict_raw, series, window, horizon, steps)
        arrays.update(y_true=truth.astype(np.float32), y_pred=np.asarray(r.y_pred, np.float32),
                      y_baseline=np.asarray(r.y_baseline, np.float32).ravel(), series=series.astype(np.float32),
                      split_t=(idx + window + horizon - 1).astype(np.int64), forecast_t=t.astype(np.int64),
                      forecast_v=v.astype(np.float32))
        doc["series"] = {"length": int(len(series)), "window": window, "horizon": horizon,
                         "forecast_steps": int(len(t)), "name": ds.extra.get("series_name", "value")}
    else:
        r = E.evaluate_regression(y, outputs, ds.y_train, worst_k=worst_k)
        doc["metrics"] = {k: _clean(v) for k, v in r.metrics().items()}
        doc["baseline"] = r.baseline_name
        arrays.update(y_true=np.asarray(r.y_true, np.float32), y_pred=np.asarray(r.y_pred, np.float32),
                      y_baseline=np.asarray(r.y_baseline, np.float32))
    worst = np.asarray(r.worst, dtype=np.int64)
    arrays["worst_index"] = worst
    arrays["worst_x"] = np.asarray(x[worst], dtype=np.float32) if len(worst) else np.zeros((0,) + x.shape[1:],
                                                                                          np.float32)
    doc["worst"] = worst.tolist()
    doc["seconds"] = time.perf_counter() - t0
    json_name, npz_name = output_names(model_path)
    doc["arrays"] = npz_name
    _save_npz(out_dir / npz_name, arrays)
    write_json_atomic(out_dir / json_name, doc)
    doc["path"] = str(out_dir / json_name)
    return doc
