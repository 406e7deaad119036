"""The evaluate job's handler in the child runner (`studio.engine.runner`): evaluate a model with its own
backend.

    payload  {"backend": "jax", "device": "cpu", "model": "run/model.keras", "spec": {...},
              "out_dir": "run", "split": "auto"}
    events   Log … then Result {"evaluation": {...}} or Failed
"""

from __future__ import annotations

import os
from typing import Any

from studio.core import events as ev
from studio.engine.parent_watch import GONE_EXIT_CODE


def start_backend(payload: dict[str, Any]) -> None:
    from studio.engine import bootstrap

    bootstrap.start(payload.get("backend", "tensorflow"), payload.get("device", "cpu"))


def run(payload: dict[str, Any], channel: Any) -> dict[str, Any]:
    channel.on_gone(lambda: os._exit(GONE_EXIT_CODE), grace=5)  # nobody will read the answer
    start_backend(payload)
    from studio.core.spec import parse_spec
    from studio.engine import evaluate

    spec = parse_spec(payload["spec"], "spec")
    from studio.engine import custom_optimizer

    custom_optimizer.grant(payload.get("code"))  # the user's optimizer file, when the parent allowed it
    channel.emit(ev.Log(message=f"evaluating {payload['model']} on {payload.get('backend')}"))
    doc = evaluate.evaluate(payload["model"], spec, payload.get("out_dir"), payload.get("split", "auto"))
    return {"evaluation": doc}
