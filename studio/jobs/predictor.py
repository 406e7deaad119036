"""Keep one trained model loaded in a child job ("predict") and ask it for predictions (keras-free here).

The job runs in the backend's warm worker (`studio.jobs.workers`): a second model, or the same one opened
again, loads without a backend start; if that worker dies, the model is loaded again in a fresh one and
the request in flight is sent again.

For the "try it" panel: drawing on a canvas submits a new input at every stroke; `submit` keeps at most
one request in flight and only the newest waiting input, so the answers keep up with the pen instead of
queueing behind it. `poll` (from a QTimer) returns the newest answer, without blocking.

    p = Predictor("run/model.keras", spec_dict, "jax"); info = p.start()    # waits until loaded
    p.submit(x); ... answer = p.poll()       # or, blocking: y = p.predict(x)
    p.close()
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

from studio.core import events as ev
from studio.jobs import workers
from studio.jobs.errors import JobError
from studio.jobs.job import Job
from studio.jobs.workers import WorkerJob

ARRAYS = ("y", "t", "v", "series")  # answer fields that come back as numpy arrays


def _answer(result: ev.Result) -> dict[str, Any]:
    import numpy as np

    if result.error:
        return {"id": result.id, "error": result.error}
    return {"id": result.id, **{k: np.asarray(v) if k in ARRAYS else v for k, v in result.data.items()}}


class Predictor:
    def __init__(self, model_path: str | Path, spec: dict | None, backend: str, device: str = "cpu"):
        self.model_path = str(model_path)
        self.spec = spec
        self.backend = backend
        self.device = device
        self.info: dict[str, Any] = {}
        self.job: Job | WorkerJob | None = None
        self._ids = itertools.count(1)
        self._in_flight: int | None = None
        self._in_flight_request: tuple[str, dict] | None = None
        self.revivals = 0  # how often the model was loaded again after its worker died
        self._waiting: tuple[str, dict] | None = None
        self._answers: list[dict[str, Any]] = []
        self.last_error = ""

    # -------------------------------------------------------------------------------- lifecycle
    def launch(self) -> None:
        """Start loading the model in the backend's warm worker, without waiting (see `ready`)."""
        payload = {"model": self.model_path, "spec": self.spec, "backend": self.backend, "device": self.device}
        self.job = workers.start_job("predict", payload, self.backend, self.device)

    def _revive(self) -> bool:
        """The worker that held the loaded model died (killed, crashed): load it again in a fresh one and
        send again what was in flight. False when the model itself failed, or the worker keeps dying."""
        if self.job is None or not isinstance(self.job.terminal, ev.Failed) or not isinstance(self.job, WorkerJob):
            return False
        if self.job.terminal.reason not in (ev.CRASHED, ev.KILLED) or self.revivals >= (3 if self.info else 1):
            return False
        self.revivals += 1
        self.job.close(0)
        pending, rid = self._in_flight_request, self._in_flight
        self.launch()
        if pending is not None and rid is not None:
            self._send(*pending, rid=rid)
        return True

    def _pump(self, timeout: float = 0.0) -> None:
        """Take the events that arrived: Ready fills `info`, Results queue up as answers."""
        assert self.job is not None
        for event in self.job.poll(timeout):
            if isinstance(event, ev.Ready):
                self.info = event.info
            elif isinstance(event, ev.Result):
                if event.id == self._in_flight:
                    self._in_flight, self._in_flight_request = None, None
                self._answers.append(_answer(event))
            elif isinstance(event, ev.Failed):
                self.last_error = event.message

    def ready(self, timeout: float = 0.0) -> bool:
        """True once the model is loaded; JobError if the child failed."""
        if self.info:
            return True
        if self.job is None:
            raise JobError("the predictor was not started")
        self._pump(timeout)
        if self.info:
            return True
        failed = self.job.terminal
        if isinstance(failed, ev.Failed) and self._revive():
            return False
        if isinstance(failed, ev.Failed):
            self.close()
            raise JobError(failed.message or "the predictor process ended while loading the model", failed.reason,
                           failed.details)
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
        return self.job is not None and self.job.alive and self.job.terminal is None

    def close(self) -> None:
        """End the child: EOF on its request stream ends it (killed if it does not within 5 s)."""
        if self.job is not None:
            self.job.close(5)
        self.job = None

    # -------------------------------------------------------------------------------- requests
    def _send(self, op: str, payload: dict, rid: int | None = None) -> int:
        assert self.job is not None
        rid = next(self._ids) if rid is None else rid
        self.job.send({"request": rid, "op": op, **payload})
        self._in_flight, self._in_flight_request = rid, (op, payload)
        return rid

    def submit(self, x: Any, op: str = "predict", **payload: Any) -> None:
        """Ask for a prediction; while one is in flight, only the newest input waits for its turn."""
        data = dict(payload)
        if x is not None:  # predict and inside take a sample; forecast takes none
            data["x"] = x
        if self._in_flight is None:
            self._send(op, data)
        else:
            self._waiting = (op, data)

    def poll(self) -> dict[str, Any] | None:
        """The newest answer that arrived (None if none); sends the waiting input when the child is free."""
        if self.job is None:
            return None
        self._pump(0)
        answer = self._answers[-1] if self._answers else None
        self._answers.clear()
        if answer is None and self.job.terminal is not None:
            if self._revive():
                return None
            self.last_error = self.last_error or "the predictor process ended"
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
        assert self.job is not None
        end = time.monotonic() + timeout
        while self._in_flight is not None:  # let an earlier answer arrive first
            if self.job.terminal is not None and self._revive():
                continue
            if time.monotonic() > end or self.job.terminal is not None:
                raise JobError("the predictor did not answer", "timeout")
            self._pump(0.05)
        self._waiting = None
        self._answers.clear()
        rid = self._send(op, payload)
        while time.monotonic() < end:
            self._pump(0.05)
            for msg in self._answers:
                if msg.get("id") == rid:
                    self._answers.clear()
                    if "error" in msg:
                        raise JobError(msg["error"], "predict")
                    return msg
            if self.job.terminal is not None and not self._revive():
                raise JobError(self.last_error or "the predictor process ended", "crashed")
        raise JobError(f"no answer within {timeout:.0f} s", "timeout")

    def predict(self, x: Any, timeout: float = 60):
        return self.request("predict", timeout, x=x)["y"]
