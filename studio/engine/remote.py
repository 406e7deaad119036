"""The child's side of a job sent to a remote executor (a Ray job): `python -m studio.engine.runner
--request-b64 TEXT`.

A remote job has no stdin: the request comes as base64 JSON on the command line, and a stop is the signal
the cluster sends (Ray's `stop_job` sends SIGTERM, then SIGKILL after RAY_JOB_STOP_WAIT_TIME_S), taken
here as a stop request: the training finishes its batch and saves its model. The run directory the parent
named is created in a temporary folder on the cluster's machine; when the handler is done, the whole folder
goes back as Artifact events (a .tar.gz in base64 pieces) on the same event stream, so nothing needs a
storage path that both sides see.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import signal
import tarfile
import tempfile
import threading
from pathlib import Path
from typing import Any

from studio.core import events as ev
from studio.core.runs import SPEC_FILE, set_status, write_json_atomic

FLAG = "--request-b64"
ARCHIVE = "run.tar.gz"
UNSET_OMP = "KERAS_STUDIO_UNSET_OMP"  # set by the client when the job's runtime_env does not set OMP_NUM_THREADS
CHUNK = 48_000  # base64 characters per Artifact line, well below what a log follower handles in one line


def request_from(argv: list[str]) -> dict[str, Any] | None:
    """The request given as `--request-b64 TEXT`; None when the request comes on stdin."""
    if len(argv) != 2 or argv[0] != FLAG:
        return None
    if os.environ.pop(UNSET_OMP, None):  # before a backend is imported: Ray's OMP_NUM_THREADS=1 (it gives
        os.environ.pop("OMP_NUM_THREADS", None)  # its job supervisor no CPU) would make a training use 1 core
    return json.loads(base64.b64decode(argv[1]))


def stop_on_sigterm(control: Any) -> None:
    """SIGTERM (a cluster's stop) asks for a stop like the app's Stop. The stop is set from a thread: the
    handler runs between two bytecodes of the main thread, which may hold the Event's lock right then."""

    def handler(signum, frame):
        threading.Thread(target=control.stop, name="keras-studio-sigterm", daemon=True).start()

    signal.signal(signal.SIGTERM, handler)


class RunDirShipper:
    """Creates the job's run directory here (spec.json and a 'running' status, as the parent does locally)
    and sends it back as Artifact events once the handler is done."""

    def __init__(self, payload: dict[str, Any]):
        self.root = Path(tempfile.mkdtemp(prefix="keras-studio-remote-"))
        self.run_dir = self.root / (Path(str(payload["run_dir"])).name or "run")
        self.run_dir.mkdir()
        if isinstance(payload.get("spec"), dict):
            write_json_atomic(self.run_dir / SPEC_FILE, payload["spec"])
        set_status(self.run_dir, "running", pid=os.getpid())
        payload["run_dir"] = str(self.run_dir)

    def ship(self, emit) -> None:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            tar.add(self.run_dir, arcname=".")
        text = base64.b64encode(buffer.getvalue()).decode("ascii")
        pieces = [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]
        for index, piece in enumerate(pieces):
            emit(ev.Artifact(name=ARCHIVE, index=index, count=len(pieces), data=piece))
        shutil.rmtree(self.root, ignore_errors=True)
