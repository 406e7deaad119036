"""Run directories: one folder per training, readable whatever moment a crash strikes.

    <root>/<YYYYmmdd-HHMMSS>-<slug>/
        spec.json       the spec that ran (written first, atomically)
        status.json     running | finished | stopped | failed, with the reason (atomic)
        events.jsonl    every event, one JSON object a line, flushed as it happens
        metrics.csv     one row per epoch, flushed as it happens
        boundary.json   the last decision boundary of two-feature data (written at the end, atomically)
        summary.json    final metrics and facts (atomic)
        model.keras     the final model;  best.keras  the best checkpoint;  tensorboard/  event files

JSON documents are written to a temporary file and renamed over the old one, so a reader sees the old or
the new file, never half of one. Append-only files may lose at most their last, partial line, which the
readers skip. Every file is made 0644, like the ones `open` makes (mkstemp's would be 0600).

One writer at a time: the process that starts a run creates the folder (spec.json and a first status);
from the moment its child starts, the child alone writes status.json, events.jsonl and the rest (it marks
the run with its own pid first), also when the app went away. The parent writes again only once the child
has ended without its terminal event (a crash, a kill): then nobody else can record the Failed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core import diskspace, run_files
from studio.core.events import Boundary, Event, checked

SPEC_FILE = "spec.json"
STATUS_FILE = "status.json"
EVENTS_FILE = "events.jsonl"
METRICS_FILE = "metrics.csv"
SUMMARY_FILE = "summary.json"
MODEL_FILE = "model.keras"
BEST_FILE = "best.keras"
TENSORBOARD_DIR = "tensorboard"
BOUNDARY_FILE = "boundary.json"
CHILD_LOG = "child.log"  # what the training process wrote to stderr: backend start-up lines, a crash's last words


def log_tail(run_dir: str | Path, lines: int = 30) -> str:
    """The last lines of a run's child.log ('' when there is none)."""
    try:
        with open(Path(run_dir) / CHILD_LOG, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - 64_000))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


FILE_MODE = 0o644


def write_atomic(path: str | Path, text: str) -> None:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):  # not on Windows
            os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: str | Path, data: Any) -> None:
    write_atomic(path, json.dumps(data, indent=2, default=_jsonable) + "\n")


def _jsonable(obj: Any) -> Any:
    if hasattr(obj, "item"):
        return obj.item()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    return str(obj)


def read_json(path: str | Path, default: Any = None) -> Any:
    """The JSON value in `path`, or `default` when it is missing or unreadable (see run_files for why)."""
    value, problem, exists = run_files.read_checked(path)
    return default if problem or not exists else value


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "run"


def create_run_dir(root: str | Path, spec_dict: dict[str, Any]) -> Path:
    """A new, uniquely named run directory holding spec.json and a 'running' status."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    slug = _slug(spec_dict.get("meta", {}).get("title", "run"))
    for n in range(1000):
        path = root / (f"{stamp}-{slug}" + (f"-{n}" if n else ""))
        try:
            path.mkdir()
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - a thousand runs in one second
        raise RuntimeError(f"cannot create a run directory in {root}")
    write_json_atomic(path / SPEC_FILE, spec_dict)
    set_status(path, "running", pid=os.getpid())
    return path


def set_status(run_dir: str | Path, state: str, **extra: Any) -> None:
    path = Path(run_dir) / STATUS_FILE
    old = read_json(path, {}) or {}
    old.update(state=state, updated=time.time(), **extra)
    old.setdefault("created", old["updated"])
    try:
        write_json_atomic(path, old)
    except OSError as exc:
        if not diskspace.is_disk_full(exc) or not path.is_file():
            raise
        # no room for a second copy: rewrite the small file over its own blocks, so a run whose disk filled up
        # is not left "running"
        with open(path, "r+", encoding="utf-8") as f:
            f.write(json.dumps(old, indent=2, default=_jsonable) + "\n")
            f.truncate()


class RunWriter:
    """Appends events and per-epoch metrics as they arrive; each line is flushed at once."""

    def __init__(self, run_dir: str | Path):
        self.dir = Path(run_dir)
        self._events = open(self.dir / EVENTS_FILE, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - open until close()
        self._metrics: io.TextIOWrapper | None = None
        self._columns: list[str] = []
        self._boundary: Boundary | None = None

    def event(self, event: Event) -> None:
        if isinstance(event, Boundary):  # a 4 KB image several times a second: only the last one is kept
            self._boundary = event
            return
        self._events.write(json.dumps(event.to_dict(), default=_jsonable) + "\n")

    def epoch(self, epoch: int, logs: dict[str, float], learning_rate: float, seconds: float) -> None:
        diskspace.fault(self.dir / METRICS_FILE)
        row = {"epoch": epoch + 1, **logs, "learning_rate": learning_rate, "seconds": seconds}
        if self._metrics is None:
            self._columns = list(row)
            new = not (self.dir / METRICS_FILE).exists()
            self._metrics = open(self.dir / METRICS_FILE, "a", encoding="utf-8", newline="", buffering=1)  # noqa: SIM115
            if new:
                csv.writer(self._metrics).writerow(self._columns)
        csv.writer(self._metrics).writerow([row.get(c, "") for c in self._columns])
        self._metrics.flush()

    def close(self) -> None:
        if self._boundary is not None:
            try:
                write_json_atomic(self.dir / BOUNDARY_FILE, self._boundary.to_dict())
            except OSError:
                pass  # a picture of the last epoch: never worth failing a run's close (e.g. on a full disk)
            self._boundary = None
        for f in (self._events, self._metrics):
            if f is not None and not f.closed:
                f.close()


# ------------------------------------------------------------------------------------------------ reading
@dataclass
class RunInfo:
    path: Path
    title: str
    state: str  # running | finished | stopped | failed | interrupted
    created: float
    backend: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    problems: list[str] = field(default_factory=list)  # what is damaged in the run's files

    @property
    def name(self) -> str:
        return self.path.name


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_run(run_dir: str | Path) -> RunInfo | None:
    """A run directory's facts; None for a folder without spec.json. Damaged files never raise: the run is
    "damaged" when its spec or status cannot be read, and `problems` says what is wrong."""
    path = Path(run_dir)
    if not (path / SPEC_FILE).is_file():
        return None
    problems: list[str] = []
    spec = run_files.read_object(path / SPEC_FILE, problems)
    status = run_files.read_object(path / STATUS_FILE, problems)
    summary = run_files.read_object(path / SUMMARY_FILE, problems)
    state = run_files.text(status.get("state")) or "interrupted"
    pid = run_files.integer(status.get("pid"))
    if state == "running" and not _alive(pid):
        state = "interrupted"  # the process that wrote it is gone: it crashed or was killed
    if any(p.startswith((SPEC_FILE, STATUS_FILE)) for p in problems):
        state = "damaged"
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    meta, training = run_files.mapping(spec.get("meta")), run_files.mapping(spec.get("training"))
    return RunInfo(path=path, title=run_files.text(meta.get("title")) or run_files.display(path.name), state=state,
                   created=run_files.number(status.get("created")) or mtime,
                   backend=run_files.text(training.get("backend")), summary=summary,
                   reason=run_files.text(status.get("reason")), problems=problems)


def list_runs(root: str | Path) -> list[RunInfo]:
    """Every readable run under `root`, newest first."""
    root = Path(root)
    if not root.is_dir():
        return []
    runs = [r for r in (read_run(p) for p in root.iterdir() if p.is_dir()) if r]
    return sorted(runs, key=lambda r: r.created, reverse=True)


def read_events(run_dir: str | Path) -> Iterator[dict[str, Any]]:
    """Events of a run (JSON objects); a torn last line (a crash mid-write) or a damaged one is skipped."""
    try:
        with open(Path(run_dir) / EVENTS_FILE, encoding="utf-8", errors="replace") as f:
            for line in f:
                try:
                    event = json.loads(line)
                except (ValueError, RecursionError):
                    continue
                if isinstance(event, dict):
                    yield event
    except OSError:
        return


def read_boundary(run_dir: str | Path) -> Boundary | None:
    """The last decision boundary a run recorded, or None (also for one whose fields or pictures are damaged)."""
    event = checked(read_json(Path(run_dir) / BOUNDARY_FILE))
    if not isinstance(event, Boundary):
        return None
    try:
        event.arrays()  # pictures of the size it claims
    except (ValueError, TypeError):
        return None
    return event


def read_metrics(run_dir: str | Path) -> dict[str, list[float]]:
    """metrics.csv as columns of floats; a torn last row is skipped, an unreadable file reads as none."""
    return run_files.read_metrics_checked(Path(run_dir) / METRICS_FILE)[0]
