"""The evaluation figures agree with scikit-learn's on the same predictions."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from sklearn import metrics as skm

from studio.data import evaluation as E  # noqa: N812 - short, like np


def _multiclass(seed: int, n: int = 300, k: int = 4):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[y]  # informative but imperfect
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return y, probs


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_multiclass_figures_match_sklearn(seed):
    y, probs = _multiclass(seed)
    names = ["a", "b", "c", "d"]
    r = E.evaluate_classification(y, probs, names)
    pred = probs.argmax(axis=1)
    assert r.accuracy == pytest.approx(skm.accuracy_score(y, pred))
    np.testing.assert_array_equal(r.confusion, skm.confusion_matrix(y, pred, labels=range(4)))
    p, rc, f, s = skm.precision_recall_fscore_support(y, pred, labels=range(4), zero_division=0)
    np.testing.assert_allclose(r.precision, p)
    np.testing.assert_allclose(r.recall, rc)
    np.testing.assert_allclose(r.f1, f)
    np.testing.assert_array_equal(r.support, s)
    for avg in ("macro", "weighted"):
        p, rc, f, _ = skm.precision_recall_fscore_support(y, pred, average=avg, zero_division=0)
        got = r.macro if avg == "macro" else r.weighted
        assert got["precision"] == pytest.approx(p)
        assert got["recall"] == pytest.approx(rc)
        assert got["f1"] == pytest.approx(f)
    assert r.roc_auc == pytest.approx(skm.roc_auc_score(y, probs, multi_class="ovr", average="macro"))
    for c in range(4):
        assert r.auc_per_class[c] == pytest.approx(skm.roc_auc_score(y == c, probs[:, c]))
        fpr, tpr, _ = skm.roc_curve(y == c, probs[:, c], drop_intermediate=False)
        np.testing.assert_allclose(r.roc[c][0], fpr)
        np.testing.assert_allclose(r.roc[c][1], tpr)


def test_binary_sigmoid_output_and_ties():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 200)
    p = np.clip(0.3 * y + rng.random(200) * 0.7, 0, 1).round(1)  # many tied scores
    r = E.evaluate_classification(y, p[:, None], ["no", "yes"])
    pred = (p > 0.5).astype(int)  # argmax of [1-p, p]; p == 0.5 goes to class 0
    assert r.accuracy == pytest.approx(skm.accuracy_score(y, pred))
    assert r.roc_auc == pytest.approx(skm.roc_auc_score(y, p))
    fpr, tpr, _ = skm.roc_curve(y, p, drop_intermediate=False)
    np.testing.assert_allclose(r.roc[0][0], fpr)
    np.testing.assert_allclose(r.roc[0][1], tpr)
    assert r.f1[1] == pytest.approx(skm.f1_score(y, pred))


def test_logits_become_probabilities():
    y, probs = _multiclass(3)
    logits = np.log(probs) + 7.0  # softmax-invariant shift: not probabilities any more
    a = E.evaluate_classification(y, probs, list("abcd"))
    b = E.evaluate_classification(y, logits, list("abcd"))
    np.testing.assert_allclose(a.probabilities, b.probabilities, atol=1e-9)
    assert a.roc_auc == pytest.approx(b.roc_auc)


def test_missing_class_and_zero_division():
    y = np.array([0, 0, 1, 1, 0, 1])
    probs = np.eye(3)[[0, 1, 1, 1, 0, 0]] * 0.8 + 0.2 / 3  # class 2 never occurs nor predicted
    r = E.evaluate_classification(y, probs, ["x", "y", "z"])
    pred = probs.argmax(1)
    p, rc, f, _ = skm.precision_recall_fscore_support(y, pred, labels=range(3), zero_division=0)
    np.testing.assert_allclose(r.precision, p)
    np.testing.assert_allclose(r.f1, f)
    assert math.isnan(r.auc_per_class[2])
    assert not math.isnan(r.roc_auc)


def test_worst_mistakes_most_confident_first():
    y = np.array([0, 1, 1, 0])
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.95, 0.05], [0.4, 0.6]])
    r = E.evaluate_classification(y, probs, ["a", "b"], worst_k=5)
    assert r.worst.tolist() == [2, 3]


def test_wrong_width_is_a_clear_error():
    with pytest.raises(ValueError, match="outputs 3 scores per sample but the data has 4 classes"):
        E.evaluate_classification(np.zeros(4), np.zeros((4, 3)), list("abcd"))


def test_regression_matches_sklearn_and_baselines():
    rng = np.random.default_rng(0)
    y = rng.normal(size=100)
    pred = y + rng.normal(0, 0.3, 100)
    y_train = rng.normal(2.0, 1.0, 50)
    r = E.evaluate_regression(y, pred, y_train)
    assert r.mse == pytest.approx(skm.mean_squared_error(y, pred))
    assert r.rmse == pytest.approx(math.sqrt(skm.mean_squared_error(y, pred)))
    assert r.mae == pytest.approx(skm.mean_absolute_error(y, pred))
    assert r.r2 == pytest.approx(skm.r2_score(y, pred))
    mean_pred = np.full(100, y_train.mean())
    assert r.baseline["mse"] == pytest.approx(skm.mean_squared_error(y, mean_pred))
    assert r.baseline["mae"] == pytest.approx(skm.mean_absolute_error(y, mean_pred))
    last = rng.normal(size=100)
    s = E.evaluate_regression(y, pred[:, None], y_train, last_values=last)
    assert s.baseline["rmse"] == pytest.approx(math.sqrt(skm.mean_squared_error(y, last)))
    assert s.baseline_name.startswith("last value")
    assert abs(pred - y)[s.worst[0]] == pytest.approx(abs(pred - y).max())


def test_forecast_recursive_and_direct():
    series = np.arange(20, dtype=float)

    def plus_one(batch):  # a perfect model of a ramp: the next value is the last + 1
        return batch[:, -1] + 1

    t, v = E.forecast(plus_one, series, window=4, horizon=1, steps=5)
    np.testing.assert_array_equal(t, np.arange(20, 25))
    np.testing.assert_allclose(v, np.arange(20, 25))

    def plus_h(batch):
        return batch[:, -1] + 3

    t, v = E.forecast(plus_h, series, window=4, horizon=3, steps=5)
    np.testing.assert_array_equal(t, [20, 21, 22])
    np.testing.assert_allclose(v, [20, 21, 22])


def test_csv_and_table():
    y, probs = _multiclass(1, k=3)
    r = E.evaluate_classification(y, probs, ["a", "b", "c"])
    doc = {"task": "classification", "split": "test", "samples": len(y), "metrics": r.metrics(),
           "per_class": r.per_class(), "confusion": r.confusion.tolist()}
    text = E.metrics_csv(doc)
    lines = text.splitlines()
    assert lines[0] == "scope,metric,value"
    assert f"overall,accuracy,{r.accuracy}" in lines
    assert any(line.startswith("class b,f1,") for line in lines)
    table = E.format_table(doc)
    assert "accuracy" in table and "confusion matrix" in table


def test_r2_pools_every_output_and_is_undefined_for_constant_targets():
    rng = np.random.default_rng(7)
    y = rng.normal(size=(60, 2)) * [1.0, 10.0]  # outputs on different scales: pooled differs from their mean
    pred = y + rng.normal(0, 0.5, size=y.shape)
    pooled = 1 - ((pred - y) ** 2).sum() / ((y - y.mean(axis=0)) ** 2).sum()
    assert E.errors(y, pred)["r2"] == pytest.approx(pooled)
    assert E.errors(y, pred)["r2"] != pytest.approx(skm.r2_score(y, pred))  # not the per-output mean
    assert math.isnan(E.errors(np.ones(5), np.arange(5.0))["r2"])


def test_the_module_loads_without_scikit_learn():
    # the window imports it to write metrics.csv; sklearn.metrics (seconds on a cold start) loads on first use
    code = "import sys, studio.data.evaluation; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stdout + out.stderr
