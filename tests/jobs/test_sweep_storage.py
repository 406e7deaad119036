"""Every sweep storage problem is a message, not a traceback (issue 20, item 4): the storage is opened by one
reader (`studio.jobs.sweep_storage`), whatever the command. No training here: the study and its storage only."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
import threading

import pytest

from studio.cli import run_cli
from studio.core.presets import load_preset
from studio.core.sweep_spec import SweepError, parse_sweep
from studio.jobs.sweep import Sweep
from studio.jobs.sweep_storage import open_storage

SEARCH = ["--param", "optimizer.learning_rate=loguniform:1e-3:1e-1", "--trials", "1", "--metric", "loss"]


def _sweep(storage: str, name: str = "s"):
    return parse_sweep({"name": name, "spec": "optimization_lab", "metric": "loss", "storage": storage,
                        "search": [{"path": "optimizer.learning_rate", "distribution": "loguniform",
                                    "low": 1e-3, "high": 0.1}]})


def _refused(tmp_path, storage: str, capsys) -> str:
    code = run_cli(["sweep", "optimization_lab", *SEARCH, "--storage", storage, "--out", str(tmp_path / "runs")])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "Traceback" not in err and "sqlalchemy" not in err.lower()
    assert not (tmp_path / "runs").exists() or not [p for p in (tmp_path / "runs").iterdir() if p.is_dir()]
    return err


def test_a_corrupt_sqlite_file_is_named(tmp_path, capsys):
    bad = tmp_path / ".sweeps.sqlite3"
    bad.write_bytes(b"this is not a database at all" * 100)
    err = _refused(tmp_path, f"sqlite:///{bad}", capsys)
    assert "is not an SQLite database" in err and "another file" in err


def test_another_programs_sqlite_file_is_not_taken_over(tmp_path, capsys):
    other = tmp_path / "notes.db"
    with sqlite3.connect(other) as db:
        db.execute("create table notes (id integer primary key, text text)")
    err = _refused(tmp_path, f"sqlite:///{other}", capsys)
    assert "another program" in err and "notes" in err
    with sqlite3.connect(other) as db:  # untouched: no Optuna tables were added
        assert [r[0] for r in db.execute("select name from sqlite_master where type='table'")] == ["notes"]


@pytest.mark.parametrize(("storage", "says"), [
    ("not a url at all", "cannot read the storage"),
    ("http://example.org/db", "http:// is not an Optuna storage"),
    ("sqlite:///{tmp}/missing/folder/s.db", "does not exist"),
    ("sqlite:///{tmp}", "is a folder"),
    ("journal:{tmp}/missing/s.journal", "does not exist"),
    ("journal:{tmp}", "is a folder"),
    ("nosuchdb://host/db", "cannot read the storage"),
])
def test_bad_storages_say_what_is_wrong_and_what_is_expected(tmp_path, capsys, storage, says):
    err = _refused(tmp_path, storage.format(tmp=tmp_path), capsys)
    assert says in err
    assert "sqlite:///" in err or "journal:" in err or "does not exist" in err or "is a folder" in err


@pytest.mark.parametrize(("url", "driver"), [("postgresql://u:p@127.0.0.1:1/db", "psycopg2"),
                                              ("mysql://u:p@127.0.0.1:1/db", "mysqlclient")])
def test_a_database_without_its_driver_says_what_to_install(tmp_path, capsys, monkeypatch, url, driver):
    for module in ("psycopg2", "MySQLdb", "pymysql"):
        monkeypatch.setitem(sys.modules, module, None)  # not installed, whatever this machine has
    err = _refused(tmp_path, url, capsys)
    assert "pip install" in err and driver in err


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root writes read-only files")
def test_a_read_only_storage_file_is_named(tmp_path, capsys):
    path = tmp_path / "s.db"
    open_storage(f"sqlite:///{path}")
    path.chmod(stat.S_IRUSR)
    err = _refused(tmp_path, f"sqlite:///{path}", capsys)
    assert "read-only" in err


def test_a_read_only_storage_file_is_named_even_for_root(tmp_path, monkeypatch):
    path = tmp_path / "s.db"
    open_storage(f"sqlite:///{path}")
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if str(p) == str(path) and mode & os.W_OK
                        else real(p, mode, **kw))
    with pytest.raises(SweepError, match="read-only"):
        open_storage(f"sqlite:///{path}")


def test_a_full_disk_says_so_not_exceeding_max_length(tmp_path):
    """SQLite's own limit on the file's pages gives exactly what a full disk gives (SQLITE_FULL)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    path = tmp_path / "s.db"
    base = load_preset("optimization_lab")
    Sweep(_sweep(f"sqlite:///{path}"), base, tmp_path).study()
    pages = sqlite3.connect(path).execute("pragma page_count").fetchone()[0]

    def fill(dbapi_connection, _record):
        dbapi_connection.execute(f"pragma max_page_count = {pages}")

    event.listen(Engine, "connect", fill)
    try:
        runner = Sweep(_sweep(f"sqlite:///{path}", name="another"), base, tmp_path)
        with pytest.raises(SweepError) as info:
            runner.run()
    finally:
        event.remove(Engine, "connect", fill)
    text = str(info.value)
    assert "full" in text and "max length" not in text
    assert str(tmp_path) in text


def test_a_journal_file_storage_is_accepted_and_shared(tmp_path):
    journal = tmp_path / "team.journal"
    for storage in (f"journal:{journal}", str(journal)):  # journal:PATH, or a path ending in .journal / .log
        study = Sweep(_sweep(storage, name="j"), load_preset("optimization_lab"), tmp_path).study()
        assert study.study_name == "j"
    assert journal.is_file()
    assert len(open_storage(f"journal:{journal}").get_all_studies()) == 1  # both forms are the same storage


def test_two_workers_starting_at_once_on_a_new_storage_both_work(tmp_path):
    for attempt in range(3):
        url = f"sqlite:///{tmp_path / f'new-{attempt}.db'}"
        errors: list[BaseException] = []
        start = threading.Barrier(2)

        def worker(url=url, errors=errors, start=start):
            start.wait()
            try:
                open_storage(url)
            except BaseException as exc:  # noqa: BLE001 - the test reports any
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors
