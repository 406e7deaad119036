"""The run table's index: one SQLite file per runs folder (Python's sqlite3, embedded, nothing to start).

The run directories stay the source of truth. The index caches what the table shows of each run and is brought
up to date from the directories on every read: a run whose watched files changed is read again, a folder that is
gone drops out, and an index that is missing, of another schema or unreadable is rebuilt from scratch, so
deleting it loses nothing. A run's tags and note live in its own `meta.json` (written atomically); the index
only caches them.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, TypeAdapter, ValidationError

from studio.core import run_files
from studio.core.run_files import read_metrics_checked
from studio.core.run_names import NOT_NAMED, differing_keys, flatten
from studio.core.runs import METRICS_FILE, SPEC_FILE, STATUS_FILE, SUMMARY_FILE, read_json, read_run, write_json_atomic

INDEX_FILE = ".runs-index.sqlite"
META_FILE = "meta.json"  # {"tags": [...], "note": "..."}: what the user wrote about a run
SWEEP_FILE = "sweep.json"  # a sweep trial's sweep, number and outcome (studio.jobs.sweep writes it)
SCHEMA = 2  # bump when the row layout changes: an index of another schema is rebuilt
# a change in one of these re-reads a run
WATCHED = (SPEC_FILE, STATUS_FILE, SUMMARY_FILE, META_FILE, METRICS_FILE, SWEEP_FILE)

# the table's fixed columns, in order: key → heading
COLUMNS = {
    "title": "title", "state": "state", "backend": "backend", "device": "device", "started": "started",
    "duration": "duration (s)", "epochs": "epochs", "params": "parameters", "samples_per_s": "samples/s",
    "sweep": "sweep", "problem": "problem",
}
OPTIONAL = ("sweep", "problem")  # columns shown only when some run has one


@dataclass
class RunRow:
    """One run as the table shows it."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # a cached row with fields of its own is not ours: read again

    path: str
    title: str
    state: str
    backend: str = ""
    device: str = ""
    started: float = 0.0
    duration: float | None = None
    epochs: int | None = None
    params: int | None = None
    samples_per_s: float | None = None
    sweep: str = ""  # "lab-lr #3" for a sweep's trial
    final: dict[str, float] = field(default_factory=dict)  # last epoch's validation figures: val_loss …
    best: dict[str, float] = field(default_factory=dict)  # best epoch's validation figures: best_val_loss …
    test: dict[str, float] = field(default_factory=dict)  # held-out test figures: test_accuracy …
    spec: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    note: str = ""
    problem: str = ""  # what is damaged in the run's files ("" for a sound run)

    @property
    def name(self) -> str:
        return Path(self.path).name

    def value(self, key: str) -> Any:
        """The value of a column: a fixed one, a metric (val_loss, best_val_accuracy, test_accuracy) or a spec path
        (optimizer.learning_rate, model.dense_1.params.units); None when the run has none."""
        if key in COLUMNS:
            return getattr(self, key)
        for figures in (self.final, self.best, self.test):
            if key in figures:
                return figures[key]
        if key == "tags":
            return ", ".join(self.tags)
        if key == "note":
            return self.note
        return self.flat.get(key)

    @cached_property
    def flat(self) -> dict[str, Any]:
        """The spec as dotted paths (computed once: sorting a table asks for every row's values)."""
        return flatten(self.spec)


# ------------------------------------------------------------------------------------------------ reading a run
def _signature(run_dir: Path) -> str:
    """Size and modification time of the watched files: changes when any of them is rewritten."""
    parts = []
    for name in WATCHED:
        try:
            st = os.stat(run_dir / name)
            parts.append(f"{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            parts.append("-")
    return "|".join(parts)


def _finite(v: Any) -> float | None:
    return run_files.number(v)


def _best(columns: dict[str, list[float]]) -> dict[str, float]:
    """The best epoch's value of each validation column: lowest for losses and errors, highest otherwise."""
    out = {}
    for name, values in columns.items():
        if not name.startswith("val_"):
            continue
        finite = [v for v in values if math.isfinite(v)]
        if finite:
            lower_is_better = any(w in name for w in ("loss", "error", "mae", "mse", "rmse", "mape"))
            out[f"best_{name}"] = min(finite) if lower_is_better else max(finite)
    return out


def _figures(v: Any, prefix: str) -> dict[str, float]:
    return {f"{prefix}{k}": f for k, x in run_files.mapping(v).items() if (f := run_files.number(x)) is not None}


def read_row(run_dir: str | Path) -> RunRow | None:
    """A run directory as a table row; None for a folder that is not a run. A damaged file never raises: it
    is named in the row's `problem`, and its figures are left out."""
    info = read_run(run_dir)
    if info is None:
        return None
    problems = info.problems
    s = info.summary
    metrics = run_files.mapping(s.get("metrics"))
    meta = run_files.read_object(Path(run_dir) / META_FILE, problems)
    spec = run_files.read_object(Path(run_dir) / SPEC_FILE, [])  # its problem is in info.problems already
    trial = run_files.read_object(Path(run_dir) / SWEEP_FILE, problems)
    columns, metrics_problem = read_metrics_checked(Path(run_dir) / METRICS_FILE)
    if metrics_problem:
        problems.append(metrics_problem)
    state = info.state
    if trial.get("state") == "pruned" and state == "stopped":
        state = "pruned"  # stopped by the sweep's pruner, not by a person
    sweep = run_files.text(trial.get("sweep"))
    tags = meta.get("tags")
    return RunRow(
        path=str(Path(run_dir)), title=info.title, state=state,
        backend=run_files.text(s.get("backend")) or info.backend,
        device=run_files.text(s.get("device")) or run_files.text(run_files.mapping(spec.get("training")).get("device")),
        started=info.created, duration=_finite(s.get("seconds")), epochs=run_files.integer(s.get("epochs_run")),
        params=run_files.integer(s.get("params")), samples_per_s=_finite(s.get("samples_per_s")),
        sweep=f"{sweep} #{run_files.display(str(trial.get('trial')))}" if sweep else "",
        final=_figures(metrics.get("validation"), "val_"), best=_best(columns),
        test=_figures(metrics.get("test"), "test_"), spec=spec,
        tags=[run_files.display(str(t)) for t in (tags if isinstance(tags, list) else []) if str(t).strip()],
        note=run_files.text(meta.get("note")), problem="; ".join(problems))


def set_meta(run_dir: str | Path, *, tags: list[str] | None = None, note: str | None = None) -> None:
    """Write a run's tags and/or note into its meta.json (atomically; the other field is kept)."""
    path = Path(run_dir) / META_FILE
    meta = run_files.mapping(read_json(path, {}))
    if tags is not None:
        meta["tags"] = sorted({t.strip() for t in tags if t.strip()})
    if note is not None:
        meta["note"] = note
    write_json_atomic(path, meta)


# ------------------------------------------------------------------------------------------------ the index
class RunIndex:
    """`RunIndex(root).rows()`: every run under `root`, read through the index at `root/INDEX_FILE`."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.path = self.root / INDEX_FILE

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA synchronous = OFF")  # a cache: a torn index is rebuilt, so no fsync per refresh
        db.execute("CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("CREATE TABLE IF NOT EXISTS runs (name TEXT PRIMARY KEY, signature TEXT, row TEXT)")
        found = db.execute("SELECT value FROM info WHERE key = 'schema'").fetchone()
        if found is None or found[0] != str(SCHEMA):
            db.execute("DELETE FROM runs")
            db.execute("INSERT OR REPLACE INTO info VALUES ('schema', ?)", (str(SCHEMA),))
            db.commit()
        return db

    def _open(self) -> sqlite3.Connection:
        """The index, rebuilt when it cannot be read (a torn or foreign file is only a cache)."""
        try:
            db = self._connect()
            db.execute("SELECT count(*) FROM runs").fetchone()
            return db
        except sqlite3.DatabaseError:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            return self._connect()

    def rows(self) -> list[RunRow]:
        """Every run, newest first; the index is brought up to date on the way. A runs folder where the index
        cannot be kept (read-only, the index path taken by a folder) is read without it; a folder holding no
        runs gets no index."""
        dirs = _run_dirs(self.root)
        if not dirs:
            return []
        try:
            out = self._rows_through_index(dirs)
        except (sqlite3.Error, OSError):
            out = [row for path in dirs.values() if (row := read_row(path)) is not None]
        return sorted(out, key=lambda r: r.started, reverse=True)

    def _rows_through_index(self, dirs: dict[str, Path]) -> list[RunRow]:
        db = self._open()
        try:
            known = {name: (sig, row) for name, sig, row in db.execute("SELECT name, signature, row FROM runs")}
            out: list[RunRow] = []
            for name, path in dirs.items():
                sig = _signature(path)
                cached = known.get(name)
                row = None
                if cached and cached[0] == sig:
                    row = _decode(cached[1], path)
                if row is None or row.state == "running":  # a running run's state can end without a file change
                    row = read_row(path)
                    if row is None:
                        continue
                    if _storable(name):
                        db.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, ?)", (name, sig, _encode(row)))
                out.append(row)
            gone = set(known) - set(dirs)
            db.executemany("DELETE FROM runs WHERE name = ?", [(n,) for n in gone])
            db.commit()
        finally:
            db.close()
        return out


def _run_dirs(root: Path) -> dict[str, Path]:
    """The folders under `root` that hold a spec.json: the runs."""
    try:
        return {p.name: p for p in root.iterdir() if p.is_dir() and (p / SPEC_FILE).is_file()}
    except OSError:
        return {}


def _storable(name: str) -> bool:
    """Whether SQLite can key a row by this folder name (one with undecodable bytes is read each time)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _encode(row: RunRow) -> str:
    d = {k: v for k, v in row.__dict__.items() if k not in ("path", "flat")}  # the name is the key: folders move
    return json.dumps(d)


_ROW = TypeAdapter(RunRow)


def _decode(text: Any, path: Path) -> RunRow | None:
    """A cached row, checked field by field: a row of the wrong shape (a crafted or foreign index) is read again
    from the run directory instead."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            return None
        return _ROW.validate_python({**data, "path": str(path)})  # a value of the wrong type fails
    except (TypeError, ValueError, RecursionError, ValidationError):
        return None


# ------------------------------------------------------------------------------------------------ the table
def metric_keys(rows: list[RunRow]) -> list[str]:
    """The metric columns these runs have: final validation, best validation, then test figures."""
    keys: list[str] = []
    for part in ("final", "best", "test"):
        for row in rows:
            for k in getattr(row, part):
                if k not in keys:
                    keys.append(k)
    return keys


def spec_keys(rows: list[RunRow]) -> list[str]:
    """The spec settings in which these runs differ (their title aside): one column each."""
    if len(rows) < 2:
        return []
    # backend, device: columns already; a lesson's goal, steps and hints are no settings to compare runs by
    return [k for k in differing_keys([r.spec for r in rows])
            if not k.startswith(("meta.", "version", "lesson")) and k not in NOT_NAMED]


def table(rows: list[RunRow], sort: str | None = None, descending: bool = False) -> tuple[list[str], list[list[Any]]]:
    """Headings and values of the run table: the fixed columns, the metrics, then the differing spec fields."""
    fixed = [k for k in COLUMNS if k not in OPTIONAL or any(getattr(r, k) for r in rows)]  # no empty column
    keys = [*fixed, *metric_keys(rows), *spec_keys(rows), "tags", "note"]
    if sort:
        if sort not in keys:
            raise KeyError(sort)
        present = [r for r in rows if r.value(sort) is not None]
        missing = [r for r in rows if r.value(sort) is None]  # runs without the figure go last either way
        rows = sorted(present, key=lambda r: _sortable(r.value(sort)), reverse=descending) + missing
    return keys, [[r.value(k) for k in keys] for r in rows]


def cell_text(key: str, v: Any, missing: str = "") -> str:
    """A table value as shown: a start time as a date, floats to 4 significant digits, `missing` for none."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return missing
    if key == "started" and isinstance(v, (int, float)):
        try:
            return time.strftime("%Y-%m-%d %H:%M", time.localtime(v))
        except (OverflowError, OSError, ValueError):
            return missing
    if isinstance(v, float):
        return f"{v:.4g}"
    return run_files.display(str(v))


def _sortable(v: Any) -> tuple[int, Any]:
    return (0, v) if isinstance(v, (int, float)) and not isinstance(v, bool) else (1, str(v))
