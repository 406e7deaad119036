"""The one-line result of a finished run ("test accuracy 98.9 % · val loss 0.034 · 5× better than the naive
baseline · 42 s on jax/cpu"), from its summary.json and evaluation.json. No Qt: the window shows it, tests read it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.core.run_files import integer, mapping, number, text
from studio.core.runs import SUMMARY_FILE, read_json

EVALUATION_FILE = "evaluation.json"
SPLIT_WORDS = {"test": "test", "validation": "val", "train": "train"}


def _number(value: float) -> str:
    """Three significant digits, no exponent for everyday sizes: 0.034, 1.25, 2,310."""
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) < 1e-3:
        return f"{value:.2e}"
    return f"{value:.3g}"


def _duration(seconds: float) -> str:
    seconds = max(float(seconds), 0.0)
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    m, s = divmod(int(round(seconds)), 60)
    if m < 60:
        return f"{m} min {s} s" if s else f"{m} min"
    h, m = divmod(m, 60)
    return f"{h} h {m} min"


SAME_AS_GUESSING = 0.05  # errors within 5 % of the naive baseline's: no gain worth a factor


def _ratio(factor: float) -> str:
    return f"{factor:.0f}×" if factor >= 10 else f"{factor:.1f}×".replace(".0×", "×")


def _baseline(summary: dict[str, Any], evaluation: dict[str, Any]) -> str:
    """How the model compares with guessing: the most frequent class, or the training mean / last value."""
    metrics = {k: f for k, v in mapping(evaluation.get("metrics")).items() if (f := number(v)) is not None}
    task = text(evaluation.get("task")) or text(summary.get("task"))
    per_class = evaluation.get("per_class")
    if task == "classification" and "accuracy" in metrics and isinstance(per_class, list) and per_class:
        support = [number(mapping(c).get("support")) or 0.0 for c in per_class]
        if sum(support) <= 0:
            return ""
        naive_error = 1 - max(support) / sum(support)  # always answer the most frequent class
        error = 1 - metrics["accuracy"]
    elif "mse" in metrics and "baseline_mse" in metrics:
        naive_error, error = metrics["baseline_mse"], metrics["mse"]
    else:
        return ""
    if naive_error <= 0:
        return ""
    if error <= 0:
        return "no errors (the naive baseline errs on " + (
            f"{100 * naive_error:.0f} %)" if task == "classification" else f"mse {_number(naive_error)})")
    factor = naive_error / error
    if abs(factor - 1) < SAME_AS_GUESSING:  # "1× better" would praise a model that learnt nothing
        return "no better than the naive baseline (" + (
            "it errs as often as always answering the most frequent class)" if task == "classification"
            else "its mse is the naive guess's: the training mean, or a series' last value)")
    if factor >= 1:
        return f"{_ratio(factor)} better than the naive baseline"
    return f"{_ratio(1 / factor)} worse than the naive baseline"


def _figures(summary: dict[str, Any], split: str) -> dict[str, float]:
    """One split's finite figures of a summary read from disk (anything else in it is left out)."""
    found = mapping(mapping(summary.get("metrics")).get(split))
    return {k: f for k, v in found.items() if (f := number(v)) is not None}


def _main_metric(summary: dict[str, Any]) -> str:
    for split in ("test", "validation", "train"):
        m = _figures(summary, split)
        if not m:
            continue
        word = SPLIT_WORDS[split]
        if "accuracy" in m:
            return f"{word} accuracy {100 * m['accuracy']:.1f} %"
        for key in ("mae", "mean_absolute_error", "loss"):
            if key in m:
                return f"{word} {key} {_number(m[key])}"
    return ""


def headline(summary: dict[str, Any], evaluation: dict[str, Any] | None = None) -> str:
    """The line shown above a finished run's curves; "" when the run left no summary."""
    if not isinstance(summary, dict) or not summary:
        return ""
    parts = [_main_metric(summary)]
    val = _figures(summary, "validation")
    if "loss" in val:
        parts.append(f"val loss {_number(val['loss'])}")
    parts.append(_baseline(summary, mapping(evaluation)))
    seconds = number(summary.get("seconds"))
    where = "/".join(x for x in (text(summary.get("backend")), text(summary.get("device"))) if x)
    if seconds is not None:
        parts.append(f"{_duration(seconds)} on {where}" if where else _duration(seconds))
    if summary.get("stopped_early") is True:
        parts.append(f"stopped early after {integer(summary.get('epochs_run'))} of "
                     f"{integer(summary.get('epochs_planned'))} epochs")
    return " · ".join(p for p in parts if p)


def run_headline(run_dir: str | Path) -> str:
    run_dir = Path(run_dir)
    return headline(mapping(read_json(run_dir / SUMMARY_FILE, {})), mapping(read_json(run_dir / EVALUATION_FILE, {})))
