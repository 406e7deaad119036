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
