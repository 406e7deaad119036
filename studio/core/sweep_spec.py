"""The sweep spec: a run spec plus a search space over its paths, as one versioned JSON document.

    {"version": 1, "kind": "sweep", "name": "lab-lr", "spec": "presets/optimization_lab.json",
     "search": [{"path": "optimizer.learning_rate", "distribution": "loguniform", "low": 1e-4, "high": 0.1},
                {"path": "optimizer.name", "distribution": "choice", "choices": ["adam", "sgd"]}],
     "trials": 20, "jobs": 2, "metric": "val_accuracy", "direction": "maximize", "pruner": "median"}

On the command line a search parameter is `PATH=DISTRIBUTION:…` (`loguniform:1e-4:1e-1`, `uniform:0:0.6`,
`int:16:128`, `logint:8:512`, `choice:adam,sgd,rmsprop`). A bad space is refused before anything runs, naming
the parameter: an unknown path, low > high, or a value the run spec itself refuses (each bound and each choice is
tried on the spec). Qt-free and Optuna-free: the search itself lives in studio.jobs.sweep.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from studio.core.spec import RunSpec, SpecError, with_overrides

Distribution = Literal["uniform", "loguniform", "int", "logint", "choice"]
DISTRIBUTIONS: tuple[str, ...] = Distribution.__args__  # type: ignore[attr-defined]
PRUNERS = ("none", "median", "hyperband")
SAMPLERS = ("tpe", "random")
MAX_TRIALS = 10_000
MAX_JOBS = 64


class SweepError(ValueError):
    """A sweep that cannot run; `problems` holds one 'where: reason' line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid sweep:\n" + "\n".join(f"  - {p}" for p in problems))


class SearchParam(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    path: str = Field(min_length=1, description="a run-spec path, as for --set (model.blocks.<id>.params.rate)")
    distribution: Distribution
    low: float | None = None
    high: float | None = None
    choices: list[Any] | None = None

    @model_validator(mode="after")
    def _bounds(self) -> SearchParam:
        if self.distribution == "choice":
            if not self.choices:
                raise ValueError("a choice needs at least one value, e.g. choice:adam,sgd")
            return self
        if self.low is None or self.high is None:
            raise ValueError(f"{self.distribution} needs a low and a high bound, e.g. {self.distribution}:1:10")
        if self.low > self.high:
            raise ValueError(f"low ({self.low:g}) is greater than high ({self.high:g})")
        if self.distribution.startswith("log") and self.low <= 0:
            raise ValueError(f"{self.distribution} needs bounds above 0, received low {self.low:g}")
        if self.distribution in ("int", "logint") and (self.low != int(self.low) or self.high != int(self.high)):
            raise ValueError(f"{self.distribution} needs whole-number bounds, received {self.low:g}:{self.high:g}")
        return self

    def probes(self) -> list[Any]:
        """Values to try on the run spec before the sweep starts: both bounds, or every choice."""
        if self.distribution == "choice":
            return list(self.choices or [])
        if self.distribution in ("int", "logint"):
            return [int(self.low or 0), int(self.high or 0)]
        return [self.low, self.high]


class SweepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    version: Literal[1] = 1
    kind: Literal["sweep"] = "sweep"
    name: str = Field(min_length=1, max_length=80, pattern=r"^[\w.-]+$",
                      description="the study's name in the storage (letters, digits, _ . -)")
    spec: str | dict[str, Any] = Field(description="the run spec: a file, a preset's name, or the spec itself")
    search: list[SearchParam] = Field(min_length=1)
    trials: int = Field(20, ge=1, le=MAX_TRIALS)
    jobs: int = Field(1, ge=1, le=MAX_JOBS, description="trials trained at once")
    metric: str = "val_loss"
    direction: Literal["minimize", "maximize"] = "minimize"
    pruner: Literal["none", "median", "hyperband"] = "none"
    sampler: Literal["tpe", "random"] = "tpe"
    seed: int | None = Field(None, ge=0, le=2**32 - 1)
    storage: str | None = Field(None, description="an Optuna storage URL; default: an SQLite file beside the runs")
    share_gpus: bool = Field(False, description="let trials trained at once share a GPU (default: one GPU each)")

    @model_validator(mode="after")
    def _unique_paths(self) -> SweepSpec:
        seen = [p.path for p in self.search]
        twice = sorted({p for p in seen if seen.count(p) > 1})
        if twice:
            raise ValueError(f"searched twice: {', '.join(twice)}")
        return self

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# ------------------------------------------------------------------------------------------------ parsing
def parse_param(text: str) -> SearchParam:
    """`optimizer.learning_rate=loguniform:1e-4:1e-1` → SearchParam; SweepError naming the parameter."""
    path, sep, rest = text.partition("=")
    if not sep or not path.strip():
        raise SweepError([f"--param {text!r}: expected PATH=DISTRIBUTION:…, e.g. "
                          "optimizer.learning_rate=loguniform:1e-4:1e-1"])
    kind, _, args = rest.partition(":")
    kind = kind.strip()
    if kind not in DISTRIBUTIONS:
        raise SweepError([f"--param {path}: unknown distribution {kind!r}; expected one of {', '.join(DISTRIBUTIONS)}"])
    try:
        if kind == "choice":
            return SearchParam(path=path.strip(), distribution="choice",
                               choices=[choice_value(v) for v in args.split(",") if v.strip()])
        parts = args.split(":")
        if len(parts) != 2:
            raise SweepError([f"--param {path}: {kind} takes two bounds, e.g. {kind}:1:10; received {args!r}"])
        low, high = (float(v) for v in parts)
        if not (math.isfinite(low) and math.isfinite(high)):
            raise SweepError([f"--param {path}: the bounds must be finite numbers, received {args!r}"])
        return SearchParam(path=path.strip(), distribution=kind, low=low, high=high)
    except ValueError as exc:
        if isinstance(exc, SweepError):
            raise
        if isinstance(exc, ValidationError):
            raise SweepError([f"--param {path}: {_first(exc)}"]) from None
        raise SweepError([f"--param {path}: the bounds must be numbers, received {args!r}"]) from None


def choice_value(text: str) -> Any:
    """A choice as JSON when it reads as JSON (numbers, true, null), else as text."""
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        return text


def _first(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return str(err.get("msg", exc)).removeprefix("Value error, ")


def parse_sweep(data: Any, source: str = "") -> SweepSpec:
    """A sweep document (dict) → SweepSpec; SweepError with one 'path: reason' line per problem."""
    if not isinstance(data, dict):
        raise SweepError([f"{source or 'sweep'}: expected a JSON object, received {type(data).__name__}"])
    try:
        return SweepSpec.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            lines.append(f"{where}: {str(err['msg']).removeprefix('Value error, ')}")
        raise SweepError(lines) from None


def load_sweep(path: str | Path) -> SweepSpec:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise SweepError([f"{path}: cannot read it ({exc.strerror or exc})"]) from None
    except ValueError as exc:
        raise SweepError([f"{path}: not valid JSON ({exc})"]) from None
    return parse_sweep(data, str(path))


def is_sweep_document(data: Any) -> bool:
    return isinstance(data, dict) and data.get("kind") == "sweep"


# ------------------------------------------------------------------------------------------------ checking
def check_space(sweep: SweepSpec, base: RunSpec) -> None:
    """Refuse, before anything runs, a search the run spec cannot take: every bound and choice is applied to the
    spec as a `--set` would be and validated there. SweepError names each parameter that fails."""
    problems = []
    for p in sweep.search:
        for value in p.probes():
            try:
                with_overrides(base, [f"{p.path}={json.dumps(value)}"])
            except SpecError as exc:
                reason = "; ".join(x.split(": ", 1)[-1] for x in exc.problems)
                problems.append(f"{p.path}: {value!r} is refused by the run spec: {reason}")
                break
    if problems:
        raise SweepError(problems)


def trial_spec(base: RunSpec, values: dict[str, Any], title: str) -> RunSpec:
    """The run spec of one trial: the base with the trial's values set, titled after them. A trial records
    nothing inside the model unless the search sets it: trials are many short runs judged by one figure, and on
    JAX each would compile its recording after its last epoch (seconds); train the best one again to look inside."""
    sets = [] if any(path.startswith("inspect.") for path in values) else ["inspect.enabled=false"]
    sets += [f"{path}={json.dumps(v)}" for path, v in values.items()]
    sets.append(f"meta.title={json.dumps(title)}")
    return with_overrides(base, sets)


def trial_title(base_title: str, number: int, values: dict[str, Any]) -> str:
    """"Lab — trial 3: learning_rate 0.0034, rate 0.21" (the last part of each path)."""
    def short(v: Any) -> str:
        return f"{v:.3g}" if isinstance(v, float) else str(v)

    said = ", ".join(f"{path.rsplit('.', 1)[-1]} {short(v)}" for path, v in values.items())
    return f"{base_title} — trial {number}: {said}"[:200]
