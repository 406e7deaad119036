"""The head must fit the task and the loss: units AND activation, with repairs that really make it fit."""

import pytest

from studio.core.analysis import DataShape, analyze, apply_run_fix, check_spec
from studio.core.head_fit import resolve_loss
from studio.core.presets import load_preset
from studio.core.spec import parse_spec

TWO = DataShape((2,), "classification", 2)
IRIS = DataShape((4,), "classification", 3)
REG = DataShape((10,), "regression", target_width=1)


def _spec(head: dict, width: int = 2, loss: str = "auto") -> dict:
    return {"model": {"blocks": [{"id": "x", "type": "Input", "params": {"shape": [width]}},
                                 {"id": "hidden", "type": "Dense", "params": {"units": 8}},
                                 {"id": "drop", "type": "Dropout"},
                                 {"id": "head", "type": "Dense", "params": head}]},
            "training": {"loss": loss}}


def _check(spec: dict, data: DataShape):
    return check_spec(parse_spec(spec), data)


def _all_fixes_fit(spec: dict, data: DataShape, block: str = "head") -> list[str]:
    """Apply each offered fix to a copy; every one must leave a model that fits. Returns the labels."""
    report = _check(spec, data)
    rep = report.by_id()[block]
    assert rep.error and rep.fixes, report.errors()
    for fix in rep.fixes:
        fixed = parse_spec(spec).to_dict()
        apply_run_fix(fixed, block, fix)
        after = _check(fixed, data)
        assert after.ok, (fix.label, after.errors())
    return [f.label for f in rep.fixes]


def test_the_first_hour_head_a_relu_dense_on_two_classes_gets_units_and_activation():
    # Input → Dense → Dropout → Dense as the palette adds it: the head is Dense(64, relu)
    spec = _spec({"units": 64})
    labels = _all_fixes_fit(spec, TWO)
    assert labels == ["Set units to 2 and activation to softmax", "Set units to 1 and activation to sigmoid"]


def test_a_relu_head_with_the_right_units_is_still_refused_and_says_why():
    # the app's old fix "Set units to 2" left exactly this: 2 relu units under sparse cross-entropy → NaN
    report = _check(_spec({"units": 2, "activation": "relu"}), TWO)
    head = report.by_id()["head"]
    assert not report.ok
    assert "relu" in head.error and "softmax" in head.error and "NaN" in head.error
    assert _all_fixes_fit(_spec({"units": 2, "activation": "relu"}), TWO) == ["Set activation to softmax"]


def test_a_linear_head_under_cross_entropy_is_refused():
    spec = _spec({"units": 3, "activation": "linear"}, width=4, loss="sparse_categorical_crossentropy")
    head = _check(spec, IRIS).by_id()["head"]
    assert "linear" in head.error and "logits" in head.error
    assert _all_fixes_fit(spec, IRIS) == ["Set activation to softmax"]


def test_softmax_over_one_unit_is_refused():
    spec = _spec({"units": 1, "activation": "softmax"})
    head = _check(spec, TWO).by_id()["head"]
    assert "always 1" in head.error
    assert _all_fixes_fit(spec, TWO) == ["Set activation to sigmoid"]


def test_sigmoid_over_several_classes_under_a_categorical_loss_is_refused():
    for loss in ("auto", "sparse_categorical_crossentropy", "categorical_crossentropy"):
        spec = _spec({"units": 3, "activation": "sigmoid"}, width=4, loss=loss)
        head = _check(spec, IRIS).by_id()["head"]
        assert "sigmoid" in head.error and "sum to 1" in head.error, loss
        assert _all_fixes_fit(spec, IRIS) == ["Set activation to softmax"]


def test_the_labs_two_softmax_units_under_binary_cross_entropy_blame_the_loss_and_offer_both_fixes():
    lab = load_preset("optimization_lab").to_dict()
    head_id = lab["model"]["blocks"][-1]["id"]
    lab["model"]["blocks"][-1]["params"].update(units=2, activation="softmax")
    assert lab["training"]["loss"] == "binary_crossentropy"
    head = _check(lab, TWO).by_id()[head_id]
    assert "the loss binary_crossentropy needs 1 sigmoid unit" in head.error
    labels = _all_fixes_fit(lab, TWO, head_id)
    assert labels == ["Set units to 1 and activation to sigmoid", "Use loss sparse_categorical_crossentropy"]
    fixed = dict(lab)
    apply_run_fix(fixed, head_id, head.fixes[1])
    assert fixed["training"]["loss"] == "sparse_categorical_crossentropy"


def test_binary_cross_entropy_on_three_classes_offers_a_categorical_loss_and_head():
    spec = _spec({"units": 1, "activation": "sigmoid"}, width=4, loss="binary_crossentropy")
    assert _all_fixes_fit(spec, IRIS) == ["Use loss sparse_categorical_crossentropy with 3 softmax units"]


def test_an_explicit_categorical_loss_with_one_unit_offers_two_units_or_the_binary_loss():
    spec = _spec({"units": 1, "activation": "sigmoid"}, loss="sparse_categorical_crossentropy")
    assert _all_fixes_fit(spec, TWO) == ["Set units to 2 and activation to softmax",
                                         "Use loss binary_crossentropy with 1 sigmoid unit"]


def test_loss_and_task_must_agree():
    spec = _spec({"units": 2, "activation": "softmax"}, loss="mean_squared_error")
    assert "regression loss" in _check(spec, TWO).by_id()["head"].error
    assert _all_fixes_fit(spec, TWO) == ["Use loss auto"]
    spec = _spec({"units": 1, "activation": "linear"}, width=10, loss="binary_crossentropy")
    assert "classification loss" in _check(spec, REG).by_id()["head"].error
    assert _all_fixes_fit(spec, REG) == ["Use loss auto"]


def test_a_softmax_regression_head_is_refused_and_a_linear_one_fits():
    spec = _spec({"units": 1, "activation": "softmax"}, width=10)
    assert _all_fixes_fit(spec, REG) == ["Set activation to linear"]
    assert _check(_spec({"units": 1, "activation": "linear"}, width=10), REG).ok


@pytest.mark.parametrize("loss,units,smoothing,want", [
    ("auto", 1, 0.0, "binary_crossentropy"),
    ("auto", 2, 0.0, "sparse_categorical_crossentropy"),
    ("auto", 2, 0.1, "categorical_crossentropy"),
    ("huber", 2, 0.0, "huber"),
])
def test_the_auto_loss(loss, units, smoothing, want):
    assert resolve_loss(loss, "classification", 2, units, smoothing) == want
    assert resolve_loss("auto", "regression", 0, 1) == "mean_squared_error"


def test_every_preset_head_fits_its_loss():
    from studio.core.presets import list_presets

    for preset in list_presets():
        name, spec = preset.name, preset.load()
        head = spec.model.blocks[-1]
        classes = 10 if spec.data.source in ("mnist", "cifar10", "digits") else 2
        task = "regression" if spec.training.loss == "mean_squared_error" else "classification"
        data = DataShape(tuple(spec.model.blocks[0].params["shape"]), task, classes if task == "classification" else 0)
        report = analyze(spec.model, data, spec.data.augmentation, spec.training.loss)
        assert not report.by_id()[head.id].error, (name, report.errors())


def test_an_activation_block_head_is_held_to_the_loss_too():
    spec = {"model": {"blocks": [{"id": "x", "type": "Input", "params": {"shape": [2]}},
                                 {"id": "d", "type": "Dense", "params": {"units": 2, "activation": "linear"}},
                                 {"id": "act", "type": "Activation", "params": {"activation": "relu"}}]}}
    assert _all_fixes_fit(spec, TWO, "act") == ["Set activation to softmax"]


def test_a_head_without_an_activation_is_told_to_end_with_a_dense():
    spec = {"model": {"blocks": [{"id": "x", "type": "Input", "params": {"shape": [8, 8, 1]}},
                                 {"id": "c", "type": "Conv2D", "params": {"filters": 10}},
                                 {"id": "gap", "type": "GlobalAveragePooling2D"}]}}
    report = _check(spec, DataShape((8, 8, 1), "classification", 10))
    assert not report.ok and not report.by_id()["gap"].error
    assert report.problems == ["gap (GlobalAveragePooling2D): gives raw scores, not probabilities; end the model "
                               "with a Dense of 10 softmax units"]


@pytest.mark.parametrize("activation", ["relu", "linear", "tanh"])
def test_one_unit_for_two_classes_needs_a_sigmoid(activation):
    spec = _spec({"units": 1, "activation": activation})
    error = _check(spec, TWO).by_id()["head"].error
    assert f"ends in {activation} but binary_crossentropy needs a sigmoid unit" in error
    assert _all_fixes_fit(spec, TWO) == ["Set activation to sigmoid"]
