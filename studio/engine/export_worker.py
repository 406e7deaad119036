"""`python -m studio.engine.export_worker`: reference outputs, exports and checks in one child process.

Same protocol as `evaluate_worker` (a JSON request on stdin, `@@studio ` JSON lines out). The request lists
operations for this child's backend, which `studio.jobs.export_job` plans:

    {"backend": "tensorflow", "model": "run/model.keras", "spec": {...} | null, "work": "/tmp/…",
     "atol": 1e-4, "rtol": 1e-4,
     "ops": [{"op": "reference"}, {"op": "export", "format": "onnx", "out": "m.onnx"},
             {"op": "verify", "format": "onnx", "out": "m.onnx"}]}

Each operation reports its own outcome, so one format failing leaves the others done.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Any

from studio.engine.evaluate_worker import log, send, serve


def handle(request: dict[str, Any]) -> dict[str, Any]:
    from studio.core.spec import parse_spec
    from studio.engine import export

    spec = parse_spec(request["spec"], "spec") if request.get("spec") else None
    work = Path(request["work"])
    results = []
    failed: set[str] = set()
    for op in request["ops"]:
        kind, fmt = op["op"], op.get("format", "")
        entry: dict[str, Any] = {"op": kind, "format": fmt}
        if fmt in failed:
            continue  # its export failed: nothing to check
        try:
            if kind == "reference":
                entry.update(export.write_reference(request["model"], spec, work, log))
            elif kind == "export":
                log(f"exporting {fmt} on {request['backend']} …")
                export.export(fmt, request["model"], spec, Path(op["out"]), work)
            elif kind == "verify":
                log(f"checking the {fmt} export on {request['backend']} …")
                entry.update(export.verify(fmt, Path(op["out"]), work, request["model"], request["atol"],
                                           request["rtol"]))
            else:
                raise export.ExportError(f"unknown operation {kind}")
            entry.setdefault("ok", True)
        except Exception as exc:  # noqa: BLE001 - reported per operation
            friendly = isinstance(exc, ValueError) and type(exc).__name__ in ("ExportError", "EvaluationError")
            entry.update(ok=False, reason=getattr(exc, "reason", "internal_error"),
                         error=str(exc) if friendly else f"{type(exc).__name__}: {str(exc)[:2000]}",
                         details=traceback.format_exc())
            failed.add(fmt)
            if kind == "reference":
                send("op", **{k: v for k, v in entry.items() if k != "details"})
                results.append(entry)
                break
        send("op", **{k: v for k, v in entry.items() if k != "details"})
        results.append(entry)
    return {"ops": results}


if __name__ == "__main__":
    sys.exit(serve(handle))
