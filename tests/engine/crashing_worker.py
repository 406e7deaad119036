"""A training worker that dies without a word to the event queue, as a segfaulting backend would; like one,
it writes its last words to stderr (captured in the run's child.log, as the real worker does)."""

import os
import signal

from studio.engine.worker import capture_stderr


def main(spec_dict, run_dir, queue, control):
    capture_stderr(run_dir)
    os.write(2, b"Fatal Python error: Segmentation fault (a native crash, simulated)\n")
    if spec_dict["meta"]["title"] == "signal":
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(3)
