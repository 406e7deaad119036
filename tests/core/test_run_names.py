"""Runs named by what sets them apart: from their parent spec, and from each other in Compare's legend."""

from __future__ import annotations

import json

import pytest

from studio.core.presets import load_preset
from studio.core.run_names import differences, legend_labels, rename_run, run_title
from studio.core.runs import create_run_dir, read_run


def preset(name: str) -> dict:
    return load_preset(name).to_dict()


def test_a_changed_optimizer_names_the_run():
    parent = preset("optimizer_adam")
    spec = preset("optimizer_adam")
    spec["optimizer"].update(name="sgd", learning_rate=0.01)
    assert run_title(parent, spec) == "Optimizer comparison: Adam — sgd, lr 0.01"
    assert run_title(parent, parent) == "Optimizer comparison: Adam"  # nothing changed: the parent's title
    spec["training"]["backend"] = "jax"  # where it runs is shown beside the title, not in it
    assert differences(parent, spec) == "sgd, lr 0.01"


def test_model_edits_are_named_once_per_block():
    parent = preset("optimizer_adam")
    spec = preset("optimizer_adam")
    spec["model"]["blocks"].insert(2, {"id": "dropout_1", "type": "Dropout", "params": {"rate": 0.3}})
    spec["model"]["blocks"][1]["params"]["units"] = 32
    assert differences(parent, spec) == "dense_1 units 32, +dropout_1"
    assert differences(spec, parent) == "dense_1 units 64, no dropout_1"
    spec["training"]["epochs"] = 5
    spec["training"]["batch_size"] = 16
    spec["optimizer"]["name"] = "sgd"
    assert differences(parent, spec) == "sgd, batch 16, 5 epochs, and 2 more"


def test_a_run_of_a_changed_run_is_named_from_the_base_title():
    parent = preset("optimizer_adam")
    parent["meta"]["title"] = "Optimizer comparison: Adam — sgd"
    spec = json.loads(json.dumps(parent))
    spec["optimizer"]["learning_rate"] = 0.1
    assert run_title(parent, spec) == "Optimizer comparison: Adam — lr 0.1"


def test_legend_names_the_settings_that_differ():
    specs = [preset(n) for n in ("optimizer_sgd", "optimizer_adam", "optimizer_momentum", "optimizer_rmsprop")]
    titles = [s["meta"]["title"] for s in specs]
    assert legend_labels(specs, titles) == ["sgd, lr 0.01", "adam, lr 0.001", "sgd, lr 0.01, momentum 0.9",
                                            "rmsprop, lr 0.001"]
    same = [preset("optimizer_adam"), preset("optimizer_adam")]
    assert legend_labels(same, ["first try", "second try"]) == ["first try", "second try"]


def test_rename_rewrites_only_the_title(tmp_path):
    spec = preset("optimizer_sgd")
    run = create_run_dir(tmp_path, spec)
    rename_run(run, "  slow   but steady ")
    assert read_run(run).title == "slow but steady"
    kept = json.loads((run / "spec.json").read_text())
    assert kept["optimizer"] == spec["optimizer"] and kept["model"] == spec["model"]
    assert not [p for p in run.iterdir() if p.name.startswith(".")]  # no temporary file left behind
    with pytest.raises(ValueError, match="cannot be empty"):
        rename_run(run, "   ")
