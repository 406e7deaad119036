"""Small records that every child job emits, one JSON line each (`to_json` / `from_json`).

A training run: Started → (BatchEnd … EpochEnd Inspect?)* → one of Finished | Stopped | Failed.
A one-shot job (evaluate, export, probe): Log / Progress … → Result | Failed.
The long-lived predictor: Ready, then one Result per request (its `id`), until Failed or the end.
A warm backend worker: Ready, then its jobs' events, each inside an Envelope naming the job.
Warning and Log may come at any time.

The lines travel over any byte stream (a pipe from `studio.engine.runner` today, a remote job's log
tomorrow), are appended to `events.jsonl` and are relayed to the GUI as Qt signals.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class Event:
    t: float = field(default_factory=time.time, kw_only=True)

    @property
    def kind(self) -> str:
        return type(self).__name__

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.kind, **asdict(self)}


@dataclass
class Started(Event):
    run_dir: str
    backend: str
    device: str
    summary: list[dict[str, Any]]  # one row per layer: name, type, output_shape, params
    total_params: int
    trainable_params: int
    epochs: int
    steps_per_epoch: int
    train_samples: int
    val_samples: int
    test_samples: int
    metrics: list[str]  # names of the logged metrics, loss first
    task: str = ""
    versions: dict[str, str] = field(default_factory=dict)
    devices: list[str] = field(default_factory=list)  # the devices one training is spread over; empty: one device


@dataclass
class BatchEnd(Event):
    epoch: int  # 0-based
    step: int  # 1-based within the epoch
    steps: int
    global_step: int
    logs: dict[str, float]  # loss and metrics, averaged over the epoch so far (as Keras reports), and for the
    # mean metrics `batch_<name>`: their value over just the batches since the previous BatchEnd
    samples_per_s: float


@dataclass
class EpochEnd(Event):
    epoch: int  # 0-based
    epochs: int
    logs: dict[str, float]  # train metrics, then val_* metrics
    learning_rate: float
    seconds: float
    samples_per_s: float


@dataclass
class Boundary(Event):
    """What the model predicts over a grid of its two input features (decision boundary or regression
    surface), sent at some epoch ends. Row r of the grid lies at y = extent[2] + (r + ½)·(extent[3] −
    extent[2]) / size, column c likewise along x; extent is in the data's own units (before normalisation).
    The arrays travel as base64 of `size × size` uint8 values so the event stays small and JSON-able."""

    epoch: int  # 0-based
    extent: list[float]  # x_min, x_max, y_min, y_max
    size: int
    task: str  # classification | regression
    values: str  # base64 uint8: the predicted class, or the prediction scaled from [low, high] to 0..255
    confidence: str = ""  # base64 uint8: the predicted class's probability × 255 (classification only)
    low: float = 0.0
    high: float = 0.0
    num_classes: int = 0

    def arrays(self):
        """(values, confidence) as (size, size) arrays: class ids and 0..1 probabilities, or the regression
        surface in the target's units and None."""
        import base64

        import numpy as np

        def grid(text: str) -> np.ndarray:
            return np.frombuffer(base64.b64decode(text), dtype=np.uint8).reshape(self.size, self.size)

        if self.task == "regression":
            return self.low + grid(self.values).astype(np.float32) / 255 * (self.high - self.low), None
        return grid(self.values).astype(np.int32), grid(self.confidence).astype(np.float32) / 255


@dataclass
class Inspect(Event):
    """A snapshot of the inside of the model is in the run directory (studio.core.inspect_store)."""

    epoch: int  # epochs done when it was taken: 0 is the initial weights, 1 the end of the first epoch
    file: str  # relative to the run directory
    bytes: int = 0
    seconds: float = 0.0  # what recording it cost the training child


@dataclass
class Warning(Event):  # noqa: A001 - the class name is the `event` key in events.jsonl; renaming breaks saved runs
    message: str


@dataclass
class Log(Event):
    message: str


@dataclass
class Progress(Event):
    done: float
    total: float = 0.0  # 0: unknown
    message: str = ""


@dataclass
class Ready(Event):
    """A long-lived job (the predictor) has loaded what it needs and now answers requests."""

    info: dict[str, Any]


@dataclass
class Result(Event):
    """A job's answer: the one result of a one-shot job (`id` 0, the job's last event), or the answer to
    request `id` of a long-lived job, where `error` says why that one request failed."""

    data: dict[str, Any]
    id: int = 0
    error: str = ""


@dataclass
class Finished(Event):
    run_dir: str
    summary: dict[str, Any]


@dataclass
class Stopped(Event):
    run_dir: str
    summary: dict[str, Any]
    reason: str = "stopped by the user"


@dataclass
class Artifact(Event):
    """One piece of a file a remote job sends back (its run directory as a .tar.gz), base64 in `data`: the
    job's log is the only channel from a cluster, so files travel as event lines too (see studio.engine.remote)."""

    name: str
    index: int  # 0-based
    count: int
    data: str


@dataclass
class Envelope(Event):
    """One event of a job that a warm backend worker runs among others (`studio.engine.serve_worker`):
    `job` is the id the parent gave that job, `body` the event's own dict (`Event.to_dict`). Never terminal
    itself: the wrapped job's Result or Failed ends that job, not the worker."""

    job: int
    body: dict[str, Any]

    def inner(self) -> Event:
        return from_dict(self.body)


# Failure reasons, as classified by the engine or the process supervisor.
INVALID_SPEC = "invalid_spec"
INVALID_DATA = "invalid_data"
MODEL_ERROR = "model_error"
NAN_LOSS = "nan_loss"
OUT_OF_MEMORY = "out_of_memory"
BACKEND_MISSING = "backend_missing"
DEVICE_UNAVAILABLE = "device_unavailable"
CRASHED = "crashed"
KILLED = "killed"
INTERNAL = "internal_error"
TIMEOUT = "timeout"


@dataclass
class Failed(Event):
    reason: str  # one of the constants above
    message: str  # one sentence for the user: what went wrong and what to do
    details: str = ""  # the traceback or exit status, for the log
    run_dir: str = ""


EVENT_TYPES: dict[str, type[Event]] = {
    c.__name__: c for c in (Started, BatchEnd, EpochEnd, Boundary, Inspect, Warning, Log, Progress, Ready, Result,
                            Finished, Stopped, Failed, Artifact, Envelope)
}
TERMINAL = (Finished, Stopped, Failed)


def is_terminal(event: Event) -> bool:
    """True for the last event of a job: Finished, Stopped, Failed, or a one-shot job's Result."""
    return isinstance(event, TERMINAL) or isinstance(event, Result) and event.id == 0


def from_dict(data: dict[str, Any]) -> Event:
    data = dict(data)
    kind = data.pop("event", None)
    if not isinstance(kind, str) or kind not in EVENT_TYPES:
        raise ValueError(f"not a job event: expected an `event` key naming one of {', '.join(EVENT_TYPES)}, "
                         f"received {kind!r}")
    cls = EVENT_TYPES[kind]
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


def _plain(obj: Any) -> Any:
    """numpy scalars and arrays (a prediction, a metric) as JSON numbers and lists."""
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if hasattr(obj, "item"):
        return obj.item()
    if isinstance(obj, (set, tuple)):
        return list(obj)
    return str(obj)


def to_json(event: Event) -> str:
    """One line of JSON (no newline inside): the wire and file form of an event."""
    return json.dumps(event.to_dict(), default=_plain, allow_nan=True)


def from_json(line: str | bytes) -> Event:
    """The event of one `to_json` line; ValueError if the line is not one."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not a job event: expected one JSON object per line, received {line[:80]!r}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"not a job event: expected a JSON object, received {type(data).__name__}")
    return from_dict(data)


_ADAPTERS: dict[type, Any] = {}


def checked(data: Any) -> Event | None:
    """The event a line read from disk describes, each field of its declared type, or None: a run directory is
    not trusted (a field of another type, from a damaged or hand-edited events.jsonl, must not reach a plot)."""
    if not isinstance(data, dict) or not isinstance(data.get("event"), str) or data["event"] not in EVENT_TYPES:
        return None
    from pydantic import TypeAdapter, ValidationError  # only readers of saved runs pay for pydantic

    cls = EVENT_TYPES[data["event"]]
    adapter = _ADAPTERS.get(cls) or _ADAPTERS.setdefault(cls, TypeAdapter(cls))
    names = {f.name for f in fields(cls)}
    try:
        return adapter.validate_python({k: v for k, v in data.items() if k in names})
    except (ValidationError, TypeError, ValueError, RecursionError):
        return None
