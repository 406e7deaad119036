"""The first fix offered is the sensible one (issue 20, item 15): a Conv2D placed after a Dense on a table is
better removed than fed the Dense's 64 learned features reshaped into an 8×8 "picture"; a Conv2D after the
flattened pixels of an image still gets the Reshape back first."""

from studio.core.analysis import DataShape, analyze
from studio.core.spec import parse_spec


def _model(*blocks):
    return parse_spec({"model": {"blocks": [dict(b, id=f"b{i}") for i, b in enumerate(blocks)]}}).model


def test_conv2d_after_a_dense_on_a_table_offers_remove_first():
    m = _model({"type": "Input", "params": {"shape": [4]}}, {"type": "Dense", "params": {"units": 64}},
               {"type": "Conv2D"})
    conv = analyze(m, DataShape((4,), "classification", 3)).by_id()["b2"]
    assert conv.error and conv.fixes[0].label == "Remove it", [f.label for f in conv.fixes]
    assert any("Reshape" in f.label for f in conv.fixes)  # still on offer, second


def test_conv2d_after_flattened_pixels_offers_the_reshape_first():
    m = _model({"type": "Input", "params": {"shape": [784]}}, {"type": "Conv2D"})
    conv = analyze(m, DataShape((784,), "classification", 10)).by_id()["b1"]
    assert conv.fixes[0].label == "Insert Reshape to 28×28×1"
