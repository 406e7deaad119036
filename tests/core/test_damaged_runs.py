"""One damaged run never crashes the run table (issue 20, item 5): it becomes one row that says what is wrong,
the others are listed as before, and reading changes no byte of any run."""

from __future__ import annotations

import os
import sqlite3
import sys

import pytest

from studio.cli import run_cli
from studio.core.run_index import INDEX_FILE, RunIndex, table
from studio.core.runs import create_run_dir, set_status, write_json_atomic


def _good(root, title="Good"):
    run = create_run_dir(root, {"version": 1, "meta": {"title": title}, "training": {"backend": "jax"}})
    (run / "metrics.csv").write_text("epoch,loss,val_loss\n1,0.5,0.4\n")
    write_json_atomic(run / "summary.json", {"metrics": {"validation": {"loss": 0.4}}, "epochs_run": 1,
                                             "seconds": 1.0, "params": 10})
    set_status(run, "finished")
    return run


WRONG_TYPES = [b"[]", b"3", b'"text"', b"null", b"true", b'{"metrics": [1], "epochs_run": "x", "seconds": {}}',
               b'{"state": 5, "created": "yesterday", "pid": "me", "reason": []}',
               b'{"tags": "abc", "note": {"a": 1}}', b'{"sweep": 3, "trial": [], "state": {}}',
               b'{"meta": [], "training": "jax", "model": 7}', b"\xff\xfe not utf-8 \x80",
               b"[" * 100_000]


FILES = ["summary.json", "status.json", "meta.json", "sweep.json", "spec.json"]


def test_each_damaged_json_file_is_one_row_that_says_so(tmp_path):
    _good(tmp_path)
    damaged = {}
    for name in FILES:
        for i, content in enumerate(WRONG_TYPES):
            run = _good(tmp_path, f"Bad {name} {i}")
            (run / name).write_bytes(content)
            damaged[str(run)] = (name, content)
    rows = RunIndex(tmp_path).rows()
    assert len(rows) == 1 + len(damaged)  # every run is listed, the sound one as before
    good = next(r for r in rows if r.path not in damaged)
    assert (good.title, good.state, good.problem, good.value("val_loss")) == ("Good", "finished", "", 0.4)
    keys, _ = table(rows)
    for key in keys:
        table(rows, sort=key)  # every column sorts whatever the damage
    for row in rows:
        if row.path not in damaged:
            continue
        name, content = damaged[row.path]
        if not content.startswith(b"{"):  # not a JSON object at all: the row says which file is damaged
            assert name in row.problem, (name, content[:20], row)
            # without its spec or status the run's state is unknown; a damaged summary or note keeps "finished"
            assert row.state == ("damaged" if name in ("spec.json", "status.json") else "finished")
    assert len(RunIndex(tmp_path).rows()) == len(rows)  # and again from the index


def test_a_huge_metrics_field_and_non_utf8_bytes_are_said(tmp_path):
    _good(tmp_path)
    bad = _good(tmp_path, "Bad")
    (bad / "metrics.csv").write_text("epoch,val_loss\n1," + "9" * 200_000 + "\n")
    other = _good(tmp_path, "Other")
    (other / "metrics.csv").write_bytes(b"epoch,val_loss\n1,\xff\xfe\n")
    rows = RunIndex(tmp_path).rows()
    assert len(rows) == 3
    assert "metrics.csv" in next(r for r in rows if r.path == str(bad)).problem


@pytest.mark.skipif(sys.platform != "linux", reason="a non-UTF-8 folder name needs a byte-named file system")
def test_a_folder_name_that_is_not_utf8_is_listed(tmp_path, capsys):
    _good(tmp_path)
    odd = _good(tmp_path, "Odd")
    os.rename(odd, os.fsdecode(bytes(tmp_path) + b"/run-\xff\xfe"))
    rows = RunIndex(tmp_path).rows()
    assert len(rows) == 2
    assert run_cli(["runs", str(tmp_path)]) == 0
    assert "Good" in capsys.readouterr().out


def test_a_read_only_runs_folder_without_an_index_is_listed(tmp_path, monkeypatch):
    _good(tmp_path)
    os.chmod(tmp_path, 0o555)
    try:
        if os.access(tmp_path, os.W_OK):  # root writes anywhere: SQLite's answer in a read-only folder, then
            import studio.core.run_index as ri

            def refuse(*_a, **_k):
                raise sqlite3.OperationalError("unable to open database file")

            monkeypatch.setattr(ri.sqlite3, "connect", refuse)
        assert [r.title for r in RunIndex(tmp_path).rows()] == ["Good"]
        assert not (tmp_path / INDEX_FILE).exists()
    finally:
        os.chmod(tmp_path, 0o755)


def test_an_index_path_that_is_a_folder_is_no_crash(tmp_path):
    _good(tmp_path)
    (tmp_path / INDEX_FILE).mkdir()
    assert [r.title for r in RunIndex(tmp_path).rows()] == ["Good"]


@pytest.mark.parametrize("row", ['{"title": 5, "state": [], "started": "x", "final": [1], "best": {"a": "b"}, '
                                 '"test": null, "spec": 3, "tags": "ab", "note": 4}',
                                 '[]', '{"title": "ok", "state": "finished", "nope": 1}', "not json"])
def test_a_crafted_index_row_is_read_again_from_the_run(tmp_path, row):
    run = _good(tmp_path)
    RunIndex(tmp_path).rows()
    with sqlite3.connect(tmp_path / INDEX_FILE) as db:
        db.execute("UPDATE runs SET row = ?", (row,))
    rows = RunIndex(tmp_path).rows()
    assert [(r.title, r.state) for r in rows] == [("Good", "finished")]
    table(rows, sort="started")
    assert rows[0].path == str(run)


def test_runs_writes_no_index_into_a_folder_without_runs(tmp_path, capsys):
    (tmp_path / "photos").mkdir()
    assert run_cli(["runs", str(tmp_path)]) == 0
    assert "no runs" in capsys.readouterr().out
    assert not (tmp_path / INDEX_FILE).exists()
