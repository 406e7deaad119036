"""The Python export writes the network as `keras.layers` code, and that code rebuilds Studio's own model.

One keras child (JAX, the quickest to start) generates the script of every preset and of a few graphs made for
the purpose (a skip connection with two inputs; regularizers, initializers, a constraint; a custom layer), runs
each script's `build_model()` and compares every layer's `get_config()` and wiring with the model Studio's
builder makes. Only what Keras draws anew for each layer it makes (a seed no block sets) is left out.
"""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path

import pytest

from tests.engine.conftest import run_probe

ROOT = Path(__file__).resolve().parents[2]
PRESETS = sorted((ROOT / "presets").glob("*.json"))
WITH_TRAINED_MODEL = ("cifar10_augmentation", "graph", "objects")  # a drawn seed, named tensors, a custom layer

GRAPH = {  # two inputs, a skip connection (Add), a merge (Concatenate); named tensors in the script
    "meta": {"title": "Skip and two inputs"},
    "data": {"source": "inline", "params": {"x": [[0.1 * i, 1, 2, 3, 4] for i in range(8)], "y": [0, 1] * 4}},
    "model": {"blocks": [
        {"id": "left", "type": "Input", "params": {"shape": [3]}},
        {"id": "right", "type": "Input", "params": {"shape": [2]}},
        {"id": "dense_a", "type": "Dense", "params": {"units": 8}, "inputs": ["left"]},
        {"id": "dense_b", "type": "Dense", "params": {"units": 8, "activation": "tanh"}},
        {"id": "skip", "type": "Add", "inputs": ["dense_a", "dense_b"]},
        {"id": "both", "type": "Concatenate", "inputs": ["skip", "right"]},
        {"id": "class", "type": "Dense", "params": {"units": 2, "activation": "softmax"}},
    ], "outputs": ["class"]},
    "training": {"epochs": 1, "metrics": ["accuracy"]},
}
OBJECTS = {  # regularizers, initializers and a constraint as readable calls; a custom layer as its config
    "meta": {"title": "Objects"},
    "data": {"source": "moons", "params": {"n_samples": 40}},
    "model": {"blocks": [
        {"id": "inp", "type": "Input", "params": {"shape": [2]}},
        {"id": "he", "type": "Dense", "params": {"units": 6, "kernel_initializer": "he_normal", "bias_start": 0.5,
                                                 "kernel_l2": 0.001}},
        {"id": "capped", "type": "CappedDense", "params": {"units": 4}},
        {"id": "scaled", "type": "Scale"},
        {"id": "out", "type": "Dense", "params": {"units": 1, "activation": "sigmoid", "use_bias": False}},
    ]},
    "regularization": {"l1": 0.0001},
    "training": {"epochs": 1, "loss": "binary_crossentropy"},
}


@pytest.mark.slow  # one keras child generates and rebuilds every script
def test_every_presets_script_rebuilds_studios_model_layer_for_layer(tmp_path):
    specs = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in PRESETS}
    result = run_probe("tests.evaluation.test_model_code", "jax", {"specs": {**specs, "graph": GRAPH,
                                                                             "objects": OBJECTS}}, tmp_path)
    assert set(result) == {*specs, "graph", "objects"}
    for name, r in result.items():
        assert r["studio"] == r["script"], f"{name}: the script's model differs from Studio's"
        assert r.get("same_with_trained_model", name not in WITH_TRAINED_MODEL), f"{name}: trained model differs"
        assert "model_from_json" not in r["code"] and "MODEL_JSON" not in r["code"], name
        blocks = [b for b in specs.get(name, {}).get("model", {}).get("blocks", []) if b["type"] != "Input"]
        for block in blocks:  # one line a block, named by its id
            assert sum(f'name="{block["id"]}")(' in line for line in r["code"].splitlines()) == 1, (name, block)
    assert all(not r["fallbacks"] for n, r in result.items() if n != "objects")
    assert all(len(line) <= 120 for r in result.values() for line in r["code"].split("# The run spec")[0]
               .split("def build_model")[1].split("# ---")[0].splitlines())
    lab = result["optimization_lab"]["code"]
    assert 'x = layers.Dense(20, activation="relu", name="dense_1")(inputs)' in lab
    assert "keras.optimizers.Adam(learning_rate=0.01, weight_decay=0.01)" in lab
    assert len(lab.splitlines()) < 250
    cnn = result["mnist_cnn"]["code"]
    assert 'layers.Conv2D(32, 3, activation="relu", name="conv2d_1")(inputs)' in cnn
    graph = result["graph"]["code"]
    assert 'x = layers.Add(name="skip")([dense_a, x])' in graph
    assert "return keras.Model([left, right], x, " in graph
    objects = result["objects"]
    assert objects["fallbacks"] == ["scaled"]
    code = objects["code"]
    assert " ".join(code.split()).count(  # one call, wrapped over lines
        'layers.Dense(6, activation="relu", kernel_initializer="he_normal", '
        'bias_initializer=keras.initializers.Constant(value=0.5), '
        'kernel_regularizer=keras.regularizers.L1L2(l1=0.0001, l2=0.001), name="he")(inputs)') == 1
    assert "kernel_constraint=keras.constraints.MaxNorm(max_value=3.0)" in code
    assert "scaled: Scale is a custom layer" in code  # the one layer written as config says why, and only that one
    assert code.count("keras.layers.deserialize(") == 1


# ------------------------------------------------------------------------------------------------ the child
def _register_test_blocks() -> None:
    """A Dense with a max-norm constraint (a constraint as a call) and a custom layer (written as config)."""
    import keras

    from studio.core.blocks import Block, get, register
    from studio.core.shapes import ShapeError

    @keras.saving.register_keras_serializable(package="StudioTest")
    class Scale(keras.layers.Layer):
        def call(self, x):
            return x * 2.0

    def capped(kwargs, _defaults):
        return {**kwargs, "kernel_constraint": {"module": "keras.constraints", "class_name": "MaxNorm",
                                                "config": {"max_value": 3.0, "axis": 0}}}

    def same(inputs, _p):
        if not inputs:
            raise ShapeError("needs an input")
        return inputs[0], 0, 0

    dense = get("Dense")
    register(Block("CappedDense", "Core", "Dense with max-norm weights", dense.shape_rule, dense.params,
                   keras_class="Dense", adapters=(*dense.adapters, capped)))
    register(Block("Scale", "Core", "Doubles its input (a custom layer)", same, keras_class="StudioTest>Scale"))


def _facts(model, drawn: dict[str, frozenset[str]]) -> dict:
    """Each layer's class, config and wiring (`inbound_nodes`), without the keys Keras draws itself."""
    config = model.get_config()
    layers = [{"class_name": layer["class_name"], "name": layer["name"], "inbound": layer["inbound_nodes"],
               "config": {k: v for k, v in layer["config"].items() if k not in drawn.get(layer["name"], ())}}
              for layer in config["layers"]]
    return json.loads(json.dumps({"name": config["name"], "inputs": config["input_layers"],
                                  "outputs": config["output_layers"], "layers": layers}, default=str))


def main(path: str) -> None:
    import os

    from studio.engine import bootstrap

    bootstrap.start(os.environ["KERAS_BACKEND"], "cpu")
    from studio.core.spec import parse_spec
    from studio.engine.build import build_model
    from studio.engine.codegen import generate
    from studio.engine.model_code import drawn_keys, model_code

    _register_test_blocks()
    out = {}
    folder = Path(path).parent
    for name, spec_dict in json.loads(Path(path).read_text())["specs"].items():
        spec = parse_spec(spec_dict)
        studio, again = build_model(spec), build_model(spec)
        drawn = {a.name: drawn_keys(a, b) for a, b in zip(studio.layers, again.layers, strict=True)}
        code = generate(spec)
        script = folder / f"{name}.py"
        script.write_text(code, encoding="utf-8")
        rebuilt = runpy.run_path(str(script), run_name="exported_model")["build_model"]()  # trains only as __main__
        out[name] = {"studio": _facts(studio, drawn), "script": _facts(rebuilt, drawn), "code": code,
                     "fallbacks": model_code(spec).fallbacks}
        if name in WITH_TRAINED_MODEL:  # the export passes the trained model: its layers give the same lines
            out[name]["same_with_trained_model"] = model_code(spec, studio).lines == model_code(spec).lines
    print("RESULT " + json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
