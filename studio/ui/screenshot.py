"""Render the main window to a PNG without a screen (QT_QPA_PLATFORM=offscreen works) and return."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication


def settle(ms: int = 300) -> None:
    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        QCoreApplication.processEvents()
        time.sleep(0.01)


def take(window: Any, path: str | Path) -> Path:  # a MainWindow (not imported: it imports this module)
    """Wait for the data shape and previews, then grab the window into `path`."""
    window.checker.wait_data()
    window.background.pool.waitForDone(10000)
    settle(400)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path)):
        raise OSError(f"cannot write {path}")
    return path
