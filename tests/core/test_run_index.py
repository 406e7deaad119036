"""The run table's SQLite index: rebuilt from the run directories, never the source of truth."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from studio.core.run_index import INDEX_FILE, RunIndex, set_meta, table
from studio.core.runs import RunWriter, create_run_dir, set_status, write_json_atomic


def _run(root, title, lr, val_losses, test_acc, state="finished"):
    spec = {"version": 1, "meta": {"title": title}, "optimizer": {"name": "adam", "learning_rate": lr},
            "training": {"backend": "jax", "epochs": len(val_losses)}}
    run = create_run_dir(root, spec)
    w = RunWriter(run)
    for i, v in enumerate(val_losses):
        w.epoch(i, {"loss": v + 0.1, "val_loss": v, "val_accuracy": 1 - v}, lr, 1.0)
    w.close()
    write_json_atomic(run / "summary.json", {
        "metrics": {"train": {"loss": 0.1}, "validation": {"loss": val_losses[-1]}, "test": {"accuracy": test_acc}},
        "epochs_run": len(val_losses), "seconds": 2.5, "samples_per_s": 400.0, "backend": "jax", "device": "cpu",
        "params": 81})
    set_status(run, state)
    return run


@pytest.fixture
def root(tmp_path):
    _run(tmp_path, "Lab", 0.01, [0.9, 0.5, 0.6], 0.8)
    _run(tmp_path, "Lab — lr 0.1", 0.1, [0.7, 0.3], 0.9)
    return tmp_path


def test_rows_hold_the_table_figures(root):
    rows = RunIndex(root).rows()
    assert {r.title for r in rows} == {"Lab", "Lab — lr 0.1"}
    lab = next(r for r in rows if r.title == "Lab")
    assert (lab.state, lab.backend, lab.device, lab.epochs, lab.params) == ("finished", "jax", "cpu", 3, 81)
    assert lab.value("val_loss") == 0.6  # the last epoch's
    assert lab.value("best_val_loss") == 0.5 and lab.value("best_val_accuracy") == 0.5  # the best epoch's
    assert lab.value("test_accuracy") == 0.8
    assert lab.value("optimizer.learning_rate") == 0.01


def test_the_table_sorts_and_names_the_settings_that_differ(root):
    keys, values = table(RunIndex(root).rows(), sort="test_accuracy", descending=True)
    assert "optimizer.learning_rate" in keys and "training.epochs" in keys
    assert "training.backend" not in keys  # the same in both, and a column of its own anyway
    assert [v[keys.index("title")] for v in values] == ["Lab — lr 0.1", "Lab"]
    with pytest.raises(KeyError):
        table(RunIndex(root).rows(), sort="no_such_column")


def test_the_index_is_rebuilt_when_deleted_or_corrupt_and_loses_nothing(root):
    index = RunIndex(root)
    run = index.rows()[0].path
    set_meta(run, tags=["baseline", " "], note="the first try")
    first = [(r.title, r.tags, r.note) for r in index.rows()]
    assert (root / INDEX_FILE).is_file()
    (root / INDEX_FILE).unlink()
    assert [(r.title, r.tags, r.note) for r in index.rows()] == first
    (root / INDEX_FILE).write_bytes(b"not a database at all" * 100)
    assert [(r.title, r.tags, r.note) for r in index.rows()] == first
    assert ["baseline"] in [t for _, t, _ in first]


def test_the_index_follows_the_run_directories(root):
    index = RunIndex(root)
    rows = index.rows()
    assert len(rows) == 2
    # a rename (spec.json rewritten) shows; a removed run disappears; a new one appears
    from studio.core.run_names import rename_run

    rename_run(rows[0].path, "Renamed")
    import shutil

    shutil.rmtree(rows[1].path)
    _run(root, "Third", 0.001, [0.4], 0.95)
    assert sorted(r.title for r in index.rows()) == ["Renamed", "Third"]
    with sqlite3.connect(root / INDEX_FILE) as db:  # the index itself holds exactly the runs there are
        assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == 2


def test_cached_rows_are_served_without_reading_the_run_again(root, monkeypatch):
    index = RunIndex(root)
    index.rows()
    import studio.core.run_index as ri

    monkeypatch.setattr(ri, "read_row", lambda _p: pytest.fail("an unchanged run was read again"))
    assert len(index.rows()) == 2


def test_cli_prints_the_table_and_writes_csv(root, tmp_path):
    out = tmp_path / "table.csv"
    r = subprocess.run([sys.executable, "-m", "studio", "runs", str(root), "--sort", "best_val_loss", "--ascending",
                        "--csv", str(out)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:3] == ["title", "state", "backend"]
    assert lines[1].startswith("Lab — lr 0.1")  # best val loss 0.3 first
    text = out.read_text()
    assert text.splitlines()[0].startswith("title,state,backend") and "optimizer.learning_rate" in text
    bad = subprocess.run([sys.executable, "-m", "studio", "runs", str(root), "--sort", "nope"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "no such column" in bad.stderr and "Traceback" not in bad.stderr
