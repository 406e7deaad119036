"""Stand-in job handlers for the runner's protocol tests: light (no keras), each shows one behaviour."""

from __future__ import annotations

import errno
import os
import sys
import time
from pathlib import Path

from studio.core import events as ev


def noisy(payload, channel):
    """Writes to stdout the ways a backend's banner or a user's print would, between its events."""
    print("TensorFlow banner on stdout")
    os.write(1, b"a C++ library writing straight to fd 1\n")
    channel.emit(ev.Log(message="still here"))
    sys.stdout.write('{"event": "Failed", "reason": "forged", "message": "a print that looks like an event"}\n')
    sys.stdout.flush()
    return {"answer": 42}


def controlled(payload, channel):
    """Reports each control it sees until stop, then answers requests until their stream ends."""
    control = channel.control
    channel.emit(ev.Log(message="ready"))
    while not control.pause_requested():
        time.sleep(0.01)
    channel.emit(ev.Log(message="paused"))
    while not control.stop_requested():
        time.sleep(0.01)
    channel.emit(ev.Log(message="stopped"))
    while (req := channel.requests.get()) is not None:
        if req["op"] == "double":
            channel.emit(ev.Result(id=req["request"], data={"y": [2 * v for v in req["x"]]}))
        else:
            channel.emit(ev.Result(id=req["request"], data={}, error=f"unknown op {req['op']}"))


def fails(payload, channel):
    kind = payload["error"]
    if kind == "data":
        from studio.data.dataset import DataError

        raise DataError("column `price` has text in row 3; fix the file or pick another target")
    if kind == "memory":
        raise MemoryError
    if kind == "disk":
        raise OSError(errno.ENOSPC, "No space left on device")
    raise RuntimeError("a bug")


def sleeps(payload, channel):
    time.sleep(600)


def waits(payload, channel):
    """Notes in a file when its parent went away (EOF on stdin), as the real handlers clean up."""
    marker = Path(payload["marker"])
    channel.on_gone(lambda: marker.write_text("gone"), grace=0.5)
    channel.emit(ev.Log(message="waiting"))
    time.sleep(600)


def dies(payload, channel):
    os.write(2, b"last words before the crash\n")
    os._exit(9)


def leaves_a_grandchild(payload, channel):
    """Starts a long-lived process with the default (inherited) descriptors, then dies."""
    import subprocess

    child = subprocess.Popen([sys.executable, "-c", "import sys, time; sys.stdin.read(); time.sleep(30)"])
    Path(payload["pid"]).write_text(str(child.pid))
    os._exit(4)


def saves_then_waits(payload, channel):
    """A training that has saved its final model (model.keras) and is still at work after it (its evaluation),
    deaf to stop: only a kill ends it."""
    run_dir = Path(payload["run_dir"])
    if payload["spec"]["meta"].get("description") != "no model":
        (run_dir / "model.keras").write_bytes(b"a saved model")
    (run_dir / "best.keras").write_bytes(b"a checkpoint")
    channel.emit(ev.Log(message="saved"))
    time.sleep(600)
