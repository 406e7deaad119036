"""The keras-free checker: shapes, parameter counts, and messages for models that do not fit."""

import pytest

from studio.core.analysis import DataShape, analyze, apply_fix, check_spec
from studio.core.presets import load_preset
from studio.core.spec import parse_spec


def _model(*blocks, outputs=None):
    out = []
    for i, b in enumerate(blocks):
        b = dict(b)
        b.setdefault("id", f"b{i}")
        out.append(b)
    return parse_spec({"model": {"blocks": out, "outputs": outputs}}).model


MNIST = DataShape((28, 28, 1), "classification", 10)


def test_the_keras_io_mnist_convnet_has_its_published_parameter_count():
    m = _model({"type": "Input", "params": {"shape": [28, 28, 1]}},
               {"type": "Conv2D", "params": {"filters": 32, "activation": "relu"}},
               {"type": "MaxPooling2D"},
               {"type": "Conv2D", "params": {"filters": 64, "activation": "relu"}},
               {"type": "MaxPooling2D"}, {"type": "Flatten"}, {"type": "Dropout"},
               {"type": "Dense", "params": {"units": 10, "activation": "softmax"}})
    report = analyze(m, MNIST)
    assert report.ok, report.errors()
    assert [b.shape_text for b in report.blocks] == [
        "28×28×1", "26×26×32", "13×13×32", "11×11×64", "5×5×64", "1600", "1600", "10"]
    assert report.total_params == 34_826


def test_conv2d_after_flatten_names_the_block_what_it_got_and_offers_a_reshape():
    m = _model({"type": "Input", "params": {"shape": [28, 28, 1]}}, {"id": "flat", "type": "Flatten"},
               {"id": "conv", "type": "Conv2D"})
    report = analyze(m)
    conv = report.by_id()["conv"]
    assert conv.error == "Conv2D needs images (height×width×channels) but received 784 (from flat)"
    reshape = next(f for f in conv.fixes if f.label == "Insert Reshape to 28×28×1")
    fixed = analyze(apply_fix(m, "conv", reshape))
    assert fixed.ok and fixed.blocks[2].type == "Reshape"


def test_lstm_fed_2d_data_says_it_needs_steps_and_features():
    m = _model({"type": "Input", "params": {"shape": [30]}}, {"id": "rnn", "type": "LSTM"})
    rnn = analyze(m).by_id()["rnn"]
    assert "LSTM needs sequences (steps×features) but received 30" in rnn.error
    assert rnn.fix.label == "Insert Reshape to 30×1: one feature per step"
    assert analyze(apply_fix(m, "rnn", rnn.fix)).by_id()["rnn"].output_shape == (32,)


def test_a_dense_head_that_does_not_match_the_classes_offers_the_right_units():
    m = _model({"type": "Input", "params": {"shape": [28, 28, 1]}}, {"type": "Flatten"},
               {"id": "head", "type": "Dense", "params": {"units": 5, "activation": "softmax"}})
    report = analyze(m, MNIST)
    head = report.by_id()["head"]
    assert head.error == "outputs 5 values per sample but the data has 10 classes"
    assert not report.ok and head.fix.label == "Set units to 10"
    assert analyze(apply_fix(m, "head", head.fix), MNIST).ok


def test_binary_heads_accept_one_sigmoid_unit():
    lab = load_preset("optimization_lab")
    assert check_spec(lab, DataShape((2,), "classification", 2)).ok


def test_input_shape_must_match_the_data():
    m = _model({"id": "x", "type": "Input", "params": {"shape": [3]}}, {"type": "Dense", "params": {"units": 10}})
    report = analyze(m, MNIST)
    assert "declares samples of shape 3 but the data has 28×28×1" in report.by_id()["x"].error
    assert analyze(apply_fix(m, "x", report.by_id()["x"].fix), MNIST).by_id()["x"].error == ""


def test_residual_and_concatenate_graphs():
    m = _model({"id": "x", "type": "Input", "params": {"shape": [16]}},
               {"id": "a", "type": "Dense", "params": {"units": 16}},
               {"id": "b", "type": "Dense", "params": {"units": 16}},
               {"id": "res", "type": "Add", "inputs": ["x", "b"]},
               {"id": "cat", "type": "Concatenate", "inputs": ["res", "a"]},
               {"id": "out", "type": "Dense", "params": {"units": 3}})
    report = analyze(m)
    assert report.ok, report.errors()
    assert report.by_id()["res"].output_shape == (16,)
    assert report.by_id()["cat"].output_shape == (32,)
    assert report.by_id()["cat"].inputs == ["res", "a"]


def test_merge_errors():
    m = _model({"id": "x", "type": "Input", "params": {"shape": [16]}},
               {"id": "a", "type": "Dense", "params": {"units": 8}},
               {"id": "res", "type": "Add", "inputs": ["x", "a"]})
    assert "Add needs inputs of the same shape but received 16 and 8" in analyze(m).by_id()["res"].error
    lonely = _model({"id": "x", "type": "Input", "params": {"shape": [4]}}, {"id": "cat", "type": "Concatenate"})
    assert "needs two or more inputs" in analyze(lonely).by_id()["cat"].error


def test_disabled_blocks_are_bypassed():
    m = _model({"type": "Input", "params": {"shape": [28, 28, 1]}}, {"id": "f", "type": "Flatten", "enabled": False},
               {"id": "conv", "type": "Conv2D", "params": {"filters": 4}})
    report = analyze(m)
    assert report.ok and report.by_id()["conv"].output_shape == (26, 26, 4)
    assert not report.by_id()["f"].enabled


def test_augmentation_sits_after_the_input_and_is_checked():
    spec = parse_spec({
        "model": {"blocks": [{"id": "x", "type": "Input", "params": {"shape": [32, 32, 3]}},
                             {"id": "c", "type": "Conv2D", "params": {"filters": 4}}]},
        "data": {"source": "digits", "augmentation": [{"id": "crop", "type": "RandomCrop",
                                                       "params": {"height": 24, "width": 24}}]}})
    report = check_spec(spec)
    assert report.by_id()["c"].output_shape == (22, 22, 4)
    grey = parse_spec({
        "model": {"blocks": [{"id": "x", "type": "Input", "params": {"shape": [8, 8, 1]}}]},
        "data": {"source": "digits", "augmentation": [{"id": "h", "type": "RandomHue"}]}})
    assert any("RandomHue needs RGB images" in p for p in check_spec(grey).problems)


def test_models_without_input_are_explained():
    assert analyze(_model()).problems == ["the model is empty; start with an Input block"]
    report = analyze(_model({"id": "d", "type": "Dense"}))
    assert "has no input; put an Input block first" in report.by_id()["d"].error


@pytest.mark.parametrize("block,shape,message", [
    ({"type": "Reshape", "params": {"target_shape": [5, 5]}}, [12], "Reshape cannot turn 12 (12 values) into 5×5"),
    ({"type": "MaxPooling2D", "params": {"pool_size": [5, 5]}}, [4, 4, 1], "does not fit input"),
    ({"type": "Flatten"}, [None, 3], "Flatten needs every dimension known"),
])
def test_more_misfits(block, shape, message):
    m = _model({"type": "Input", "params": {"shape": shape}}, dict(block, id="z"))
    assert message in analyze(m).by_id()["z"].error


def test_a_variable_input_length_matches_any_data_length():
    m = _model({"id": "x", "type": "Input", "params": {"shape": [None, 1]}}, {"type": "LSTM", "params": {"units": 4}},
               {"type": "Dense", "params": {"units": 1, "activation": "linear"}})
    assert analyze(m, DataShape((52, 1), "regression")).ok
    two_features = analyze(m, DataShape((52, 2), "regression")).by_id()["x"].error
    assert "declares samples of shape ?×1 but the data has 52×2" in two_features


def test_conv2d_after_flatten_and_dense_offers_move_reshape_and_remove_and_each_one_works():
    m = _model({"id": "x", "type": "Input", "params": {"shape": [28, 28, 1]}}, {"id": "flat", "type": "Flatten"},
               {"id": "conv", "type": "Conv2D", "params": {"filters": 8}}, {"id": "pool", "type": "MaxPooling2D"},
               {"id": "out", "type": "Dense", "params": {"units": 10, "activation": "softmax"}})
    conv = analyze(m).by_id()["conv"]
    assert [f.label for f in conv.fixes] == ["Move it before flat", "Insert Reshape to 28×28×1", "Remove it"]
    moved = analyze(apply_fix(m, "conv", conv.fixes[0]))
    assert [b.id for b in moved.blocks] == ["x", "conv", "flat", "pool", "out"]
    assert moved.by_id()["conv"].output_shape == (26, 26, 8) and moved.by_id()["flat"].output_shape == (5408,)
    for fix in conv.fixes[1:]:
        assert not analyze(apply_fix(m, "conv", fix)).by_id().get("conv", moved.blocks[0]).error, fix.label
    # behind a Dense too, and with explicit connections: the move rewires them
    m = _model({"id": "x", "type": "Input", "params": {"shape": [8, 8, 3]}}, {"id": "flat", "type": "Flatten"},
               {"id": "d", "type": "Dense", "params": {"units": 10}, "inputs": ["flat"]},
               {"id": "conv", "type": "Conv2D", "inputs": ["d"]}, {"id": "g", "type": "GlobalAveragePooling2D",
                                                                     "inputs": ["conv"]})
    conv = analyze(m).by_id()["conv"]
    assert conv.fixes[0].label == "Move it before flat" and conv.fixes[-1].label == "Remove it"
    moved = analyze(apply_fix(m, "conv", conv.fixes[0]))
    assert moved.by_id()["conv"].inputs == ["x"] and moved.by_id()["flat"].inputs == ["conv"]
    assert moved.by_id()["g"].inputs == ["d"]  # it read conv; now it reads what conv read


def test_blocks_after_a_misfit_say_what_they_wait_for():
    m = _model({"id": "x", "type": "Input", "params": {"shape": [16]}}, {"id": "conv", "type": "Conv2D"},
               {"id": "flat", "type": "Flatten"}, {"id": "out", "type": "Dense", "params": {"units": 3}})
    report = analyze(m)
    assert report.by_id()["conv"].error
    assert [report.by_id()[b].shape_text for b in ("flat", "out")] == ["waiting for conv", "waiting for conv"]
    assert not report.by_id()["flat"].error  # only the misfit itself counts as a problem


def test_a_block_with_two_inputs_offers_a_merge_and_a_lost_input_is_brought_back():
    m = _model({"id": "a", "type": "Input", "params": {"shape": [4]}},
               {"id": "b", "type": "Input", "params": {"shape": [4]}},
               {"id": "d", "type": "Dense", "inputs": ["a", "b"]})
    d = analyze(m).by_id()["d"]
    assert [f.label for f in d.fixes] == ["Insert Concatenate before it", "Insert Add before it"]
    assert all(analyze(apply_fix(m, "d", f)).ok for f in d.fixes)
    m = _model({"id": "d", "type": "Dense"}, {"id": "x", "type": "Input", "params": {"shape": [4]}})
    d = analyze(m).by_id()["d"]
    assert d.fix.label == "Move x before it" and analyze(apply_fix(m, "d", d.fix)).ok


def test_more_misfits_offer_fixes_that_work():
    # Flatten of a variable-length sequence: pool it first
    m = _model({"type": "Input", "params": {"shape": [None, 3]}}, {"id": "z", "type": "Flatten"})
    z = analyze(m).by_id()["z"]
    assert z.fix.label == "Insert GlobalAveragePooling1D before it"
    assert analyze(apply_fix(m, "z", z.fix)).by_id()["z"].output_shape == (3,)
    # a Reshape whose counts differ: let one axis take the rest
    m = _model({"type": "Input", "params": {"shape": [12]}}, {"id": "z", "type": "Reshape",
                                                              "params": {"target_shape": [5, 3]}})
    z = analyze(m).by_id()["z"]
    assert z.fix.label == "Set the target shape to 4×3"
    assert analyze(apply_fix(m, "z", z.fix)).by_id()["z"].output_shape == (4, 3)
    # a Dense head on images: flatten or pool before it
    m = _model({"type": "Input", "params": {"shape": [28, 28, 1]}},
               {"id": "head", "type": "Dense", "params": {"units": 10, "activation": "softmax"}})
    head = analyze(m, MNIST).by_id()["head"]
    assert [f.label for f in head.fixes] == ["Insert Flatten before it", "Insert GlobalAveragePooling2D before it"]
    assert all(analyze(apply_fix(m, "head", f), MNIST).ok for f in head.fixes)
    # no Input at all: the inserted one takes the data's shape
    m = _model({"id": "d", "type": "Dense", "params": {"units": 10, "activation": "softmax"}})
    d = analyze(m, DataShape((4,), "classification", 10)).by_id()["d"]
    assert d.fix.label == "Insert an Input before it"
    assert analyze(apply_fix(m, "d", d.fix), DataShape((4,), "classification", 10)).ok
