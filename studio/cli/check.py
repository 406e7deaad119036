"""`keras-studio check SPEC`: the per-block shape and parameter table, or the errors (exit code 1)."""

from __future__ import annotations

from studio.cli.common import add_allow_code, allowed_code, error, load_with_overrides
from studio.core.custom_code import code_file, file_problem
from studio.core.analysis import ModelReport, check_spec
from studio.core.coach.data_summary import DataSummary
from studio.core.coach.detectors import before_training
from studio.core.lesson_spec import LessonSpec
from studio.core.lessons import goal_text
from studio.core.spec import lesson_problems
from studio.data.dataset import DataError
from studio.data.summary import shape_and_summary


def add_parser(sub) -> None:
    p = sub.add_parser("check", help="check a run spec: shapes, parameters, errors")
    p.add_argument("spec", help="the run spec (JSON), or the name of a preset")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a spec field")
    p.add_argument("--no-data", action="store_true", help="check the model alone, without loading the data")
    add_allow_code(p)


def format_report(report: ModelReport) -> str:
    rows = [("block", "type", "output shape", "params")]
    for b in report.blocks:
        if not b.enabled:
            rows.append((b.id, b.type, "(disabled)", ""))
            continue
        shapeless = b.output_shape is None  # a misfit (✖), or a block waiting for one
        rows.append((b.id, b.type, ("✖ " if b.error else "") + b.shape_text, "" if shapeless else f"{b.params:,}"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
             for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.append("-" * len(lines[0]))
    lines.append(f"total params: {report.total_params:,} (trainable {report.trainable_params:,}, "
                 f"non-trainable {report.non_trainable_params:,})")
    return "\n".join(lines)


def lesson_text(lesson: LessonSpec) -> str:
    """What `check` says of a valid lesson: its goal and its steps, as the learner will read them."""
    lines = [f"lesson {lesson.id}" + (f" ({lesson.exercise})" if lesson.exercise else "")
             + f", course order {lesson.order}: goal {goal_text(lesson.goal)}"]
    lines += [f"  step {n}: {s.text}" + (f" [{s.path}]" if s.path else "") for n, s in enumerate(lesson.steps, 1)]
    if lesson.locks:
        lines.append("  locked: " + ", ".join(lesson.locks))
    return "\n".join(lines)


def run(args) -> int:
    spec = load_with_overrides(args.spec, args.set)
    if spec is None:
        return 1
    shape = summary = None
    if not args.no_data:
        try:
            shape, summary = shape_and_summary(spec.data, spec.training.seed)
        except DataError as exc:
            error(f"data: {exc}")
            return 1
    report = check_spec(spec, shape)
    print(format_report(report))
    if problems := lesson_problems(spec):
        error(f"{args.spec}: the lesson does not fit this spec:\n  - " + "\n  - ".join(problems))
        return 1
    if spec.lesson is not None:
        print(lesson_text(spec.lesson))
    for d in before_training(spec, summary or DataSummary()):  # advice only: the exit code stays the model's
        print(f"coach: {d.severity} {d.kind}: {d.evidence}" + (f" Fix: {d.fixes[0].label}." if d.fixes else ""))
    if not report.ok:
        print()
        for line in report.errors():
            error(line)
        for b in report.blocks:
            for n, fix in enumerate(b.fixes):  # best first; the others are the alternatives
                print(f"  fix for {b.id}: {fix.label}" if n == 0 else f"      or: {fix.label}")
        return 1
    return check_code(spec, args.allow_code)


def check_code(spec, allow: bool) -> int:
    """The spec's own optimizer: read without running it, then (allowed) one step on a tiny model."""
    path = code_file(spec)
    if path is None:
        return 0
    assert spec.optimizer.class_name  # the spec refuses a custom optimizer without one
    if problem := file_problem(path, spec.optimizer.class_name):
        error(f"optimizer.path {path.name}: {problem}")
        return 1
    if allowed_code(spec, allow) is None:
        return 1
    from studio.jobs.errors import JobError
    from studio.jobs.optimizer_check import check_optimizer

    try:
        step = check_optimizer(path, spec.optimizer.class_name, spec.training.backend, spec.optimizer.learning_rate,
                               spec.optimizer.resolved_params())
    except JobError as exc:
        error(exc.message)
        return 1
    print(f"optimizer {spec.optimizer.class_name} ({path.name}): one step on a tiny model took the loss from "
          f"{step['loss_before']:.4g} to {step['loss_after']:.4g} on {spec.training.backend}")
    return 0
