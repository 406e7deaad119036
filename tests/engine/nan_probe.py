"""`python -m tests.engine.nan_probe PAYLOAD.json`: train a spec that diverges, in this process, and count the
batches Keras actually ran beside the first one whose loss was NaN or infinite."""

import json
import math
import os
import sys
import tempfile
from pathlib import Path

from studio.engine import bootstrap


def main(path: str) -> None:
    keras = bootstrap.start(os.environ["KERAS_BACKEND"], "cpu")
    from studio.core import events as ev
    from studio.core.spec import parse_spec
    from studio.engine import train

    class Count(keras.callbacks.Callback):
        async_safe = True  # a spectator: it must not change how Keras dispatches batches

        def __init__(self):
            super().__init__()
            self.begun = 0
            self.ended = 0
            self.first_nan = None

        def on_train_batch_begin(self, batch, logs=None):
            self.begun += 1

        def on_train_batch_end(self, batch, logs=None):
            self.ended += 1
            if self.first_nan is None and not math.isfinite(float((logs or {}).get("loss", 0.0))):
                self.first_nan = self.ended

    count = Count()
    made = train._callbacks
    train._callbacks = lambda *args: made(*args) + [count]
    events = []
    result = train.run(parse_spec(json.loads(Path(path).read_text())), tempfile.mkdtemp(), events.append)
    batches = [e for e in events if isinstance(e, ev.BatchEnd)]
    print("RESULT " + json.dumps({
        "result": result.to_dict(), "begun": count.begun, "first_nan": count.first_nan,
        "epoch_ends": [e.epoch for e in events if isinstance(e, ev.EpochEnd)],
        "last_batch": batches[-1].to_dict() if batches else None,
    }))


if __name__ == "__main__":
    main(sys.argv[1])
