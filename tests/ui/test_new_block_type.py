"""A block type is one definition: registered here and nowhere else, ActivityRegularization shows up in the
palette, the inspector's form, the checker, the Keras builder (in a child process, on a real backend) and the
Python export, whose text builds the same layer again."""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path

import pytest

from studio.core.analysis import check_spec
from studio.core.blocks import Block, register, unregister
from studio.core.params import Param
from studio.core.spec import SpecError, parse_spec
from tests.engine.conftest import run_probe

NAME = "ActivityRegularization"


def _same_shape(inputs, _params):
    return inputs[0], 0, 0  # a penalty on the activations: the values pass through unchanged


ACTIVITY = Block(NAME, "Regularization", "Penalise large activations while training (L1 / L2)", _same_shape, (
    Param("l1", "float", 0.0, "L1 penalty on the activations", minimum=0),
    Param("l2", "float", 0.0, "L2 penalty on the activations", minimum=0),
))

SPEC = {"model": {"blocks": [
    {"id": "x", "type": "Input", "params": {"shape": [6]}},
    {"id": "hidden", "type": "Dense", "params": {"units": 4}},
    {"id": "penalty", "type": NAME, "params": {"l1": 0.01}},
]}}


@pytest.fixture(autouse=True)
def activity_block():
    """Registered before the window is made (the palette lists the registry when it is built); gone after."""
    register(ACTIVITY)
    yield ACTIVITY
    unregister(NAME)


def test_the_palette_offers_it_and_adds_it_to_the_model(window):
    palette = window.block_palette
    item = palette.item_for(NAME)
    assert item is not None and item.parent().text(0) == "Regularization"
    assert "Penalise large activations" in item.toolTip(0)
    palette.search.setText("activations penalise")
    assert not item.isHidden()
    window.editor.add_block("Input")
    window.editor.add_block("Dense")
    palette.tree.itemActivated.emit(item, 0)  # double-click: append it
    blocks = window.doc.view()["model"]["blocks"]
    assert blocks[-1]["type"] == NAME


def test_the_inspector_edits_its_params_and_refuses_bad_ones(window):
    window.editor.add_block("Input")
    added = window.editor.add_block(NAME)
    inspector = window.inspector
    assert inspector.block_id == added and inspector.title.text() == NAME
    assert set(inspector.form.fields) == {"l1", "l2"}
    inspector.form.fields["l2"].widget.setValue(0.5)
    assert window.doc.view()["model"]["blocks"][-1]["params"]["l2"] == 0.5
    assert inspector.form.fields["l1"].widget.minimum() == 0  # the declared range bounds the spin box


def test_the_checker_knows_its_shape_and_validates_its_params():
    report = check_spec(parse_spec(SPEC))
    assert report.ok, report.errors()
    penalty = next(b for b in report.blocks if b.id == "penalty")
    assert penalty.output_shape == (4,) and penalty.params == 0
    bad = json.loads(json.dumps(SPEC))
    bad["model"]["blocks"][2]["params"] = {"l1": -0.5}
    with pytest.raises(SpecError, match=r"Invalid value for `l1`: expected a float ≥ 0, received -0.5"):
        parse_spec(bad)


@pytest.mark.slow  # builds the model with keras and generates its script
def test_the_builder_and_the_python_export_make_the_keras_layer(tmp_path):
    result = run_probe("tests.ui.test_new_block_type", "jax", SPEC, tmp_path)
    total = check_spec(parse_spec(SPEC)).total_params  # the keras-free checker's count
    assert result["built"] == {"class": NAME, "l1": 0.01, "shape": [None, 4], "params": total}
    # the script writes the new block as a keras.layers call with its settings …
    assert f'layers.{NAME}(l1=0.01, name="penalty")(' in result["code"]
    assert result["exported"] == result["built"]  # … and the script, run on its own, builds the same layer


def _layer_facts(model) -> dict:
    layer = model.get_layer("penalty")
    return {"class": type(layer).__name__, "l1": round(float(layer.l1), 6), "shape": list(layer.output.shape),
            "params": int(model.count_params())}


def main(path: str) -> None:
    """In a child with KERAS_BACKEND set: register the block as the test does, build it, export it."""
    import os

    from studio.engine import bootstrap

    bootstrap.start(os.environ["KERAS_BACKEND"], "cpu")  # the backend first, as in the training child
    from studio.engine.build import build_model
    from studio.engine.codegen import generate

    register(ACTIVITY)
    payload = Path(path)
    spec = parse_spec(json.loads(payload.read_text()))
    code = generate(spec)
    script = payload.with_name("exported_model.py")
    script.write_text(code)
    exported = runpy.run_path(str(script), run_name="exported_model")["build_model"]
    print("RESULT " + json.dumps({"built": _layer_facts(build_model(spec)), "code": code,
                                  "exported": _layer_facts(exported())}))


if __name__ == "__main__":
    main(sys.argv[1])
