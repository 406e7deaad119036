"""`python -m studio.engine.evaluate_worker`: evaluate a model in a child process with its own backend.

The request is one JSON object on stdin; progress and the result come back as JSON lines on stdout,
each prefixed with `@@studio ` (anything else a framework prints is ignored by the reader,
`studio.jobs.evaluate_job.call_engine`). The same protocol serves `export_worker` and the tests.

    request   {"backend": "jax", "device": "cpu", "model": "run/model.keras", "spec": {...},
               "out_dir": "run", "split": "auto"}
    messages  {"type": "log", "message": "..."}  …  then {"type": "result", ...} or
              {"type": "error", "reason": "...", "message": "...", "details": "traceback"}
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

PREFIX = "@@studio "


def send(kind: str, **data: Any) -> None:
    def default(obj: Any) -> Any:
        if hasattr(obj, "item"):
            return obj.item()
        if hasattr(obj, "tolist"):
            return obj.tolist()
        return str(obj)

    sys.stdout.write(PREFIX + json.dumps({"type": kind, **data}, default=default) + "\n")
    sys.stdout.flush()


def log(message: str) -> None:
    send("log", message=message)


def _reason(exc: BaseException) -> str:
    from studio.core.spec import SpecError
    from studio.data.dataset import DataError

    if isinstance(exc, SpecError):
        return "invalid_spec"
    if isinstance(exc, DataError):
        return "invalid_data"
    if isinstance(exc, ValueError) and type(exc).__name__ in ("EvaluationError", "ExportError"):
        return getattr(exc, "reason", "invalid")
    return "internal_error"


def abandon(request: dict[str, Any]) -> None:
    """The job that asked is gone (the app or the CLI was killed): remove the half-written exports it staged
    and end at once — nobody will read the answer."""
    from studio.core.safe_paths import STAGING_PREFIX, discard

    for op in request.get("ops", []):
        out = Path(op.get("out", ""))
        if op.get("op") == "export" and out.name.startswith(STAGING_PREFIX):
            discard(out)
    os._exit(75)


def serve(handler: Callable[[dict[str, Any]], dict[str, Any]]) -> int:
    """Read the request, start the backend, run `handler`, report its result or a friendly error."""
    try:
        request = json.loads(sys.stdin.read() or "{}")
    except json.JSONDecodeError as exc:
        send("error", reason="internal_error", message=f"bad request: {exc}")
        return 2
    from studio.engine import parent_watch

    parent_watch.watch(lambda: abandon(request), grace=5)
    try:
        from studio.engine import bootstrap

        try:
            bootstrap.start(request.get("backend", "tensorflow"), request.get("device", "cpu"))
        except bootstrap.BootstrapError as exc:
            send("error", reason=exc.reason, message=str(exc))
            return 1
        result = handler(request)
    except Exception as exc:  # noqa: BLE001 - every failure is reported as a message, never a traceback
        reason = _reason(exc)
        message = str(exc) if reason != "internal_error" else f"{type(exc).__name__}: {exc}"
        send("error", reason=reason, message=message, details=traceback.format_exc())
        return 1
    send("result", **result)
    return 0


def handle(request: dict[str, Any]) -> dict[str, Any]:
    from studio.core.spec import parse_spec
    from studio.engine import evaluate

    spec = parse_spec(request["spec"], "spec")
    log(f"evaluating {request['model']} on {request.get('backend')}")
    doc = evaluate.evaluate(request["model"], spec, request.get("out_dir"), request.get("split", "auto"))
    return {"evaluation": doc}


if __name__ == "__main__":
    sys.exit(serve(handle))
