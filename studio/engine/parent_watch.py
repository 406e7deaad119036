"""A child process notices when the process that started it is gone (killed with -9, crashed, closed).

Without this a training child whose app was killed trains on under init, then hangs at exit flushing a
queue nobody reads, and its run stays "running". `watch` starts a daemon thread that waits on
multiprocessing's parent sentinel (a pipe that reaches EOF when the parent dies, on every platform) or, in a
child started with subprocess, polls `os.getppid()` (it changes when the child is re-parented to init or a
subreaper). When the parent is gone it calls `on_gone` once; if the child is still alive `grace` seconds
later it ends it with os._exit.

PR_SET_PDEATHSIG is not used: Linux sends it when the *thread* that started the child ends, and the app
starts children from worker threads that end long before the child should.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import wait

INTERVAL_S = 0.25
GONE_EXIT_CODE = 75  # a child that had to end itself because its parent was gone


def _parent_gone_waiter() -> Callable[[float], bool]:
    """A function that waits up to t seconds and says whether the parent is gone."""
    parent = multiprocessing.parent_process()
    sentinel = getattr(parent, "sentinel", None)
    if sentinel is not None:
        return lambda t: bool(wait([sentinel], t))
    ppid = os.getppid()
    win32 = sys.platform == "win32"  # no re-parenting to see; a subprocess child there is ended by its pipes

    def slept_and_orphaned(t: float) -> bool:
        time.sleep(t)
        return not win32 and os.getppid() != ppid

    return slept_and_orphaned


def watch(on_gone: Callable[[], None], grace: float = 60.0, interval: float = INTERVAL_S) -> threading.Thread:
    """Call `on_gone` (on the watcher thread) once the parent is gone; hard-exit `grace` seconds later."""
    gone = _parent_gone_waiter()

    def loop() -> None:
        while not gone(interval):
            pass
        try:
            on_gone()
        finally:
            time.sleep(grace)
            os._exit(GONE_EXIT_CODE)

    thread = threading.Thread(target=loop, name="keras-studio-parent-watch", daemon=True)
    thread.start()
    return thread
