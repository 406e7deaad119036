"""Damaged run directories in the window (issue 20, item 5 and "Done means"): `--run` and the app's run table
show a damaged run (or say what is wrong) without an exception, and change no byte of it."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from studio.ui.launch import open_past_run
from studio.ui.run_table import RunTable
from tests.damaged_runs import damaged_run, digest, write_run


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("damaged_window")


# One window for all examples (a window per example would take most of a minute); few examples, fresh folders.
# no shrinking: a failing example is reported as drawn (shrinking one takes minutes)
@settings(phases=(Phase.explicit, Phase.generate), max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(files=damaged_run)
def test_a_damaged_run_opens_and_lists_without_a_change(window, qtbot, folder, files):
    root = folder / uuid.uuid4().hex[:8]
    run = write_run(root / "20260101-000000-damaged", files)
    before = digest(root)
    problem = open_past_run(window, run)
    assert problem is None or "events.jsonl" in problem
    qtbot.wait(5)  # what the views load in the background arrives
    table = RunTable(root, window)
    try:
        assert table.model.rowCount() == 1
    finally:
        table.close()
        table.deleteLater()
    assert digest(root) == before
