"""A lesson: the optional `lesson` section of a run spec that turns a preset into an exercise with a goal.

    "lesson": {"id": "cnn_on_digits", "order": 3, "exercise": "Exercise 19.1",
               "goal": {"metric": "test.accuracy", "op": ">=", "value": 0.97, "max_params": 60000},
               "steps": [{"text": "Shrink the dense layer", "path": "model.blocks.dense_1.params.units"}],
               "locks": ["data.source"], "hides": ["training.backend"], "hints": ["Pooling halves the map …"]}

The section is checked with the rest of the spec: every step, lock and hide must name a block or a setting the
spec has (`setting_problem`), and the goal's metric a figure the run reports. Judging a finished run is
`studio.core.lessons`.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from studio.core import catalog, datasets
from studio.core.optimizers import OPTIMIZERS
from studio.core.wording import listing

GoalOp = Literal[">=", "<=", ">", "<"]
GOAL_OPS: tuple[str, ...] = get_args(GoalOp)
SPLITS = ("train", "validation", "test")  # the splits a run's summary.json reports metrics for


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class GoalSpec(_Section):
    metric: str = Field(description="The figure to reach, as split.metric from the run's final evaluation: "
                        "test.accuracy, validation.loss, train.mae …")
    op: GoalOp = Field(">=", description="How the figure compares with `value`: >= or > for accuracy, <= or < "
                       "for a loss or an error")
    value: float = Field(description="The figure to reach")
    max_params: int | None = Field(None, ge=1, description="At most this many parameters (a budget)")
    max_epochs: int | None = Field(None, ge=1, description="At most this many epochs trained")
    max_seconds: float | None = Field(None, gt=0, description="At most this many seconds of training")


class StepSpec(_Section):
    text: str = Field(min_length=1, max_length=400, description="What to do, in a sentence")
    path: str | None = Field(None, description="The block or setting the step is about: model.blocks.conv2d_1, "
                             "optimizer.learning_rate, data.augmentation …")


class LessonSpec(_Section):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$",
                    description="The lesson's name, unique in the course (lower case, digits and _); runs of the "
                                "lesson are recognised by it")
    order: int = Field(100, ge=1, le=10_000, description="Its place in the course (1 comes first)")
    exercise: str = Field("", max_length=120, description="The exercise it belongs to, e.g. Exercise 19.1")
    goal: GoalSpec = Field(description="What a run must reach for the lesson to count as done")
    steps: list[StepSpec] = Field(default_factory=list, max_length=30, description="What to do, in order")
    locks: list[str] = Field(default_factory=list, description="Settings the lesson fixes: a run that changes "
                             "them does not count")
    hides: list[str] = Field(default_factory=list, description="Settings the app keeps out of the way")
    hints: list[str] = Field(default_factory=list, max_length=20, description="Hints shown when the goal is missed")

    def paths(self) -> list[tuple[str, str]]:
        """(where in the lesson, path) of every setting the lesson names."""
        out = [(f"lesson.steps[{i}].path", s.path) for i, s in enumerate(self.steps) if s.path]
        out += [(f"lesson.locks[{i}]", p) for i, p in enumerate(self.locks)]
        return out + [(f"lesson.hides[{i}]", p) for i, p in enumerate(self.hides)]


def goal_problem(goal: GoalSpec, logged: list[str]) -> str:
    """Why `goal.metric` is no figure a run with these logged metric names reports ('' when it is)."""
    split, _, name = goal.metric.partition(".")
    choices = ", ".join(f"test.{m}" for m in logged) + ", validation.… or train.…"
    if split not in SPLITS or not name:
        return f"lesson.goal.metric: `{goal.metric}` is not split.metric; use one of {choices}"
    if name not in logged:
        return (f"lesson.goal.metric: the run does not report `{name}` (its metrics are {', '.join(logged)}); "
                f"use one of {choices}, or add the metric to training.metrics")
    return ""


def setting_problem(spec: BaseModel, path: str) -> str:
    """Why `path` names no block or setting of `spec` ('' when it does). Blocks are addressed by id; a block's
    parameter or a data source's parameter need not be written in the spec (the catalogue's default stands)."""
    node: Any = spec
    parts = path.split(".")
    for depth, part in enumerate(parts):
        here = ".".join(parts[:depth]) or "the spec"
        if isinstance(node, BaseModel) or (isinstance(node, type) and issubclass(node, BaseModel)):
            fields = type(node).model_fields if isinstance(node, BaseModel) else node.model_fields
            if part not in fields:
                return f"`{path}`: {here} has no `{part}`; it has {', '.join(fields)}"
            if isinstance(node, BaseModel):
                value = getattr(node, part)
                if part == "params" and hasattr(node, "type"):  # a block: its catalogue's parameters
                    return _param_problem(path, parts[depth + 1:], [p.name for p in catalog.get(node.type).params])
                if part == "params" and hasattr(node, "source"):  # the data: its source's parameters
                    return _param_problem(path, parts[depth + 1:], [p.name for p in datasets.get(node.source).params])
                if part == "params" and hasattr(node, "learning_rate"):  # the optimizer: its own parameters
                    return _param_problem(path, parts[depth + 1:], [p.name for p in OPTIMIZERS[vars(node)["name"]][2]])
                node = value if value is not None else _section_class(fields[part].annotation)
            else:
                node = _section_class(fields[part].annotation)
            if node is None and depth < len(parts) - 1:
                return f"`{path}`: `{'.'.join(parts[:depth + 1])}` is a value, not a section"
        elif isinstance(node, list):
            ids = [getattr(b, "id", None) for b in node]
            if part not in ids:
                return f"`{path}`: no block `{part}` in {here}; the blocks are {listing(ids)}"
            node = node[ids.index(part)]
        else:
            return f"`{path}`: `{here}` is a value, not a section"
    return ""


def _param_problem(path: str, rest: list[str], names: list[str]) -> str:
    if not rest:
        return ""
    if rest[0] not in names or len(rest) > 1:
        return f"`{path}`: no parameter `{'.'.join(rest)}`; the parameters are {', '.join(names) or 'none'}"
    return ""


def _section_class(annotation: Any) -> type[BaseModel] | None:
    """The pydantic section class in a field's annotation (`X | None` included), or None for a plain value."""
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None
