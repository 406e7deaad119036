"""The rules the clinic's real runs showed missing or wrong (tests/coach/clinic): severities that climb to problem
on overwhelming evidence, a leaked column named and left out, a learning rate not blamed for a loss that the class
split or the input scale explains."""

from __future__ import annotations

import numpy as np

from studio.core.coach import detect_curves as dc
from studio.core.coach import detect_inside as di
from studio.core.coach import detect_scores as ds
from studio.core.coach.fixes import apply_fix
from studio.core.events import EpochEnd
from studio.data.dataset import Dataset
from studio.data.summary import summarize
from tests.coach.histories import history, iris_data, mlp_spec
from tests.coach.test_detect_inside import recorded, snapshot


def test_a_loss_that_hardly_moved_is_a_rate_far_too_low_a_problem():
    spec = mlp_spec(optimizer={"name": "sgd", "learning_rate": 1e-5})
    crawl = dc.detect_lr_too_low(history([2.30 - 0.005 * e for e in range(8)], steps=50, spec=spec))  # 1.5 %
    slow = dc.detect_lr_too_low(history([2.30 - 0.04 * e for e in range(8)], steps=50, spec=spec))  # 12 %
    assert crawl is not None and crawl.severity == "problem"
    assert slow is not None and slow.severity == "warning"


def test_a_first_block_ten_thousand_times_slower_than_the_head_is_a_problem():
    grads = {"dense_1": 1e-7, "dense_2": 1e-4, "head": 0.01}
    h = recorded(snapshot(grads), snapshot(grads), activation="sigmoid")
    assert di.detect_vanishing_gradients(h).severity == "problem"
    mild = {"dense_1": 1e-5, "dense_2": 1e-4, "head": 0.01}  # 1000×: slow, but it learns
    assert di.detect_vanishing_gradients(recorded(snapshot(mild), snapshot(mild), activation="sigmoid")).severity \
        == "warning"


def test_an_untrained_loss_on_a_skewed_split_is_no_rate_too_high():
    skewed = iris_data(class_counts=[950, 50])  # entropy 0.20; guessing both classes alike: ln 2 = 0.69
    assert dc.detect_lr_too_high(history([0.69, 0.68], data=skewed)) is None
    d = dc.detect_lr_too_high(history([2.5, 3.0], data=skewed))
    assert d is not None and d.severity == "problem" and "guessing each of the 2 classes alike" in d.evidence


def test_a_huge_loss_from_raw_features_is_the_inputs_not_the_rate():
    raw = iris_data(feature_means=[900.0, 0.1, 1.0, 1.0], feature_stds=[500.0, 0.05, 1.0, 1.0], normalize="none")
    assert dc.detect_lr_too_high(history([6.0, 6.1], data=raw)) is None


def _leaky_table(n: int = 300) -> Dataset:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    x = np.column_stack([rng.normal(size=n) + 0.8 * y, rng.normal(size=n), 10.0 * y + 7]).astype(np.float32)
    return Dataset(x, y, task="classification", feature_names=["a", "b", "lab_code"], x_val=x[:50], y_val=y[:50])


def test_the_summary_names_a_feature_that_is_the_label_in_disguise():
    assert summarize(_leaky_table(), "standard").leaky_features == ["lab_code"]  # `a` tells much, not all


def test_a_leaked_column_is_named_and_the_fix_leaves_it_out():
    data = summarize(_leaky_table(), "standard")
    spec = mlp_spec(data={"source": "csv", "params": {"path": "t.csv", "target": "y"}, "validation_split": 0.2},
                    model={"blocks": [{"id": "input_1", "type": "Input", "params": {"shape": [3]}},
                                      {"id": "head", "type": "Dense", "params": {"units": 2,
                                                                                  "activation": "softmax"}}]})
    h = history([0.2], [0.01], [0.99], [1.0], spec=spec, data=data)
    d = ds.detect_label_leak(h)
    assert d is not None and d.severity == "problem" and "`lab_code` alone" in d.evidence
    fixed = apply_fix(spec.to_dict(), d.fixes[0])
    assert fixed["data"]["params"]["features"] == ["a", "b"]
    assert fixed["model"]["blocks"][0]["params"]["shape"] == [2]
    only_the_column = ds.detect_label_leak(history([0.6], [0.6], [0.7], [0.7], spec=spec, data=data))
    assert only_the_column is not None and only_the_column.severity == "warning"  # an easy task may look alike


def test_a_full_batch_run_is_judged_against_guessing_only_after_a_few_updates():
    assert dc.detect_lr_too_high(history([2.2, 2.1], steps=1)) is None  # the lab: one update an epoch, from 2.2
    stuck = dc.detect_lr_too_high(history([2.3] * 12, steps=1))
    assert stuck is not None and stuck.severity == "problem" and stuck.epoch == 11


def test_a_small_loss_that_doubles_far_below_guessing_is_no_rate_too_high():
    assert dc.detect_lr_too_high(history([0.3, 0.1, 0.04, 0.09])) is None  # iris: guessing costs ln 3 = 1.1
    assert dc.detect_lr_too_high(history([0.3, 0.1, 0.04, 0.5])).severity == "problem"


def test_a_run_whose_steps_were_not_recorded_is_judged_epoch_by_epoch():
    h = history([2.3, 2.6, 2.7], steps=1)
    h.steps_per_epoch = 0  # a run read back from metrics.csv alone
    assert dc.detect_lr_too_high(h).severity == "problem"


def test_gradients_that_grow_while_the_loss_falls_fast_are_no_explosion():
    h = recorded(snapshot({"dense_1": 0.01, "head": 0.01}), snapshot({"dense_1": 0.5, "head": 0.02}))
    for epoch, loss in enumerate([29000.0, 2700.0]):
        h.feed(EpochEnd(epoch=epoch, epochs=2, logs={"loss": loss}, learning_rate=0.01, seconds=1.0,
                        samples_per_s=1.0))
    assert di.detect_exploding_gradients(h) is None
    h.feed(EpochEnd(epoch=1, epochs=2, logs={"loss": 25000.0}, learning_rate=0.01, seconds=1.0, samples_per_s=1.0))
    assert di.detect_exploding_gradients(h) is not None  # the same growth while the loss stays high
