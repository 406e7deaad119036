"""The spec is the one schema: every field describes itself, and the closed choices other code offers are
read from it."""

from __future__ import annotations

import typing

import pytest
from pydantic import BaseModel

from studio.core.spec import (BACKENDS, DATA_LOADING_FIELDS, NORMALIZATIONS, DataSpec, RunSpec, SpecError,
                              TrainingSpec, data_loading_key, monitor_choices, parse_spec)


def sections(model: type[BaseModel], seen: set | None = None):
    seen = set() if seen is None else seen
    if model in seen:
        return
    seen.add(model)
    yield model
    for info in model.model_fields.values():
        for arg in (info.annotation, *typing.get_args(info.annotation)):
            for inner in (arg, *typing.get_args(arg)):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    yield from sections(inner, seen)


def test_every_field_of_the_spec_has_a_description():
    missing = [f"{m.__name__}.{n}" for m in sections(RunSpec) for n, f in m.model_fields.items()
               if not f.description]
    assert missing == []
    schema = RunSpec.model_json_schema()  # what an editor or a form reads
    assert schema["$defs"]["OptimizerSpec"]["properties"]["learning_rate"]["exclusiveMinimum"] == 0


def test_the_closed_choices_are_the_literals():
    assert typing.get_args(TrainingSpec.model_fields["backend"].annotation) == BACKENDS
    assert typing.get_args(DataSpec.model_fields["normalize"].annotation) == NORMALIZATIONS
    assert set(DATA_LOADING_FIELDS) == set(DataSpec.model_fields) - {"augmentation"}


@pytest.mark.parametrize("metrics", [[], ["accuracy"], ["mae", "top_k_accuracy"]])
def test_the_monitor_choices_are_what_the_spec_accepts(metrics):
    base = RunSpec().to_dict()
    base["training"]["metrics"] = metrics
    for monitor in monitor_choices(metrics):
        base["regularization"]["early_stopping"] = {"monitor": monitor}
        parse_spec(base)
    base["regularization"]["early_stopping"] = {"monitor": "val_" + "mse"}
    with pytest.raises(SpecError, match="does not log"):
        parse_spec(base)


def test_the_loading_key_ignores_augmentation_only():
    a = RunSpec().to_dict()
    b = RunSpec().to_dict()
    b["data"]["augmentation"] = [{"id": "aug_1", "type": "RandomFlip"}]
    assert data_loading_key(a) == data_loading_key(b)
    b["data"]["normalize"] = "standard"
    assert data_loading_key(a) != data_loading_key(b)
    b["training"]["seed"] = 7
    assert data_loading_key(b) != data_loading_key({**b, "training": a["training"]})
