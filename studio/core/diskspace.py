"""A full disk during a run: recognise it, clean up after it, and say how much room was needed.

`fault(path)` is the test hook: with KERAS_STUDIO_FAULT_ENOSPC=<file name> in the environment, the run-dir
writers raise the same OSError(ENOSPC) a full disk gives when they write that file ("model.keras",
"metrics.csv", "best.keras#2" for its second write). Tests use it because filling a real file system needs
privileges CI does not have.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

FAULT_ENV = "KERAS_STUDIO_FAULT_ENOSPC"
DISK_FULL = "disk_full"  # the failure reason
PARTIAL_PREFIX = ".partial-"
_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


_writes: dict[str, int] = {}


def fault(path: str | Path) -> None:
    """Raise what a full disk raises when the test hook names this file (no-op otherwise); "NAME#N" fills
    the disk at the N-th write of that file, so the earlier ones succeed."""
    hook = os.environ.get(FAULT_ENV)
    if not hook:
        return
    name, _, nth = hook.partition("#")
    if Path(path).name != name:
        return
    _writes[name] = _writes.get(name, 0) + 1
    if _writes[name] >= int(nth or 1):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


def is_disk_full(exc: BaseException | None) -> bool:
    """True when `exc` (or what caused it: Keras and h5py wrap OS errors) is a full disk or quota."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
            return True
        if "no space left on device" in str(exc).lower() or "disk quota exceeded" in str(exc).lower():
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def remove_partials(folder: str | Path) -> int:
    """Delete the half-written files a failed save left in `folder`; the bytes they held."""
    freed = 0
    for p in Path(folder).glob(f"{PARTIAL_PREFIX}*"):
        try:
            freed += p.stat().st_size
            p.unlink()
        except OSError:
            pass
    return freed


def mb(n: float) -> str:
    return f"{n / 1e6:.1f}"


def message(folder: str | Path, needed: int) -> str:
    """'disk full: N MB needed in DIR …' — with what is free now that the partial files are gone."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = 0
    return (f"disk full: {mb(needed)} MB needed in {folder} ({mb(free)} MB free now). Free some space, or train "
            "into a folder on another disk (--out), and start the run again.")
