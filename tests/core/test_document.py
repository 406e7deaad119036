"""The Qt-free document: edits are validated Changes that undo by their inverse, and listeners hear only the
fields under the sections they subscribed to."""

from __future__ import annotations

import pytest

from studio.core.analysis import check_spec
from studio.core.document import ROOT, Change, EditRefusedError, SpecDocument, changed_paths
from studio.core.spec import RunSpec


def dense_model() -> SpecDocument:
    doc = SpecDocument()
    doc.apply(doc.add_block("Input", params={"shape": [4]}))
    doc.apply(doc.add_block("Dense", params={"units": 8}))
    return doc


def heard(doc: SpecDocument, *sections) -> list:
    calls: list = []
    doc.events.connect(calls.append, *sections)
    return calls


def test_a_field_edit_reaches_only_its_sections_listeners():
    doc = SpecDocument()
    optimizer, data, everything = heard(doc, ("optimizer",)), heard(doc, ("data",)), heard(doc)
    doc.apply(doc.set(("optimizer", "learning_rate"), 0.01))
    assert optimizer == [[("optimizer", "learning_rate")]]
    assert data == []
    assert everything == [[("optimizer", "learning_rate")]]
    assert doc.run_spec.optimizer.learning_rate == 0.01


def test_a_listener_of_one_field_hears_its_section_replaced_and_a_load():
    doc = SpecDocument()
    patience = heard(doc, ("regularization", "early_stopping", "patience"))
    doc.apply(doc.set(("regularization", "early_stopping"), {"monitor": "val_loss", "patience": 2}))
    assert patience == [[("regularization", "early_stopping")]]  # None → a section: everything in it is new
    doc.load(RunSpec().to_dict())
    assert patience[-1] == [ROOT]


def test_undo_is_the_inverse_change():
    doc = dense_model()
    before = doc.spec
    model = heard(doc, ("model",))
    change = doc.rename_block("dense_1", "hidden")
    doc.apply(change)
    assert [b["id"] for b in doc.view()["model"]["blocks"]] == ["input_1", "hidden"]
    doc.apply(change.inverse())
    assert doc.view() == before
    assert model == [[("model", "blocks")], [("model", "blocks")]]


def test_merged_changes_undo_to_the_first_before():
    doc = SpecDocument()
    first = doc.set(("training", "epochs"), 11)
    doc.apply(first)
    second = doc.set(("training", "epochs"), 12)
    doc.apply(second)
    merged = first.then(second)
    assert merged.paths == (("training", "epochs"),)
    doc.apply(merged.inverse())
    assert doc.view()["training"]["epochs"] == RunSpec().training.epochs


def test_an_edit_the_spec_refuses_changes_nothing_and_says_why():
    doc = SpecDocument()
    calls = heard(doc)
    with pytest.raises(EditRefusedError, match="learning_rate"):
        doc.set(("optimizer", "learning_rate"), -1.0)
    with pytest.raises(EditRefusedError, match="does not log `val_mae`"):
        doc.set(("regularization", "early_stopping"), {"monitor": "val_mae"})
    with pytest.raises(EditRefusedError, match="no block `ghost`"):
        doc.set_param("ghost", "units", 3)
    assert calls == [] and doc.view() == RunSpec().to_dict()


def test_the_model_edits_connect_move_remove():
    doc = dense_model()
    doc.apply(doc.add_block("Dense", params={"units": 8}))
    doc.apply(doc.add_block("Add"))
    doc.apply(doc.connect("dense_1", "add_1"))
    assert doc.view()["model"]["blocks"][-1]["inputs"] == ["dense_2", "dense_1"]
    with pytest.raises(EditRefusedError, match="comes after"):
        doc.connect("add_1", "dense_1")
    doc.apply(doc.disconnect("dense_1", "add_1"))
    doc.apply(doc.move_blocks(["dense_2"], 1))
    assert [b["id"] for b in doc.view()["model"]["blocks"]] == ["input_1", "dense_2", "dense_1", "add_1"]
    doc.apply(doc.remove_blocks(["add_1"]))
    assert [b["id"] for b in doc.view()["model"]["blocks"]] == ["input_1", "dense_2", "dense_1"]
    copies = doc.duplicate_blocks(["dense_2", "dense_1"])
    assert copies.result == ["dense_3", "dense_4"] and copies.text == "Duplicate"  # the ids the editor selects
    doc.apply(copies)
    doc.apply(doc.set_enabled(["dense_3"], False))
    assert [b["enabled"] for b in doc.view()["model"]["blocks"]] == [True, True, True, False, True]


def test_a_checker_fix_is_an_edit_of_the_document():
    doc = SpecDocument()
    doc.apply(doc.add_block("Input", params={"shape": [28, 28]}))
    doc.apply(doc.add_block("Dense", params={"units": 10}))
    doc.apply(doc.add_block("Conv2D", params={"filters": 4}))
    report = check_spec(doc.run_spec).by_id()["conv2d_1"]
    assert report.error and report.fix is not None
    assert report.fix.label == "Remove it"
    doc.apply(doc.apply_fix("conv2d_1", report.fix))
    assert [b["id"] for b in doc.view()["model"]["blocks"]] == ["input_1", "dense_1"]
    assert check_spec(doc.run_spec).ok


def test_a_change_prepared_on_an_older_spec_is_refused():
    doc = SpecDocument()
    one, other = doc.add_block("Input"), doc.add_block("Dense")  # both from the empty model
    doc.apply(one)
    with pytest.raises(EditRefusedError, match="prepared on an older spec"):
        doc.apply(other)  # it would silently drop the Input block
    assert [b["type"] for b in doc.view()["model"]["blocks"]] == ["Input"]


def test_a_no_op_edit_has_no_paths():
    doc = SpecDocument()
    assert doc.set(("training", "epochs"), doc.view()["training"]["epochs"]).paths == ()
    assert changed_paths({"a": {"b": 1}}, {"a": {"b": 1, "c": 2}}) == [("a", "c")]
    assert Change.between({"a": 1}, {"a": 2}).inverse().after == {"a": 1}
