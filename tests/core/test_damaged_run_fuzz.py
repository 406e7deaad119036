"""Damaged run directories (every file, every wrong type) fed to the run table, `keras-studio runs` and
`keras-studio attach` (issue 20, "Done means"): no exception, and not a byte of the run changes."""

from __future__ import annotations

import contextlib
import io
import uuid

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from studio.cli import run_cli
from studio.core.coach.coach import Coach
from studio.core.coach.history import RunHistory
from studio.core.run_index import RunIndex, cell_text, table
from tests.damaged_runs import damaged_run, digest, write_run


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("damaged")


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run_cli(list(argv))
    return code, out.getvalue(), err.getvalue()


# database=None: no .hypothesis folder in the checkout. Few examples: each is a fresh runs folder and two CLI calls.
# no shrinking: a failing example is reported as drawn (shrinking one takes minutes)
@settings(phases=(Phase.explicit, Phase.generate), max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(files=damaged_run)
def test_a_damaged_run_is_listed_and_attached_without_a_change(folder, files):
    pytest.importorskip("ray.job_submission")
    root = folder / uuid.uuid4().hex[:8]
    run = write_run(root / "20260101-000000-damaged", files)
    write_run(root / "20260101-000001-sound", {})  # a spec.json of bytes only: listed too
    before = digest(root)

    rows = RunIndex(root).rows()
    assert str(run) in {r.path for r in rows}
    keys, values = table(rows)
    for key in keys:
        table(rows, sort=key)
    [cell_text(k, v) for row in values for k, v in zip(keys, row, strict=True)]

    Coach(RunHistory.from_run_dir(run)).check()  # what the app's coach works out for a past run's files
    code, out, err = _cli("runs", str(root))
    assert code == 0 and "Traceback" not in err, err
    code, out, err = _cli("attach", str(run))
    assert code == 1 and err.startswith("error: ") and "Traceback" not in err, (out, err)
    assert digest(root) == before
