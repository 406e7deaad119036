"""Writing where the user points without losing what is there: refuse, stage beside, rename into place.

An export (or any "save as") must never delete what the user did not ask to replace. `refusal` says why a
destination cannot be used (None when it can); `staging_path` names a hidden sibling to write to; `place`
moves the finished sibling over the destination in one rename (a replaced folder is moved aside first and
removed only once the new one is in place), and `discard` removes a sibling that was not finished.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

STAGING_PREFIX = ".partial-"


def _resolved(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def refusal(out: str | Path, keep: list[Path], folder: bool, force: bool,
            no_entry: tuple[Path, ...] | list[Path] = ()) -> str | None:
    """Why `out` must not be written (None if it may).

    `keep` are files and folders the write must never replace, even with `force` (a run directory, its model):
    `out` may be none of them nor a folder holding one. `no_entry` are folders `out` may not lie inside (a
    run's tensorboard/). `folder` says the result is a folder (a SavedModel). An existing file, or a
    non-empty folder, is replaced only with `force`.
    """
    out = _resolved(Path(out))
    for p in map(_resolved, keep):
        if p == out:
            return f"{out} is the run's own {'folder' if p.is_dir() else 'file'}; choose another --out"
        if _within(p, out):
            return f"{out} holds {p} — exporting there would destroy it; choose another --out"
    for p in map(_resolved, no_entry):
        if _within(out, p):
            return f"{out} is inside {p}, one of the run's own folders; choose another --out"
    if out.is_dir():
        if not folder:
            return f"{out} is a folder; give a file name for this format"
        if any(out.iterdir()) and not force:
            return f"{out} is a folder that is not empty; choose another --out, or add --force to replace it"
    elif out.exists():
        if folder:
            return f"{out} is a file, and this format writes a folder; choose another --out"
        if not force:
            return f"{out} already exists; choose another --out, or add --force to replace it"
    return None


def staging_path(out: Path) -> Path:
    """A hidden sibling of `out` that keeps its name's ending (some writers insist on `.weights.h5`)."""
    return out.parent / f"{STAGING_PREFIX}{uuid.uuid4().hex[:8]}-{out.name}"


def place(staging: Path, out: Path) -> None:
    """Move the finished `staging` to `out`; what was at `out` is gone only once the new one is there."""
    if staging.is_dir() and out.exists():
        aside = out.parent / f".replaced-{uuid.uuid4().hex[:8]}-{out.name}"
        os.replace(out, aside)
        try:
            os.replace(staging, out)
        except OSError:
            os.replace(aside, out)
            raise
        discard(aside)
    else:
        os.replace(staging, out)  # atomic over an existing file


def discard(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------------ files for the user
# What makes a folder a run directory, and the files that are its record: never replaced by an output, even with
# --force. A run's own outputs (a CSV the user asks for beside it) may be written into it; another run's never.
RUN_MARKERS = ("spec.json", "status.json")
RUN_RECORD = ("spec.json", "status.json", "events.jsonl", "metrics.csv", "summary.json", "meta.json", "sweep.json",
              "boundary.json", "child.log", "model.keras", "best.keras", "evaluation.json", "evaluation.npz",
              "evaluation-best.json", "evaluation-best.npz", "coach.jsonl")


def run_dir_of(path: Path) -> Path | None:
    """The run directory `path` is (or lies inside), or None."""
    for folder in (path, *path.parents):
        if all((folder / name).is_file() for name in RUN_MARKERS):
            return folder
    return None


def _inside_run(out: Path, own_run: Path | None, option: str) -> str | None:
    run = run_dir_of(out.parent) or (run_dir_of(out) if out.is_dir() else None)
    if run is None:
        return None
    if own_run is None or run != _resolved(Path(own_run)):
        return (f"{option} {out}: is inside the run directory {run}, whose files are that run's record; "
                "choose a place outside it")
    if out.parent == run and out.name in RUN_RECORD:
        return f"{option} {out}: is the run's own {out.name}; choose another name"
    return None


def _writable(folder: Path, option: str, shown: Path) -> str | None:
    """Whether a file can be created in `folder` (tried: /proc, a read-only mount, no permission)."""
    probe = folder / f"{STAGING_PREFIX}{uuid.uuid4().hex[:8]}-probe"
    try:
        with open(probe, "x"):
            pass
        probe.unlink()
    except OSError as exc:
        return f"{option} {shown}: cannot write in {folder} ({exc.strerror or exc}); choose a folder you can write to"
    return None


def output_file_problem(out: str | Path, option: str, force: bool, own_run: Path | None = None) -> str | None:
    """Why a file the program writes for the user (a table, a metrics CSV) must not be written at `out`, or
    None. `own_run` is the run the file belongs to: it may go inside that run, never over its record."""
    if not str(out).strip():
        return f"{option}: give a file name, e.g. {option} table.csv"
    shown = Path(out)
    path = _resolved(Path(out).expanduser())
    if path.is_dir():
        return f"{option} {shown}: is a folder; give a file name, e.g. {shown / 'table.csv'}"
    if not path.parent.exists():
        return f"{option} {shown}: the folder {path.parent} does not exist; create it first or choose another"
    if not path.parent.is_dir():
        return f"{option} {shown}: {path.parent} is a file, not a folder"
    if why := _inside_run(path, own_run, option):
        return why
    if path.exists() and not force:
        return f"{option} {shown}: already exists; choose another name, or add --force to replace it"
    return _writable(path.parent, option, shown)


def output_folder_problem(out: str | Path, option: str, names: tuple[str, ...] = (), force: bool = False,
                          own_run: Path | None = None) -> str | None:
    """Why a folder the program writes `names` into must not be `out` (it is made when missing), or None."""
    if not str(out).strip():
        return f"{option}: give a folder"
    shown = Path(out)
    path = _resolved(Path(out).expanduser())
    for folder in (path, *path.parents):
        if folder.exists() and not folder.is_dir():
            what = "is a file" if folder == path else f"is under {folder}, which is a file"
            return f"{option} {shown}: {what}, not a folder; choose a folder"
    run = run_dir_of(path)
    if run is not None and (own_run is None or run != _resolved(Path(own_run))):
        return (f"{option} {shown}: is inside the run directory {run}, whose files are that run's record; "
                "choose a folder outside it")
    if run is None and not force:
        there = [n for n in names if (path / n).exists()]
        if there:
            return f"{option} {shown}: already holds {', '.join(there)}; choose another folder, or add --force"
    existing = next(f for f in (path, *path.parents) if f.exists())
    return _writable(existing, option, shown)


def write_text_atomic(out: str | Path, text: str) -> Path:
    """Write `text` to a hidden sibling and rename it over `out`: a reader sees the old file or the new one."""
    out = Path(out).expanduser()
    staging = staging_path(out)
    try:
        with open(staging, "x", encoding="utf-8", errors="backslashreplace", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(staging, 0o644)
        place(staging, out)
    except BaseException:
        discard(staging)
        raise
    return out
