"""Session-wide test settings."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_exit_status = 0


def pytest_sessionfinish(session, exitstatus):
    global _exit_status
    _exit_status = int(exitstatus)


def pytest_unconfigure(config):
    # The report is printed by now. Leave without interpreter finalization: PySide6/pyqtgraph objects
    # collected there in arbitrary order have aborted a fully passing run ("none_dealloc … refcount error
    # in a C extension", exit 134). pytest's own exit status is kept.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_status)
