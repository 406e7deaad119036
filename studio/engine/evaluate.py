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
from studio.data import evaluation as E
from studio.data.dataset import Dataset, DataError
from studio.data.loaders import load
from studio.engine import keras_data

EVALUATION_VERSION = 1


class EvaluationError(ValueError):
    """Evaluation that cannot be done, with a message that says why and what to do."""


def output_names(model_path: str | Path) -> tuple[str, str]:
    stem = Path(model_path).name.removesuffix(".keras")
    base = "evaluation" if stem == "model" else f"evaluation-{stem}"
    return f"{base}.json", f"{base}.npz"


def load_model(path: str | Path):
    """keras.saving.load_model in safe mode (no arbitrary code), with friendly errors."""
    path = Path(path)
    if not path.is_file():
        raise EvaluationError(f"model file not found: {path}; train the run first or give an existing .keras file")
    if path.suffix != ".keras":
        raise EvaluationError(f"{path.name} is not a .keras file; Keras Studio opens models saved in the .keras format")
    try:
        return keras.saving.load_model(str(path), safe_mode=True, compile=False)
    except ValueError as exc:
        text = str(exc)
        if "safe_mode" in text or "lambda" in text.lower():
            raise EvaluationError(f"{path.name} holds Python code (a Lambda layer) that safe mode will not run; "
                                  "Keras Studio only opens models without arbitrary code") from None
        raise EvaluationError(f"cannot open {path.name}: {text.splitlines()[0] if text else type(exc).__name__}") from None
    except Exception as exc:  # noqa: BLE001 - zip, h5 and deserialisation errors of every kind
        raise EvaluationError(f"cannot open {path.name} ({type(exc).__name__}: {exc}); is it a complete .keras "
                              "file saved by Keras 3?") from None


def load_data(spec: RunSpec) -> Dataset:
    return load(spec.data, spec.training.seed, keras_loader=keras_data.load)


def pick_split(ds: Dataset, split: str = "auto") -> tuple[str, np.ndarray, np.ndarray]:
    splits = {"test": (ds.x_test, ds.y_test), "validation": (ds.x_val, ds.y_val), "train": (ds.x_train, ds.y_train)}
    if split == "auto":
        for name, (x, y) in splits.items():
            if x is not None and len(x):
                return name, x, y
    if split not in splits:
        raise EvaluationError(f"unknown split `{split}`; choose auto, test, validation or train")
    x, y = splits[split]
    if x is None or not len(x):
        raise EvaluationError(f"the data has no {split} split; set data.{split}_split in the spec or choose another")
    return split, x, y


def check_fits(model, x: np.ndarray) -> None:
    if len(model.inputs) != 1:
        raise EvaluationError(f"the model takes {len(model.inputs)} inputs; evaluation handles one-input models")
    want = tuple(model.inputs[0].shape[1:])
    have = tuple(x.shape[1:])
    if len(want) != len(have) or any(w is not None and w != h for w, h in zip(want, have)):
        raise EvaluationError(f"the model takes samples of shape {want} but the data has {have}; "
                              "open the model with the spec it was trained on")


def predict(model, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    out = model.predict(x, batch_size=batch_size, verbose=0)
    if isinstance(out, (list, tuple, dict)):
        raise EvaluationError("the model has several outputs; evaluation handles one-output models")
    return np.asarray(out)


def _normalization(ds: Dataset) -> tuple[float, float]:
    norm = ds.extra.get("normalization")
    if not norm:
        return 0.0, 1.0
    return float(np.ravel(norm["shift"])[0]), float(np.ravel(norm["scale"])[0])


def _save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".npz", dir=path.parent)
    os.close(fd)
    try:
        np.savez_compressed(tmp, **arrays)
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
    model = model if model is not None else load_model(model_path)
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
    else:
        last = None
        shift, scale = _normalization(ds)
        if ds.kind == "series" and x.ndim == 3:
            last = x[:, -1, 0].astype(np.float64) * scale + shift
        r = E.evaluate_regression(y, outputs, ds.y_train, last_values=last, worst_k=worst_k)
        doc["metrics"] = {k: _clean(v) for k, v in r.metrics().items()}
        doc["baseline"] = r.baseline_name
        arrays.update(y_true=np.asarray(r.y_true, np.float32), y_pred=np.asarray(r.y_pred, np.float32),
                      y_baseline=np.asarray(r.y_baseline, np.float32))
        if ds.kind == "series" and "series" in ds.extra:
            series = np.asarray(ds.extra["series"], dtype=np.float64)
            window, horizon = int(ds.extra["window"]), int(ds.extra["horizon"])
            steps = forecast_steps or max(window, 20)
            t, v = E.forecast(lambda b: predict(model, b), series, window, horizon, steps, shift, scale)
            arrays.update(series=series.astype(np.float32), forecast_t=t.astype(np.int64),
                          forecast_v=v.astype(np.float32))
            # where the evaluated windows' targets sit on the series (the held-out windows are the last ones)
            if split_name == "test":
                arrays["split_t"] = np.arange(len(series) - len(x), len(series))
            doc["series"] = {"length": int(len(series)), "window": window, "horizon": horizon,
                             "forecast_steps": int(len(t))}
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
