"""Fixes are spec changes: applied to a spec dict they give a new spec that RunSpec validates; a change that
would break the spec is refused with SpecError; the Diagnosis survives JSON."""

from __future__ import annotations

import json

import pytest

from studio.core.coach import remedies
from studio.core.coach.diagnosis import Change, Diagnosis, Fix
from studio.core.coach.fixes import apply_fix, forked_spec, keeps_weights
from studio.core.presets import load_preset
from studio.core.spec import SpecError, parse_spec


def test_a_diagnosis_round_trips_through_json():
    d = Diagnosis("overfitting", "warning", 5, "val rose", "stop early", blocks=["dense_1"],
                  settings=["regularization.l2"],
                  fixes=[Fix("Add Dropout", [Change("model.blocks", {"type": "Dropout"}, insert_after="dense_1")]),
                         Fix("L2", [Change("regularization.l2", 1e-4)])])
    assert Diagnosis.from_dict(json.loads(json.dumps(d.to_dict()))) == d
    assert d.to_dict()["fixes"][1] == {"label": "L2", "changes": [{"path": "regularization.l2", "value": 1e-4}]}
    with pytest.raises(ValueError, match="severity must be one of info, warning, problem"):
        Diagnosis.from_dict({**d.to_dict(), "severity": "fatal"})


def test_dropout_goes_after_the_last_hidden_dense_of_a_preset_and_validates():
    spec = load_preset("optimizer_adam")
    fix = remedies.add_dropout(spec)
    assert fix is not None and fix.label == "Add Dropout(0.3) after dense_2"
    before = spec.to_dict()
    after = apply_fix(before, fix)
    assert [b["type"] for b in after["model"]["blocks"]] == ["Input", "Dense", "Dense", "Dropout", "Dense"]
    assert after["model"]["blocks"][3]["params"] == {"rate": 0.3}
    assert len(before["model"]["blocks"]) == 4  # the spec given is untouched


def test_an_existing_dropout_is_raised_instead_of_doubled():
    spec = load_preset("optimization_lab")  # dense_1 → dropout_1 (0.5) → head
    assert remedies.add_dropout(spec) is None
    lab = parse_spec({**spec.to_dict(), "model": {"blocks": [
        {**b, "params": {"rate": 0.2}} if b["id"] == "dropout_1" else b for b in spec.to_dict()["model"]["blocks"]]}})
    fix = remedies.add_dropout(lab)
    assert fix is not None and apply_fix(lab.to_dict(), fix)["model"]["blocks"][2]["params"]["rate"] == 0.5


def test_an_inserted_block_takes_over_the_connections_to_its_anchor():
    spec = parse_spec({"model": {"blocks": [
        {"id": "input_1", "type": "Input", "params": {"shape": [4]}},
        {"id": "dense_1", "type": "Dense", "params": {"units": 8}},
        {"id": "dense_2", "type": "Dense", "params": {"units": 8}},
        {"id": "add_1", "type": "Add", "inputs": ["dense_1", "dense_2"]},
        {"id": "head", "type": "Dense", "params": {"units": 2, "activation": "softmax"}}]}})
    after = apply_fix(spec.to_dict(), remedies.add_batch_norm(spec.model.block("dense_1")))
    blocks = {b["id"]: b for b in after["model"]["blocks"]}
    assert list(blocks)[2] == "batch_normalization_1"
    assert blocks["add_1"]["inputs"] == ["batch_normalization_1", "dense_2"]
    assert blocks["dense_2"]["inputs"] is None  # reads the previous block: now the batch norm


@pytest.mark.parametrize("preset", ["optimizer_sgd", "regression_mlp", "mnist_cnn", "timeseries_gru"])
def test_every_shared_remedy_applies_to_the_presets(preset):
    spec = load_preset(preset)
    hidden = remedies.hidden_blocks(spec)
    fixes = remedies.choose(
        remedies.scale_learning_rate(spec, 0.1), remedies.scale_learning_rate(spec, 10), remedies.clip_gradients(spec),
        remedies.normalize_inputs(spec), remedies.early_stopping(spec), remedies.add_dropout(spec),
        remedies.raise_l2(spec), remedies.set_activation(hidden, "relu"), remedies.more_epochs(spec),
        remedies.widen(hidden), remedies.weaker_regularization(spec),
        *(remedies.add_batch_norm(b) for b in hidden[:1]))
    assert len(fixes) >= 6
    for fix in fixes:
        apply_fix(spec.to_dict(), fix)


def test_a_change_that_breaks_the_spec_is_refused_with_the_field_named():
    spec = load_preset("optimizer_sgd").to_dict()
    with pytest.raises(SpecError, match="optimizer.learning_rate"):
        apply_fix(spec, Fix("bad", [Change("optimizer.learning_rate", -1)]))
    with pytest.raises(SpecError, match="no block with id `nope`"):
        apply_fix(spec, Fix("bad", [Change("model.blocks.nope.params.units", 3)]))
    with pytest.raises(SpecError, match="no block `nope` to insert after"):
        apply_fix(spec, Fix("bad", [Change("model.blocks", {"type": "Dropout"}, insert_after="nope")]))


def test_a_fork_continues_from_the_weights_only_when_the_fix_leaves_blocks_and_data_alone():
    base = load_preset("regression_mlp").to_dict()
    rate = Fix("Divide the learning rate by 10", [Change("optimizer.learning_rate", 1e-4)])
    dropout = Fix("Add Dropout", [Change("model.blocks", {"type": "Dropout", "params": {"rate": 0.3}},
                                         insert_after="dense_2")])
    scale = Fix("Standardise", [Change("data.normalize", "standard")])
    assert keeps_weights(rate) and not keeps_weights(dropout) and not keeps_weights(scale)
    assert not keeps_weights(Fix("nothing", []))

    forked = forked_spec(base, rate, "/runs/a/model.keras")
    assert forked["training"]["initial_model"] == "/runs/a/model.keras"
    assert forked["optimizer"]["learning_rate"] == 1e-4
    assert forked["meta"]["title"] != base["meta"]["title"] and "lr" in forked["meta"]["title"]
    assert forked_spec(base, dropout, "/runs/a/model.keras")["training"]["initial_model"] is None
    # a run that itself continued from other weights: a fork without weights of its own starts afresh
    base["training"]["initial_model"] = "/elsewhere/model.keras"
    assert forked_spec(base, rate, None)["training"]["initial_model"] is None
