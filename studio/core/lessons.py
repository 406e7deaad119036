"""Lessons judged: whether a finished run met its lesson's goal (with the figure), and the course, the presets
that carry a lesson in their order with the goals the runs folder has met. Qt-free and keras-free: the verdict
reads only the run directory's spec.json and summary.json, so the CLI, the app and the gallery agree."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.core.lesson_spec import GoalSpec, LessonSpec
from studio.core.presets import Preset, list_presets
from studio.core.runs import SPEC_FILE, SUMMARY_FILE, list_runs, read_json

_OPS = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b}
_WORDS = {"accuracy": "accuracy", "loss": "loss", "mae": "mean absolute error", "mse": "mean squared error"}


@dataclass(frozen=True)
class Verdict:
    lesson: str  # the lesson's id
    met: bool
    figure: float | None  # the goal's metric as the run reached it (None: the run did not report it)
    text: str  # one line: "Lesson goal met: test accuracy 0.9733 ≥ 0.97 (52,138 parameters ≤ 60,000)"
    hints: tuple[str, ...] = ()  # the lesson's hints, when the goal was missed


def goal_text(goal: GoalSpec) -> str:
    """The goal in words: "test accuracy ≥ 0.97 with at most 60,000 parameters in at most 15 epochs"."""
    text = f"{metric_words(goal.metric)} {_op(goal.op)} {goal.value:g}"
    if goal.max_params:
        text += f" with at most {goal.max_params:,} parameters"
    if goal.max_epochs:
        text += f" in at most {goal.max_epochs} epochs"
    if goal.max_seconds:
        text += f" within {goal.max_seconds:g} s of training"
    return text


def metric_words(metric: str) -> str:
    split, _, name = metric.partition(".")
    return f"{split} {_WORDS.get(name, name.replace('_', ' '))}"


def _op(op: str) -> str:
    return {">=": "≥", "<=": "≤"}.get(op, op)


def judge(lesson: LessonSpec, summary: dict[str, Any], ran: dict[str, Any] | None = None,
          original: dict[str, Any] | None = None) -> Verdict:
    """The verdict on a run's `summary` (summary.json). With the spec it `ran` and the lesson's `original` spec,
    a run that changed a locked setting does not count."""
    goal = lesson.goal
    split, _, name = goal.metric.partition(".")
    figure = (summary.get("metrics") or {}).get(split, {}).get(name)
    words = metric_words(goal.metric)
    missed: list[str] = []
    if not isinstance(figure, (int, float)) or not math.isfinite(figure):
        figure = None
        missed.append(f"the run reported no {words} (does its data have a {split} split?)")
    elif not _OPS[goal.op](figure, goal.value):
        missed.append(f"{words} {figure:.4g}, the goal is {_op(goal.op)} {goal.value:g}")
    budgets: list[str] = []
    if goal.max_params is not None and "params" in summary:
        (budgets if summary["params"] <= goal.max_params else missed).append(
            f"{summary['params']:,} parameters" + (f" ≤ {goal.max_params:,}" if summary["params"] <= goal.max_params
                                                   else f", the budget is {goal.max_params:,}"))
    if goal.max_epochs is not None and "epochs_run" in summary:
        ok = summary["epochs_run"] <= goal.max_epochs
        (budgets if ok else missed).append(f"{summary['epochs_run']} epochs" + (
            f" ≤ {goal.max_epochs}" if ok else f", the budget is {goal.max_epochs}"))
    if goal.max_seconds is not None and "seconds" in summary:
        ok = summary["seconds"] <= goal.max_seconds
        (budgets if ok else missed).append(f"{summary['seconds']:.1f} s" + (
            f" ≤ {goal.max_seconds:g} s" if ok else f", the budget is {goal.max_seconds:g} s"))
    missed += locked_changes(lesson, ran, original)
    if missed:
        return Verdict(lesson.id, False, figure, "Lesson goal not met: " + "; ".join(missed), tuple(lesson.hints))
    extra = f" ({', '.join(budgets)})" if budgets else ""
    return Verdict(lesson.id, True, figure, f"Lesson goal met: {words} {figure:.4g} {_op(goal.op)} {goal.value:g}"
                   + extra)


def locked_changes(lesson: LessonSpec, ran: dict[str, Any] | None, original: dict[str, Any] | None) -> list[str]:
    """One line per locked setting whose value in `ran` differs from the lesson's `original`."""
    if not ran or not original:
        return []
    out = []
    for path in lesson.locks:
        was, now = _value(original, path), _value(ran, path)
        if was != now:
            out.append(f"{path} is locked by the lesson at {was!r} and the run used {now!r}")
    return out


def _value(spec: dict[str, Any], path: str) -> Any:
    node: Any = spec
    for part in path.split("."):
        if isinstance(node, list):
            node = next((b for b in node if isinstance(b, dict) and b.get("id") == part), None)
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node


def lesson_of(spec: dict[str, Any]) -> LessonSpec | None:
    """The lesson a spec dict carries, or None (also for a section that does not parse)."""
    data = spec.get("lesson") if isinstance(spec, dict) else None
    if not isinstance(data, dict):
        return None
    try:
        return LessonSpec.model_validate(data)
    except ValueError:
        return None


def judge_run(run_dir: str | Path, original: dict[str, Any] | None = None) -> Verdict | None:
    """The verdict on a run directory; None when its spec is no lesson or the run left no summary (it failed,
    or is still running)."""
    ran = read_json(Path(run_dir) / SPEC_FILE)
    summary = read_json(Path(run_dir) / SUMMARY_FILE)
    lesson = lesson_of(ran)
    if lesson is None or not isinstance(summary, dict):
        return None
    if original is None:
        original = _lesson_presets().get(lesson.id)
    return judge(lesson, summary, ran, original)


def _lesson_presets(folder: Path | None = None) -> dict[str, dict[str, Any]]:
    out = {}
    for preset in list_presets(folder):
        spec = preset.load()
        if spec.lesson is not None:
            out[spec.lesson.id] = spec.to_dict()
    return out


@dataclass(frozen=True)
class CourseEntry:
    preset: Preset
    lesson: LessonSpec
    met: Verdict | None  # the best run's verdict when one met the goal, else None


def course(runs_roots: str | Path | list[Path] | None, folder: Path | None = None) -> list[CourseEntry]:
    """The presets that carry a lesson, in course order, each with a verdict when a run under `runs_roots`
    (the app's runs folders: the project's and the one for specs not saved yet) met its goal."""
    entries = [(p, spec.lesson, spec.to_dict()) for p in list_presets(folder)
               if (spec := p.load()).lesson is not None]
    entries.sort(key=lambda e: (e[1].order, e[0].name))
    roots = [] if runs_roots is None else [runs_roots] if isinstance(runs_roots, (str, Path)) else runs_roots
    met: dict[str, Verdict] = {}
    for root in roots:
        met = goals_met(root, {lesson.id: original for _, lesson, original in entries}) | met
    return [CourseEntry(p, lesson, met.get(lesson.id)) for p, lesson, _ in entries]


def goals_met(runs_root: str | Path, originals: dict[str, dict[str, Any]]) -> dict[str, Verdict]:
    """Lesson id → the verdict of a run under `runs_root` that met it (the newest one)."""
    out: dict[str, Verdict] = {}
    for info in list_runs(runs_root):  # newest first
        if info.state not in ("finished", "stopped"):
            continue
        ran = read_json(info.path / SPEC_FILE)
        lesson = lesson_of(ran)
        if lesson is None or lesson.id in out or lesson.id not in originals:
            continue
        verdict = judge(lesson, info.summary, ran, originals[lesson.id])
        if verdict.met:
            out[lesson.id] = verdict
    return out

