"""The serve job's handler: a warm backend worker that runs job after job in one child.

Started by `studio.jobs.workers.WarmWorker`, so that evaluating, exporting, trying or comparing a model pays
the backend's start (1–3 s of imports, more for a first compile) once per app rather than once per job.
Training never runs here: each run keeps a fresh child of its own.

    payload   {"backend": "jax", "device": "cpu"}
    events    Ready({"pid", "backend", "device"}) once the backend is imported; then every event of every job
              inside an Envelope(job=id, event=...)
    requests  {"request": n, "job": id, "kind": "evaluate", "payload": {...}, "handler": "module:fn"?} starts
              job `id` on its own thread; {"request": n, "job": id, "op": ...} is a request line for that job
              (the predictor's predict / forecast); {"request": n, "job": id, "end": true} ends that job's request
              stream (a predictor then returns). EOF on stdin ends the worker (the parent went away or let go).

One-shot jobs (evaluate, export, probe, compare) run one at a time, so two never fight over the cores or the
backend's global state; a predictor session runs beside them, answering between their steps.
"""

from __future__ import annotations

import gc
import os
import queue
import threading
from typing import Any

from studio.core import events as ev

SERVED = ("evaluate", "export", "predict", "probe", "compare", "check_optimizer")


class JobChannel:
    """The channel one served job sees: its events go out wrapped in Envelopes, its requests come from its
    own queue. The worker's own parent-gone rule ends every job with it, so `on_gone` has nothing to add."""

    def __init__(self, worker: Any, job: int):
        from studio.core.control import Control

        self._worker = worker
        self.job = job
        self.control = Control()
        self.requests: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.finished = False
        self.ended = False  # its terminal event went out
        self.grace = 5.0

    @property
    def gone(self) -> bool:
        return bool(self._worker.gone)

    def emit(self, event: ev.Event) -> None:
        self.ended = self.ended or ev.is_terminal(event)
        self._worker.emit(ev.Envelope(job=self.job, body=event.to_dict()))

    def on_gone(self, callback: Any, grace: float = 5.0) -> None:
        pass


def _serve(kind: str, handler: Any, payload: dict[str, Any], channel: JobChannel, one_at_a_time: threading.Lock,
           jobs: dict[int, JobChannel]) -> None:
    from studio.engine.runner import handle

    try:
        if kind == "predict":
            handle(handler, payload, channel, kind)
        else:
            with one_at_a_time:
                handle(handler, payload, channel, kind)
        if not channel.ended:  # a predictor whose requests ended returns nothing: its job is done all the same
            channel.emit(ev.Result(data={}))
    finally:
        jobs.pop(channel.job, None)
        gc.collect()  # the job's model and data go now, not at some later job's allocation


def run(payload: dict[str, Any], channel: Any) -> None:
    from studio.engine.parent_watch import GONE_EXIT_CODE
    from studio.engine.runner import handler_for

    channel.on_gone(lambda: os._exit(GONE_EXIT_CODE), grace=5)  # nobody will read an answer any more
    from studio.engine import bootstrap

    backend, device = payload["backend"], payload.get("device", "cpu")
    bootstrap.start(backend, device)
    channel.emit(ev.Ready(info={"pid": os.getpid(), "backend": backend, "device": device}))
    one_at_a_time = threading.Lock()
    jobs: dict[int, JobChannel] = {}
    while (req := channel.requests.get()) is not None:
        job = req.get("job")
        if not isinstance(job, int):
            continue
        if "kind" in req:
            sub = JobChannel(channel, job)
            try:
                if req["kind"] not in SERVED:
                    raise KeyError(f"{req['kind']!r} is not served by a warm worker: expected one of "
                                   f"{', '.join(SERVED)}")
                handler = handler_for(req["kind"], req.get("handler"))
            except (KeyError, ImportError, AttributeError) as exc:
                sub.emit(ev.Failed(reason=ev.INTERNAL, message=f"bad job request: {exc}"))
                continue
            jobs[job] = sub
            threading.Thread(target=_serve, args=(req["kind"], handler, req.get("payload") or {}, sub,
                                                  one_at_a_time, jobs),
                             name=f"keras-studio-serve-{req['kind']}-{job}", daemon=True).start()
        elif (target := jobs.get(job)) is not None:
            target.requests.put(None if req.get("end") else req)
    for sub in list(jobs.values()):
        sub.requests.put(None)
