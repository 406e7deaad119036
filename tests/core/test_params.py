import pytest

from studio.core import catalog
from studio.core.params import Param, ParamError


def test_every_block_has_a_category_help_and_valid_defaults():
    assert len(catalog.BLOCKS) >= 40
    for block in catalog.BLOCK_LIST:
        assert block.category in catalog.CATEGORIES
        assert block.help and callable(block.shape_rule), block.type
        assert block.check_params({}) == block.defaults()
        assert block.check_params(block.defaults()) == block.defaults(), f"{block.type}: a default is refused"
        for p in block.params:
            assert p.help, f"{block.type}.{p.name} has no help"


def test_the_issue_list_of_blocks_is_covered():
    wanted = ("Input Dense Activation Dropout SpatialDropout1D SpatialDropout2D GaussianNoise BatchNormalization "
              "LayerNormalization Flatten Reshape Rescaling Conv1D Conv2D SeparableConv2D Conv2DTranspose "
              "MaxPooling1D MaxPooling2D AveragePooling1D AveragePooling2D GlobalAveragePooling1D "
              "GlobalMaxPooling1D GlobalAveragePooling2D GlobalMaxPooling2D SimpleRNN LSTM GRU Bidirectional "
              "Embedding Add Concatenate RandomFlip RandomRotation RandomZoom RandomTranslation RandomCrop "
              "RandomContrast RandomBrightness").split()
    assert set(wanted) <= set(catalog.BLOCKS)


@pytest.mark.parametrize("param,value,coerced", [
    (Param("n", "int", 1, "h", minimum=1), 3.0, 3),
    (Param("r", "float", 0.5, "h", minimum=0, maximum=1, exclusive_max=True), 0, 0.0),
    (Param("k", "ints", [3, 3], "h", minimum=1, length=2), 5, [5, 5]),
    (Param("s", "ints", [1], "h", minimum=1, extra={"none_items": True}), [None, 4], [None, 4]),
    (Param("c", "choice", "a", "h", choices=("a", "b")), "b", "b"),
    (Param("o", "float", None, "h", optional=True), None, None),
])
def test_values_are_coerced(param, value, coerced):
    assert param.coerce(value) == coerced


@pytest.mark.parametrize("param,value,message", [
    (Param("units", "int", 1, "h", minimum=1), 0, "expected an integer ≥ 1, received 0"),
    (Param("units", "int", 1, "h", minimum=1), 2.5, "expected an integer ≥ 1, received 2.5"),
    (Param("rate", "float", 0.5, "h", minimum=0, maximum=1, exclusive_max=True), 1.5,
     "Invalid value for `rate`: expected a float in [0, 1), received 1.5"),
    (Param("rate", "float", 0.5, "h"), float("nan"), "expected a float"),
    (Param("flag", "bool", True, "h"), "yes", "expected true or false, received 'yes'"),
    (Param("mode", "choice", "a", "h", choices=("a", "b")), "c", "expected one of 'a', 'b', received 'c'"),
    (Param("kernel_size", "ints", [3, 3], "h", minimum=1, length=2), [3, 3, 3],
     "expected a list of integers of length 2 ≥ 1"),
])
def test_bad_values_are_refused_in_keras_style(param, value, message):
    with pytest.raises(ParamError) as info:
        param.coerce(value)
    assert message in str(info.value)


def test_unknown_block_suggests_close_names():
    with pytest.raises(ParamError, match="Did you mean LSTM"):
        catalog.get("LSTMM")


def test_a_params_declaration_is_a_pydantic_model_with_its_limits():
    from studio.core.params import params_model

    schema = params_model(catalog.get("Dropout").params).model_json_schema()
    rate = schema["properties"]["rate"]
    assert (rate["minimum"], rate["exclusiveMaximum"], rate["default"]) == (0, 1, 0.5)
    assert schema["additionalProperties"] is False


def test_registering_a_clashing_or_uncategorised_block_is_refused():
    from studio.core.blocks import Block, register

    same = catalog.get("Dense")
    with pytest.raises(ValueError, match="`Dense` is already registered"):
        register(same)
    with pytest.raises(ValueError, match="category `Misc`; expected one of Input, Core"):
        register(Block("Odd", "Misc", "h", same.shape_rule))
    assert "Odd" not in catalog.BLOCKS
