"""The export job's handler in the child runner: reference outputs, exports and checks on one backend.

The payload lists operations for this child's backend, which `studio.jobs.export_job` plans:

    {"backend": "tensorflow", "model": "run/model.keras", "spec": {...} | null, "work": "/tmp/…",
     "atol": 1e-4, "rtol": 1e-4,
     "ops": [{"op": "reference"}, {"op": "export", "format": "onnx", "out": "m.onnx"},
             {"op": "verify", "format": "onnx", "out": "m.onnx"}]}

Each operation reports its own outcome (a Progress event, then all of them in the Result), so one format
failing leaves the others done. If the job that asked goes away, the half-written exports it staged are
removed and the child ends at once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from studio.core import events as ev
from studio.engine.evaluate_worker import start_backend


def abandon(payload: dict[str, Any]) -> None:
    from studio.core.safe_paths import STAGING_PREFIX, discard
    from studio.engine.parent_watch import GONE_EXIT_CODE

    for op in payload.get("ops", []):
        out = Path(op.get("out", ""))
        if op.get("op") == "export" and out.name.startswith(STAGING_PREFIX):
            discard(out)
    os._exit(GONE_EXIT_CODE)


def run(payload: dict[str, Any], channel: Any) -> dict[str, Any]:
    channel.on_gone(lambda: abandon(payload), grace=5)
    start_backend(payload)
    from studio.core.spec import parse_spec
    from studio.engine import export
    from studio.engine.errors import classify

    def log(message: str) -> None:
        channel.emit(ev.Log(message=message))

    spec = parse_spec(payload["spec"], "spec") if payload.get("spec") else None
    work = Path(payload["work"])
    results = []
    failed: set[str] = set()
    ops = payload["ops"]
    for i, op in enumerate(ops):
        kind, fmt = op["op"], op.get("format", "")
        entry: dict[str, Any] = {"op": kind, "format": fmt}
        if fmt in failed:
            continue  # its export failed: nothing to check
        try:
            if kind == "reference":
                entry.update(export.write_reference(payload["model"], spec, work, log))
            elif kind == "export":
                log(f"exporting {fmt} on {payload['backend']} …")
                export.export(fmt, payload["model"], spec, Path(op["out"]), work)
            elif kind == "verify":
                log(f"checking the {fmt} export on {payload['backend']} …")
                entry.update(export.verify(fmt, Path(op["out"]), work, payload["model"], payload["atol"],
                                           payload["rtol"]))
            else:
                raise export.ExportError(f"unknown operation `{kind}`: expected reference, export or verify")
            entry.setdefault("ok", True)
        except Exception as exc:  # noqa: BLE001 - reported per operation
            failure = classify(exc).failed(exc)
            entry.update(ok=False, reason=failure.reason, error=failure.message[:2000], details=failure.details)
            failed.add(fmt)
        results.append(entry)
        channel.emit(ev.Progress(done=i + 1, total=len(ops), message=f"{kind} {fmt}".strip()))
        if kind == "reference" and not entry["ok"]:
            break
    return {"ops": results}
