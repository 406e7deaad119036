"""Evaluation of trained runs in a child process: stored results, CLI, .keras files on another backend."""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pytest
from sklearn import metrics as skm

from studio.cli import run_cli
from studio.core.runs import read_json
from studio.jobs import evaluate_job
from studio.jobs.evaluate_job import JobError


def test_cli_evaluates_a_classifier_and_agrees_with_sklearn_and_training(runs, tmp_path, capsys):
    run = runs["iris"]
    csv_path = tmp_path / "metrics.csv"
    assert run_cli(["evaluate", str(run), "--csv", str(csv_path)]) == 0
    out = capsys.readouterr().out
    assert "accuracy" in out and "confusion matrix" in out and "versicolor" in out
    doc = evaluate_job.read_evaluation(run)
    assert doc["task"] == "classification" and doc["split"] == "test" and doc["backend"] == "jax"
    arrays = evaluate_job.read_arrays(run, doc)
    y, probs = arrays["y_true"], arrays["probabilities"]
    pred = probs.argmax(axis=1)
    assert doc["samples"] == len(y) == 30
    assert doc["metrics"]["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert doc["metrics"]["f1_macro"] == pytest.approx(skm.f1_score(y, pred, average="macro", zero_division=0))
    assert doc["metrics"]["roc_auc"] == pytest.approx(
        skm.roc_auc_score(y, probs, multi_class="ovr", average="macro"), rel=1e-5)
    np.testing.assert_array_equal(doc["confusion"], skm.confusion_matrix(y, pred, labels=[0, 1, 2]))
    # the same figure Keras reported at the end of training, from the same split
    summary = read_json(run / "summary.json")
    assert doc["metrics"]["accuracy"] == pytest.approx(summary["metrics"]["test"]["accuracy"], abs=1e-6)
    assert csv_path.read_text().startswith("scope,metric,value\noverall,accuracy,")
    for i in range(3):
        assert len(arrays[f"roc_fpr_{i}"]) == len(arrays[f"roc_tpr_{i}"]) >= 2
    wrong = np.flatnonzero(pred != y)
    assert sorted(doc["worst"]) == sorted(wrong.tolist())[:16] or len(doc["worst"]) == min(16, len(wrong))
    assert arrays["worst_x"].shape == (len(doc["worst"]), 4)


def test_regression_series_with_baseline_and_forecast(runs):
    run = runs["sine"]
    doc = evaluate_job.evaluate(run)
    assert doc["task"] == "regression" and doc["kind"] == "series" and doc["backend"] == "torch"
    arrays = evaluate_job.read_arrays(run, doc)
    y, pred = arrays["y_true"], arrays["y_pred"]
    m = doc["metrics"]
    assert m["mse"] == pytest.approx(skm.mean_squared_error(y, pred), rel=1e-5)
    assert m["mae"] == pytest.approx(skm.mean_absolute_error(y, pred), rel=1e-5)
    assert m["rmse"] == pytest.approx(math.sqrt(m["mse"]))
    assert m["baseline_mse"] == pytest.approx(skm.mean_squared_error(y, arrays["y_baseline"]), rel=1e-5)
    # Keras' own test loss is the same error in the units the model trained on
    summary = read_json(run / "summary.json")
    scale = doc["target_scale"]["scale"]
    assert m["mse"] == pytest.approx(summary["metrics"]["test"]["loss"] * scale ** 2, rel=1e-4)
    assert doc["baseline"].startswith("last value")
    # targets sit on the series; the persistence baseline is the value just before each target
    series, t = arrays["series"], arrays["split_t"]
    np.testing.assert_allclose(y, series[t], rtol=1e-6)
    np.testing.assert_allclose(arrays["y_baseline"], series[t - 1], rtol=1e-6)
    assert t[-1] == len(series) - 1
    assert arrays["forecast_t"][0] == len(series) and len(arrays["forecast_v"]) == doc["series"]["forecast_steps"]
    assert np.isfinite(arrays["forecast_v"]).all()


def test_a_keras_file_opens_with_a_spec_on_another_backend(runs, tmp_path):
    src = runs["iris"]
    model = tmp_path / "copy.keras"
    shutil.copy(src / "model.keras", model)
    spec = tmp_path / "iris.json"
    spec.write_text(json.dumps(read_json(src / "spec.json")))
    doc = evaluate_job.evaluate(model, spec, backend="tensorflow")
    assert doc["backend"] == "tensorflow"
    assert (tmp_path / "evaluation-copy.json").is_file() and (tmp_path / "evaluation-copy.npz").is_file()
    reference = evaluate_job.read_evaluation(src) or evaluate_job.evaluate(src)
    assert doc["metrics"]["accuracy"] == pytest.approx(reference["metrics"]["accuracy"])


def test_clear_errors_without_a_child(tmp_path, runs):
    with pytest.raises(JobError, match="not found"):
        evaluate_job.evaluate(tmp_path / "nowhere")
    lone = tmp_path / "lone.keras"
    shutil.copy(runs["iris"] / "model.keras", lone)
    with pytest.raises(JobError, match="--spec"):
        evaluate_job.evaluate(lone)
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(JobError, match="not a .keras"):
        evaluate_job.evaluate(tmp_path / "notes.txt")
    empty = tmp_path / "run"
    empty.mkdir()
    with pytest.raises(JobError, match="has no model.keras"):
        evaluate_job.evaluate(empty)


def test_a_broken_model_file_is_a_message_not_a_traceback(tmp_path, runs):
    bad = tmp_path / "broken.keras"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(JobError) as info:
        evaluate_job.evaluate(bad, runs["iris"] / "spec.json")
    assert "broken.keras is not a valid .keras file" in info.value.message
    assert "Traceback" not in info.value.message
