"""Session-wide test settings."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_exit_status = 0


def pytest_sessionfinish(session, exitstatus):
    global _exit_status
    _exit_status = int(exitstatus)
    qt = sys.modules.get("PySide6.QtWidgets")
    if qt is not None and qt.QApplication.instance() is not None:
        # tear Qt down while Python is still whole: widgets left for interpreter finalization have aborted
        # the process ("none_dealloc … refcount error in a C extension") after every test had passed
        import gc

        app = qt.QApplication.instance()
        for widget in app.topLevelWidgets():
            widget.close()
            widget.deleteLater()
        app.processEvents()
        gc.collect()


def pytest_unconfigure(config):
    # The report is printed by now; leave without interpreter finalization, which is where the C extension
    # abort above happens (PySide6/pyqtgraph objects collected in arbitrary order), keeping pytest's status.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_status)
