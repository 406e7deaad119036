"""training.class_weight "balanced": every class adds as much to the loss as the others."""

import numpy as np

from studio.data.class_weights import class_weights


def test_balanced_weights_make_each_class_count_alike():
    y = np.array([0] * 90 + [1] * 10)
    w = class_weights("balanced", y, 2)
    assert w == {0: 100 / (2 * 90), 1: 100 / (2 * 10)}
    assert np.isclose(90 * w[0], 10 * w[1])  # each class's total weight is the same


def test_one_hot_targets_absent_classes_and_none():
    y = np.eye(3)[[0, 0, 0, 1]]
    assert class_weights("balanced", y, 3) == {0: 4 / 9, 1: 4 / 3, 2: 1.0}
    assert class_weights("none", y, 3) is None
    assert class_weights("balanced", np.array([0.5, 1.5]), 0) is None  # regression: no classes
