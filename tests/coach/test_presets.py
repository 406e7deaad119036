"""The presets are the app's examples of a well-set run: the spec- and data-only detectors find nothing in them
worth a warning. Their data is loaded here as `keras-studio coach` loads it (Keras' own datasets cannot be,
without Keras and a download: those are checked on the spec alone)."""

from __future__ import annotations

import pytest

from studio.core.coach.data_summary import DataSummary
from studio.core.coach.detectors import before_training
from studio.core.presets import list_presets, load_preset
from studio.data.dataset import DataError
from studio.data.loaders import load
from studio.data.summary import summarize

PRESETS = [p.name for p in list_presets()]
KERAS_SOURCES = ("mnist", "fashion_mnist", "cifar10", "cifar100")


def test_there_are_presets_to_check():
    assert len(PRESETS) >= 8


@pytest.mark.parametrize("name", PRESETS)
def test_a_preset_raises_no_warning_before_training(name):
    spec = load_preset(name)
    try:
        data = summarize(load(spec.data, spec.training.seed, keep_lazy=True), spec.data.normalize)
    except DataError:
        assert spec.data.source in KERAS_SOURCES  # only Keras' downloads may be out of reach here
        data = DataSummary()
    else:
        assert data.train_samples > 0 and data.known
    found = [(d.kind, d.severity) for d in before_training(spec, data) if d.severity != "info"]
    assert found == []


def test_the_same_detectors_do_warn_on_a_preset_made_bad():
    spec = load_preset("optimizer_adam")
    bad = spec.model_copy(update={"data": spec.data.model_copy(update={"normalize": "none",
                                                                        "validation_split": 0.01})})
    data = summarize(load(bad.data, bad.training.seed), bad.data.normalize)
    kinds = {d.kind for d in before_training(bad, data) if d.severity == "warning"}
    assert kinds == {"tiny_validation", "unnormalized_inputs"}  # 18 validation digits; raw pixels of 0 to 16
