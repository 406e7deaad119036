"""Evaluation figures: what a trained model's predictions say about it.

Keras-free (the GUI and the command line may import it); the engine calls it with the model's outputs. The
figures are scikit-learn's (`sklearn.metrics`, imported on first use: the window only reads results); this module
turns raw model outputs into what those functions take and packs their answers for evaluation.json.

Classification: confusion matrix, accuracy, per-class and macro precision / recall / F1, one-vs-rest ROC
curves and their AUC, and the worst mistakes (wrong answers given with the most confidence).
Regression and series: MSE, RMSE, MAE, R² and the same errors of a naive baseline (the training mean for a
table, "the next value equals the last one seen" for a series).
"""

from __future__ import annotations

import csv
import io
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np


# ------------------------------------------------------------------------------------------- scores
def to_probabilities(outputs: np.ndarray, num_classes: int) -> np.ndarray:
    """Model outputs as an (n, K) matrix of class probabilities.

    A single sigmoid unit becomes [1 - p, p]; outputs that are not already probabilities (logits from a
    linear head) go through a sigmoid (one unit) or a softmax (K units).
    """
    out = np.asarray(outputs, dtype=np.float64)
    if out.ndim == 1:
        out = out[:, None]
    if out.ndim != 2:
        raise ValueError(f"expected one score vector per sample, received outputs of shape {out.shape}")
    if out.shape[1] == 1:
        p = out[:, 0]
        if p.min(initial=0.0) < 0 or p.max(initial=1.0) > 1:
            p = 1.0 / (1.0 + np.exp(-p))
        return np.stack([1 - p, p], axis=1)
    if out.shape[1] != num_classes:
        raise ValueError(f"the model outputs {out.shape[1]} scores per sample but the data has {num_classes} classes")
    sums = out.sum(axis=1)
    if out.min(initial=0.0) < 0 or not np.allclose(sums, 1.0, atol=1e-3):
        z = out - out.max(axis=1, keepdims=True)
        e = np.exp(z)
        out = e / e.sum(axis=1, keepdims=True)
    return out


def roc_curve(y_true: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """False- and true-positive rates at every distinct threshold (highest first); NaN rates where a class is
    absent (a class missing from the split still gets its, empty, curve)."""
    from sklearn.exceptions import UndefinedMetricWarning
    from sklearn.metrics import roc_curve as sk_roc_curve

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        fpr, tpr, _ = sk_roc_curve(np.asarray(y_true).astype(bool).ravel(),
                                   np.asarray(scores, dtype=np.float64).ravel(), drop_intermediate=False)
    return fpr, tpr


def roc_auc(y_true: np.ndarray, scores: np.ndarray) -> float:
    """ROC-AUC of a binary problem; NaN when only one class is present."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y_true).astype(bool).ravel()
    if y.all() or not y.any():
        return math.nan
    return float(roc_auc_score(y, np.asarray(scores, dtype=np.float64).ravel()))


# ------------------------------------------------------------------------------------------- results
@dataclass
class ClassificationResult:
    class_names: list[str]
    confusion: np.ndarray
    accuracy: float
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    macro: dict[str, float]
    weighted: dict[str, float]
    auc_per_class: np.ndarray
    roc_auc: float  # binary: of the positive class; multi-class: macro one-vs-rest over classes present
    roc: list[tuple[np.ndarray, np.ndarray]]  # per class (fpr, tpr); binary: one curve, the positive class
    y_true: np.ndarray
    y_pred: np.ndarray
    probabilities: np.ndarray
    worst: np.ndarray  # indices of the most confident mistakes, worst first

    def metrics(self) -> dict[str, float]:
        out = {"accuracy": self.accuracy, "precision_macro": self.macro["precision"],
               "recall_macro": self.macro["recall"], "f1_macro": self.macro["f1"],
               "precision_weighted": self.weighted["precision"], "recall_weighted": self.weighted["recall"],
               "f1_weighted": self.weighted["f1"], "roc_auc": self.roc_auc}
        return out

    def per_class(self) -> list[dict[str, Any]]:
        return [{"class": name, "precision": float(self.precision[i]), "recall": float(self.recall[i]),
                 "f1": float(self.f1[i]), "support": int(self.support[i]), "roc_auc": float(self.auc_per_class[i])}
                for i, name in enumerate(self.class_names)]


def evaluate_classification(y_true: np.ndarray, outputs: np.ndarray, class_names: list[str],
                            worst_k: int = 16) -> ClassificationResult:
    """Every classification figure from the true labels and the model's raw outputs."""
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    k = len(class_names)
    if k < 2:
        raise ValueError("classification needs at least two classes")
    y_true = np.asarray(y_true).astype(np.int64).ravel()
    if len(y_true) == 0:
        raise ValueError("there are no samples to evaluate")
    probs = to_probabilities(outputs, k)
    if len(probs) != len(y_true):
        raise ValueError(f"{len(probs)} predictions for {len(y_true)} targets")
    y_pred = probs.argmax(axis=1)
    labels = np.arange(k)  # every class, also one absent from this split (its scores are 0, as zero_division says)
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)

    def averaged(average: str) -> dict[str, float]:
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=average, zero_division=0)
        return {"precision": float(p), "recall": float(r), "f1": float(f)}

    present = support > 0
    if k == 2:
        fpr, tpr = roc_curve(y_true == 1, probs[:, 1])
        binary_auc = roc_auc(y_true == 1, probs[:, 1])
        aucs = np.array([binary_auc, binary_auc])
        roc = [(fpr, tpr)]
        overall = binary_auc
    else:
        aucs = np.full(k, np.nan)
        roc = []
        for c in range(k):
            fpr, tpr = roc_curve(y_true == c, probs[:, c])
            roc.append((fpr, tpr))
            aucs[c] = roc_auc(y_true == c, probs[:, c])
        valid = aucs[present & ~np.isnan(aucs)]
        overall = float(valid.mean()) if len(valid) else math.nan
    return ClassificationResult(class_names=list(class_names), confusion=cm,
                                accuracy=float(accuracy_score(y_true, y_pred)),
                                precision=precision, recall=recall, f1=f1, support=support,
                                macro=averaged("macro"), weighted=averaged("weighted"),
                                auc_per_class=aucs, roc_auc=float(overall), roc=roc,
                                y_true=y_true, y_pred=y_pred, probabilities=probs,
                                worst=worst_mistakes(y_true, probs, worst_k))


def worst_mistakes(y_true: np.ndarray, probs: np.ndarray, k: int = 16) -> np.ndarray:
    """Indices of wrongly classified samples, the lowest probability given to the true class first."""
    y_true = np.asarray(y_true).astype(np.int64)
    wrong = np.flatnonzero(probs.argmax(axis=1) != y_true)
    if len(wrong) == 0:
        return wrong
    true_p = probs[wrong, y_true[wrong]]
    return wrong[np.argsort(true_p, kind="stable")][:k]


@dataclass
class RegressionResult:
    mse: float
    rmse: float
    mae: float
    r2: float
    baseline: dict[str, float]
    baseline_name: str
    y_true: np.ndarray
    y_pred: np.ndarray
    y_baseline: np.ndarray
    worst: np.ndarray

    def metrics(self) -> dict[str, float]:
        out = {"mse": self.mse, "rmse": self.rmse, "mae": self.mae, "r2": self.r2}
        out.update({f"baseline_{k}": v for k, v in self.baseline.items()})
        return out


def errors(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    y_true = np.asarray(y_true, dtype=np.float64).reshape(len(y_true), -1)
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(len(y_pred), -1)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"predictions of shape {y_pred.shape} do not match targets of shape {y_true.shape}")
    mse = float(mean_squared_error(y_true, y_pred))
    # R² of all outputs pooled (1 - total residual / total variance); undefined for constant targets
    constant = not np.any(y_true != y_true[:1])
    r2 = math.nan if constant else float(r2_score(y_true, y_pred, multioutput="variance_weighted"))
    return {"mse": mse, "rmse": math.sqrt(mse), "mae": float(mean_absolute_error(y_true, y_pred)), "r2": r2}


def naive_baseline(y_train: np.ndarray, n: int, last_values: np.ndarray | None = None) -> tuple[np.ndarray, str]:
    """The naive forecast: the last value of each window (series) or the training mean (tables)."""
    if last_values is not None:
        return np.asarray(last_values, dtype=np.float64).reshape(n, -1), "last value (persistence)"
    mean = np.asarray(y_train, dtype=np.float64).reshape(len(y_train), -1).mean(axis=0)
    return np.tile(mean, (n, 1)), "training mean"


def evaluate_regression(y_true: np.ndarray, y_pred: np.ndarray, y_train: np.ndarray,
                        last_values: np.ndarray | None = None, worst_k: int = 16) -> RegressionResult:
    y_true = np.asarray(y_true, dtype=np.float64)
    if len(y_true) == 0:
        raise ValueError("there are no samples to evaluate")
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(y_true.shape if y_true.ndim > 1 else (len(y_true), -1))
    if y_true.ndim == 1 and y_pred.size == len(y_true):  # one output column
        y_pred = y_pred[:, 0]
    e = errors(y_true, y_pred)
    base, base_name = naive_baseline(y_train, len(y_true), last_values)
    base = base.reshape(y_true.shape) if base.size == y_true.size else base
    b = errors(y_true, base)
    abs_err = np.abs(y_pred - y_true).reshape(len(y_true), -1).sum(axis=1)
    worst = np.argsort(-abs_err, kind="stable")[:worst_k]
    return RegressionResult(mse=e["mse"], rmse=e["rmse"], mae=e["mae"], r2=e["r2"],
                            baseline={k: b[k] for k in ("mse", "rmse", "mae")}, baseline_name=base_name,
                            y_true=y_true, y_pred=y_pred, y_baseline=base, worst=worst)


# ------------------------------------------------------------------------------------------- series
def forecast(predict, series: np.ndarray, window: int, horizon: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Continue a series past its end with the model: (time indices, predicted values).

    `predict` maps an (n, window) batch of raw windows to the n values `horizon` steps after each (the
    caller scales inputs and un-scales outputs). With horizon 1 the model feeds on its own predictions step
    by step; with horizon h the last h windows of real data give the next h values directly.
    """
    series = np.asarray(series, dtype=np.float64).ravel()
    n = len(series)
    if n < window:
        raise ValueError(f"the series has {n} steps, fewer than the window of {window}")
    if horizon > 1:
        starts = np.arange(n - window - horizon + 1, n - window + 1)
        starts = starts[starts >= 0]
        batch = np.stack([series[s:s + window] for s in starts])
        values = np.asarray(predict(batch), dtype=np.float64).reshape(len(starts), -1)[:, 0]
        times = starts + window + horizon - 1
        keep = times >= n
        return times[keep], values[keep]
    buf = list(series[-window:])
    out = []
    for _ in range(steps):
        v = float(np.asarray(predict(np.asarray(buf[-window:])[None, :])).reshape(-1)[0])
        out.append(v)
        buf.append(v)
    return np.arange(n, n + steps), np.asarray(out)


# ------------------------------------------------------------------------------------------- output
def metrics_rows(evaluation: dict[str, Any]) -> list[tuple[str, str, float]]:
    """(scope, metric, value) rows of an evaluation.json document: overall first, then per class."""
    rows = [("overall", k, v) for k, v in evaluation.get("metrics", {}).items()]
    for c in evaluation.get("per_class", []):
        for key in ("precision", "recall", "f1", "support", "roc_auc"):
            rows.append((f"class {c['class']}", key, c[key]))
    return rows


def metrics_csv(evaluation: dict[str, Any]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["scope", "metric", "value"])
    for scope, name, value in metrics_rows(evaluation):
        w.writerow([scope, name, "" if value is None else value])
    return buf.getvalue()


def format_table(evaluation: dict[str, Any]) -> str:
    """The metrics as aligned text (the command line's view)."""
    def fmt(v: Any) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "—"
        return f"{v:.4f}" if isinstance(v, float) else str(v)

    lines = [f"{evaluation.get('task', '')} on the {evaluation.get('split', '?')} split "
             f"({evaluation.get('samples', 0):,} samples, model {evaluation.get('model', '?')}, "
             f"{evaluation.get('backend', '?')})"]
    metrics = evaluation.get("metrics", {})
    width = max((len(k) for k in metrics), default=8)
    for k, v in metrics.items():
        lines.append(f"  {k:<{width}}  {fmt(v)}")
    per_class = evaluation.get("per_class", [])
    if per_class:
        cw = max(5, max(len(str(c["class"])) for c in per_class))
        lines.append("")
        lines.append(f"  {'class':<{cw}}  precision  recall     f1         roc_auc    support")
        for c in per_class:
            lines.append(f"  {str(c['class']):<{cw}}  {fmt(c['precision']):<9}  {fmt(c['recall']):<9}  "
                         f"{fmt(c['f1']):<9}  {fmt(c['roc_auc']):<9}  {c['support']}")
    cm = evaluation.get("confusion")
    if cm and len(cm) <= 12:
        lines.append("")
        lines.append("  confusion matrix (rows: true, columns: predicted)")
        w = max(len(str(v)) for row in cm for v in row) + 1
        for row in cm:
            lines.append("  " + "".join(str(v).rjust(w) for v in row))
    return "\n".join(lines)
