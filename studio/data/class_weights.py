"""Class weights for an imbalanced classification (spec `training.class_weight`), as Keras' fit takes them."""

from __future__ import annotations

import numpy as np


def class_weights(weighting, y, num_classes):
    """None, or with weighting "balanced" {class: samples ÷ (classes × its samples)}, so that every class adds as
    much to the loss as the others (scikit-learn's "balanced"); a class absent from the training split gets 1.
    `y`: class ids, or one-hot rows."""
    if weighting != "balanced" or not num_classes:
        return None
    labels = np.asarray(y)
    labels = labels.argmax(-1) if labels.ndim > 1 and labels.shape[-1] > 1 else labels.reshape(-1)
    counts = np.bincount(labels.astype("int64"), minlength=num_classes)
    return {int(c): float(len(labels) / (num_classes * n)) if n else 1.0 for c, n in enumerate(counts)}
