"""`python -m tests.engine.reporter_probe PAYLOAD.json`: train a spec in this process with a BatchEnd after every
batch and return the events' logs, to check the batch values the reporter recovers from Keras' running means."""

import functools
import json
import os
import sys
import tempfile
from pathlib import Path

from studio.engine import bootstrap


def main(path: str) -> None:
    bootstrap.start(os.environ["KERAS_BACKEND"], "cpu")
    from studio.core import events as ev
    from studio.core.spec import parse_spec
    from studio.engine import callbacks, train

    train.Reporter = functools.partial(callbacks.Reporter, interval=0.0)  # every batch, not 20 a second
    events = []
    result = train.run(parse_spec(json.loads(Path(path).read_text())), tempfile.mkdtemp(), events.append)
    print("RESULT " + json.dumps({
        "result": result.kind,
        "batches": [[e.epoch, e.step, e.logs] for e in events if isinstance(e, ev.BatchEnd)],
        "epochs": [[e.epoch, e.logs] for e in events if isinstance(e, ev.EpochEnd)],
    }))


if __name__ == "__main__":
    main(sys.argv[1])
