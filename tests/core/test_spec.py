import json

import pytest

from studio.core.presets import list_presets, load_preset
from studio.core.spec import RunSpec, SpecError, load_spec, parse_spec, with_overrides


def _problems(data) -> list[str]:
    with pytest.raises(SpecError) as info:
        parse_spec(data)
    return info.value.problems


def test_a_spec_round_trips_through_json(tmp_path):
    spec = load_preset("optimization_lab")
    path = tmp_path / "lab.json"
    path.write_text(spec.to_json())
    again = load_spec(path)
    assert again == spec
    assert json.loads(again.to_json()) == spec.to_dict()


def test_graph_specs_round_trip():
    spec = parse_spec({"model": {"blocks": [
        {"id": "x", "type": "Input", "params": {"shape": [8]}},
        {"id": "a", "type": "Dense", "params": {"units": 8}},
        {"id": "sum", "type": "Add", "inputs": ["x", "a"]},
    ], "outputs": ["sum"]}})
    assert parse_spec(json.loads(spec.to_json())) == spec


@pytest.mark.parametrize("data,expected", [
    ({"training": {"epochs": 0}}, "training.epochs: Input should be greater than or equal to 1"),
    ({"training": {"epoch": 3}}, "training.epoch: unknown field; check its spelling"),
    ({"training": {"backend": "theano"}}, "training.backend: Input should be 'tensorflow', 'torch' or 'jax'"),
    ({"training": {"device": "tpu"}}, "training.device: invalid device `tpu`; expected auto, cpu, gpu or gpu:N"),
    ({"model": {"blocks": [{"id": "d", "type": "Dense", "params": {"units": -3}}]}},
     "model.blocks[0]: Invalid value for `units`: expected an integer ≥ 1, received -3"),
    ({"model": {"blocks": [{"id": "d", "type": "Dropout", "params": {"rate": 1.5}}]}},
     "model.blocks[0]: Invalid value for `rate`: expected a float in [0, 1), received 1.5"),
    ({"model": {"blocks": [{"id": "d", "type": "Dense", "params": {"unit": 3}}]}},
     "model.blocks[0]: Block `Dense` has no parameter `unit`"),
    ({"model": {"blocks": [{"id": "d", "type": "Dense2"}]}}, "Unknown block type `Dense2`. Did you mean Dense"),
    ({"model": {"blocks": [{"id": "a", "type": "Add", "inputs": ["b"]}, {"id": "b", "type": "Input"}]}},
     "block `a` takes input from `b`, which comes later"),
    ({"model": {"blocks": [{"id": "a", "type": "Input"}, {"id": "a", "type": "Dense"}]}}, "two blocks are named `a`"),
    ({"optimizer": {"name": "adamm"}}, "optimizer: unknown optimizer `adamm`; choose one of sgd, adam"),
    ({"optimizer": {"name": "sgd", "params": {"momentum": 2}}}, "Invalid value for `momentum`"),
    ({"optimizer": {"schedule": {"name": "piecewise", "params": {"boundaries": [1, 2], "values": [0.1]}}}},
     "piecewise schedule needs exactly one more value than boundaries"),
    ({"data": {"source": "mnistt"}}, "Unknown data source `mnistt`"),
    ({"data": {"validation_split": 0.6, "test_split": 0.5}}, "must leave some data to train on"),
    ({"data": {"augmentation": [{"id": "a", "type": "Dense"}]}}, "`Dense` is not an augmentation block"),
    ({"training": {"loss": "hinge2"}}, "unknown loss `hinge2`"),
    ({"training": {"initial_model": "runs/a/spec.json"}}, "training.initial_model: `runs/a/spec.json` "
                                                          "is not a model file; continue from a .keras"),
    ({"version": 99}, "newer than this Keras Studio reads"),
])
def test_a_wrong_field_is_refused_with_its_path_and_reason(data, expected):
    problems = _problems(data)
    assert any(expected in p for p in problems), problems


def test_files_that_are_not_specs_are_refused_without_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    with pytest.raises(SpecError, match="not valid JSON at line 1"):
        load_spec(bad)
    with pytest.raises(SpecError, match="file not found"):
        load_spec(tmp_path / "missing.json")
    with pytest.raises(SpecError, match="expected a JSON object"):
        parse_spec([1, 2])


def test_overrides_reach_any_field_and_are_validated():
    spec = load_preset("optimization_lab")
    out = with_overrides(spec, ["training.epochs=5", "optimizer.learning_rate=0.1",
                                "model.blocks.dense_1.params.units=7", "model.blocks.2.params.rate=0.1",
                                "training.backend=jax", "meta.title=My lab"])
    assert out.training.epochs == 5 and out.optimizer.learning_rate == 0.1
    assert out.model.block("dense_1").params["units"] == 7
    assert out.model.blocks[2].params["rate"] == 0.1
    assert out.training.backend == "jax" and out.meta.title == "My lab"
    with pytest.raises(SpecError, match="training.epochs"):
        with_overrides(spec, ["training.epochs=-1"])
    with pytest.raises(SpecError, match="expected key.path=value"):
        with_overrides(spec, ["training.epochs"])


def test_every_shipped_preset_is_a_valid_spec():
    from studio.core.presets import presets_dir

    names = {p.stem for p in presets_dir().glob("*.json")}
    assert "optimization_lab" in names
    assert {p.name for p in list_presets()} == names
    for p in list_presets():
        assert p.title and p.description
        assert isinstance(p.load(), RunSpec)


def test_new_block_ids_are_unique_and_readable():
    spec = load_preset("optimization_lab")
    assert spec.model.new_id("Dense") == "dense_3"
    assert spec.model.new_id("Conv2D") == "conv2d_1"
    assert spec.model.new_id("BatchNormalization") == "batch_normalization_1"
    assert spec.model.new_id("SimpleRNN") == "simple_rnn_1"
    assert spec.model.new_id("Conv2DTranspose") == "conv2d_transpose_1"
