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

from studio.core import diskspace
from studio.core.events import Boundary, Event, from_dict

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
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return default


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
    path = Path(run_dir)
    spec = read_json(path / SPEC_FILE)
    if not isinstance(spec, dict):
        return None
    status = read_json(path / STATUS_FILE, {}) or {}
    state = status.get("state", "interrupted")
    if state == "running" and not _alive(status.get("pid")):
        state = "interrupted"  # the process that wrote it is gone: it crashed or was killed
    return RunInfo(path=path, title=spec.get("meta", {}).get("title", path.name), state=state,
                   created=status.get("created", path.stat().st_mtime),
                   backend=spec.get("training", {}).get("backend", ""),
                   summary=read_json(path / SUMMARY_FILE, {}) or {}, reason=status.get("reason", ""))


def list_runs(root: str | Path) -> list[RunInfo]:
    """Every readable run under `root`, newest first."""
    root = Path(root)
    if not root.is_dir():
        return []
    runs = [r for r in (read_run(p) for p in root.iterdir() if p.is_dir()) if r]
    return sorted(runs, key=lambda r: r.created, reverse=True)


def read_events(run_dir: str | Path) -> Iterator[dict[str, Any]]:
    """Events of a run; a torn last line (a crash mid-write) is skipped."""
    try:
        with open(Path(run_dir) / EVENTS_FILE, encoding="utf-8") as f:
            for line in f:
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue
    except FileNotFoundError:
        return


def read_boundary(run_dir: str | Path) -> Boundary | None:
    """The last decision boundary a run recorded, or None."""
    data = read_json(Path(run_dir) / BOUNDARY_FILE)
    try:
        event = from_dict(data) if isinstance(data, dict) else None
        return event if isinstance(event, Boundary) else None
    except (KeyError, TypeError):
        return None


def read_metrics(run_dir: str | Path) -> dict[str, list[float]]:
    """metrics.csv as columns of floats; a torn last row is skipped."""
    try:
        with open(Path(run_dir) / METRICS_FILE, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
    except FileNotFoundError:
        return {}
    if not rows:
        return {}
    header, body = rows[0], [r for r in rows[1:] if len(r) == len(rows[0])]
    cols: dict[str, list[float]] = {h: [] for h in header}
    for r in body:
        try:
            values = [float(v) if v != "" else float("nan") for v in r]
        except ValueError:
            continue
        for h, v in zip(header, values, strict=True):
            cols[h].append(v)
    return cols
