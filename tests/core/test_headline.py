"""The one-line result above a finished run's curves, from summary.json and evaluation.json."""

import json

from studio.core.headline import headline, run_headline

SUMMARY = {"metrics": {"train": {"accuracy": 0.995, "loss": 0.02}, "validation": {"accuracy": 0.99, "loss": 0.0341},
                       "test": {"accuracy": 0.9891, "loss": 0.036}},
           "task": "classification", "seconds": 42.3, "backend": "jax", "device": "cpu", "epochs_run": 5,
           "epochs_planned": 5, "stopped_early": False}
# ten balanced classes: always answering the most frequent one is right 10 % of the time (90 % errors)
EVALUATION = {"task": "classification", "metrics": {"accuracy": 0.982},
              "per_class": [{"class": str(i), "support": 100} for i in range(10)]}


def test_classification_headline_names_test_accuracy_val_loss_baseline_and_time():
    line = headline(SUMMARY, EVALUATION)
    # model errs on 1.8 %, the naive guess on 90 %: 50× better
    assert line == "test accuracy 98.9 % · val loss 0.0341 · 50× better than the naive baseline · 42 s on jax/cpu"


def test_falls_back_to_validation_then_train_and_omits_what_is_missing():
    s = {"metrics": {"train": {"loss": 0.5, "mae": 0.25}}, "seconds": 125, "backend": "torch", "device": "cuda:0"}
    assert headline(s) == "train mae 0.25 · 2 min 5 s on torch/cuda:0"
    s = {"metrics": {"validation": {"accuracy": 0.5, "loss": 1.0}}, "seconds": 3.25}
    assert headline(s) == "val accuracy 50.0 % · val loss 1 · 3.2 s"


def test_regression_compares_mse_with_the_baseline_and_says_worse_when_it_is():
    ev = {"task": "regression", "metrics": {"mse": 4.0, "baseline_mse": 1.0}}
    s = {"metrics": {"test": {"loss": 4.0, "mae": 1.5}}, "task": "regression", "seconds": 1}
    assert "4× worse than the naive baseline" in headline(s, ev)
    ev["metrics"] = {"mse": 0.5, "baseline_mse": 1.0}
    assert "2× better than the naive baseline" in headline(s, ev)


def test_stopped_early_is_said_and_no_summary_gives_no_headline():
    s = dict(SUMMARY, stopped_early=True, epochs_run=7, epochs_planned=30)
    assert headline(s).endswith("stopped early after 7 of 30 epochs")
    assert headline({}) == ""


def test_run_headline_reads_the_run_directory(tmp_path):
    (tmp_path / "summary.json").write_text(json.dumps(SUMMARY))
    (tmp_path / "evaluation.json").write_text(json.dumps(EVALUATION))
    assert run_headline(tmp_path).startswith("test accuracy 98.9 %")
    assert run_headline(tmp_path / "missing") == ""


def test_a_perfect_model_says_no_errors_and_what_the_baseline_gets_wrong():
    s = {"metrics": {"train": {"accuracy": 1.0}}, "seconds": 2}
    ev = {"task": "classification", "metrics": {"accuracy": 1.0}, "per_class": [{"support": 5}, {"support": 5}]}
    assert headline(s, ev) == "train accuracy 100.0 % · no errors (the naive baseline errs on 50 %) · 2.0 s"


def test_a_model_no_better_than_guessing_is_not_called_better():
    """Issue 20, item 14: "1× better than the naive baseline" for a model that errs as often as guessing."""
    ev = {"task": "classification", "metrics": {"accuracy": 0.502},
          "per_class": [{"class": "a", "support": 50}, {"class": "b", "support": 50}]}
    line = headline(SUMMARY, ev)
    assert "× better" not in line and "× worse" not in line and "no better than the naive baseline" in line, line
    reg = {"task": "regression", "metrics": {"mse": 0.98, "baseline_mse": 1.0}}
    s = {"metrics": {"test": {"loss": 0.98}}, "task": "regression", "seconds": 1}
    assert "no better than the naive baseline" in headline(s, reg)
    reg["metrics"] = {"mse": 0.8, "baseline_mse": 1.0}
    assert "1.2× better than the naive baseline" in headline(s, reg)  # a real gain keeps its factor
