"""What a child job does when the process that started it is gone (killed with -9, crashed, closed).

Without this a training child whose app was killed trains on under init and its run stays "running".
The runner reads its control stream (stdin, a pipe from the parent) on a thread; EOF there is the portable
sign that the parent went away, since the kernel closes the parent's end whatever way it ended. Then
`after_gone` calls the job's `on_gone` (stop after this batch, remove staged files …) and, if the
process is still alive `grace` seconds later, ends it with os._exit.

PR_SET_PDEATHSIG is not used: Linux sends it when the *thread* that started the child ends, and the app
starts children from worker threads that end long before the child should.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

GONE_EXIT_CODE = 75  # a child that had to end itself because its parent was gone


def after_gone(on_gone: Callable[[], None], grace: float = 60.0) -> threading.Thread:
    """Call `on_gone` on a daemon thread, then hard-exit `grace` seconds later."""

    def run() -> None:
        try:
            on_gone()
        finally:
            time.sleep(grace)
            os._exit(GONE_EXIT_CODE)

    thread = threading.Thread(target=run, name="keras-studio-parent-gone", daemon=True)
    thread.start()
    return thread
