"""The last line of defence: a Python error escaping a Qt slot goes to the log (with its traceback as a
collapsed detail) and the status bar, instead of a console the user never sees. The window stays up and the
project is kept (autosave), so one broken panel never costs the user their work."""

from __future__ import annotations

import sys
import traceback
from types import TracebackType


def install(window) -> None:
    """Route unexpected exceptions to `window.report_unexpected(summary, details)` (the real app only: under
    pytest-qt its own hook must see them, so tests fail on them)."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, exc, tb)
            return
        details = "".join(traceback.format_exception(kind, exc, tb))
        sys.stderr.write(details)  # kept on the console for bug reports
        try:
            window.report_unexpected(f"{kind.__name__}: {exc}", details)
        except Exception:  # noqa: BLE001 - the window itself may be what broke
            previous(kind, exc, tb)

    sys.excepthook = hook
