"""A train handler that dies without a word on the event stream, as a segfaulting backend would; like one,
it writes its last words to stderr (the run's child.log, as for the real handler)."""

import os
import signal

from studio.core.spec import parse_spec


def run(payload, channel):
    os.write(2, b"Fatal Python error: Segmentation fault (a native crash, simulated)\n")
    if parse_spec(payload["spec"]).meta.title == "signal":
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(3)
