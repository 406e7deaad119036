"""`python -m tests.presets.preset_runner PAYLOAD.json`: train several specs, one after another, in this one
process on the backend named by KERAS_BACKEND (one process per backend keeps the suite fast).

PAYLOAD: {"runs": folder, "specs": {name: spec dict}}. Prints one `RESULT {json}` line: per spec, its run
directory, the terminal event's kind, its message or summary, and the Log/Warning messages the run emitted.
tests.helpers.train_in_one_child runs it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from studio.core import events as ev
from studio.core.runs import create_run_dir
from studio.core.spec import parse_spec
from studio.engine import bootstrap


def main(path: str) -> None:
    payload = json.loads(Path(path).read_text())
    keras = bootstrap.start(os.environ["KERAS_BACKEND"], "cpu")
    from studio.engine import train

    out = {}
    for name, spec_dict in payload["specs"].items():
        logs: list[str] = []

        def emit(event: ev.Event) -> None:
            if isinstance(event, (ev.Log, ev.Warning)):
                logs.append(event.message)  # noqa: B023 - emit lives for this iteration's run only

        run_dir = create_run_dir(Path(payload["runs"]) / name, spec_dict)
        result = train.run(parse_spec(spec_dict), run_dir, emit)
        out[name] = {"run_dir": str(run_dir), "kind": result.kind, "message": getattr(result, "message", ""),
                     "details": getattr(result, "details", "")[-2000:],
                     "summary": getattr(result, "summary", None), "logs": logs}
        keras.backend.clear_session()
    print("RESULT " + json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
