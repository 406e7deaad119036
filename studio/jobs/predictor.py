"""Keep one trained model loaded in a child process and ask it for predictions (keras-free here).

For the "try it" panel: drawing on a canvas submits a new input at every stroke; `submit` keeps at most
one request in flight and only the newest waiting input, so the answers keep up with the pen instead of
queueing behind it. `poll` (from a QTimer) returns the newest answer, without blocking.

    p = Predictor("run/model.keras", spec_dict, "jax"); info = p.start()    # waits until loaded
    p.submit(x); ... answer = p.poll()       # or, blocking: y = p.predict(x)
    p.close()
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import time
from pathlib import Path
from typing import Any

from studio.jobs.evaluate_job import JobError

WORKER = "studio.engine.predictor_worker"


def _child(module: str, *args: Any) -> None:
    import importlib

    importlib.import_module(module).main(*args)


class Predictor:
    def __init__(self, model_path: str | Path, spec: dict | None, backend: str, device: str = "cpu"):
        self.model_path = str(model_path)
        self.spec = spec
        self.backend = backend
        self.device = device
        self.info: dict[str, Any] = {}
        self._ctx = mp.get_context("spawn")
        self._conn: Any = None
        self.process: Any = None
        self._ids = itertools.count(1)
        self._in_flight: int | None = None
        self._waiting: tuple[str, dict] | None = None
        self.last_error = ""

    # -------------------------------------------------------------------------------- lifecycle
    def launch(self) -> None:
        """Start the child without waiting (see `ready`)."""
        parent, child = self._ctx.Pipe()
        self._conn = parent
        self.process = self._ctx.Process(target=_child, name="keras-studio-predictor", daemon=True,
                                         args=(WORKER, child, self.model_path, self.spec, self.backend, self.device))
        self.process.start()
        child.close()

    def ready(self, timeout: float = 0.0) -> bool:
        """True once the model is loaded; JobError if the child failed."""
        if self.info:
            return True
        if self._conn is None:
            raise JobError("the predictor was not started")
        if self._conn.poll(timeout):
            try:
                msg = self._conn.recv()
            except (EOFError, OSError):
                msg = {"error": "the predictor process ended while loading the model"}
            if "error" in msg:
                self.close()
                raise JobError(msg["error"], "predictor", msg.get("details", ""))
            self.info = msg["ready"]
            return True
        if not self.process.is_alive():
            code = self.process.exitcode
            self.close()
            raise JobError(f"the predictor process ended while loading the model (exit code {code})", "crashed")
        return False

    def start(self, timeout: float = 120) -> dict[str, Any]:
        self.launch()
        end = time.monotonic() + timeout
        while not self.ready(0.1):
            if time.monotonic() > end:
                self.close()
                raise JobError(f"the model did not load within {timeout:.0f} s", "timeout")
        return self.info

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.is_alive()

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.send({"op": "stop"})
            except (OSError, ValueError, BrokenPipeError):
                pass
        if self.process is not None:
            self.process.join(timeout=5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(timeout=5)
        if self._conn is not None:
            self._conn.close()
        self._conn = None
        self.process = None

    # -------------------------------------------------------------------------------- requests
    def _send(self, op: str, payload: dict) -> int:
        rid = next(self._ids)
        self._conn.send({"id": rid, "op": op, **payload})
        self._in_flight = rid
        return rid

    def submit(self, x: Any, op: str = "predict", **payload: Any) -> None:
        """Ask for a prediction; while one is in flight, only the newest input waits for its turn."""
        data = dict(payload)
        if op == "predict":
            data["x"] = x
        if self._in_flight is None:
            self._send(op, data)
        else:
            self._waiting = (op, data)

    def poll(self) -> dict[str, Any] | None:
        """The newest answer that arrived (None if none); sends the waiting input when the pipe is free."""
        answer = None
        if self._conn is None:
            return None
        try:
            while self._conn.poll():
                msg = self._conn.recv()
                if msg.get("id") == self._in_flight:
                    self._in_flight = None
                answer = msg
        except (EOFError, OSError):
            self.last_error = "the predictor process ended"
            return {"error": self.last_error}
        if self._in_flight is None and self._waiting is not None:
            op, data = self._waiting
            self._waiting = None
            self._send(op, data)
        return answer

    def request(self, op: str, timeout: float = 60, **payload: Any) -> dict[str, Any]:
        """A blocking request; raises JobError with the child's message on failure."""
        if not self.ready(0):
            self.start()
        while self._in_flight is not None:  # let an earlier answer arrive first
            if not self._conn.poll(timeout):
                raise JobError("the predictor did not answer", "timeout")
            self.poll()
        self._waiting = None
        rid = self._send(op, payload)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self._conn.poll(0.05):
                msg = self._conn.recv()
                if msg.get("id") == rid:
                    self._in_flight = None
                    if "error" in msg:
                        raise JobError(msg["error"], "predict")
                    return msg
            elif not self.alive:
                raise JobError("the predictor process ended", "crashed")
        raise JobError(f"no answer within {timeout:.0f} s", "timeout")

    def predict(self, x: Any, timeout: float = 60):
        return self.request("predict", timeout, x=x)["y"]
