"""What to evaluate, export or try: a model file, the spec that describes its data, and a backend."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.core.runs import MODEL_FILE, SPEC_FILE
from studio.core.custom_code import resolved
from studio.core.spec import BACKENDS, RunSpec, SpecError, load_spec
from studio.jobs.errors import JobError


@dataclass
class Target:
    """What to evaluate or export: a model file, the spec that describes its data, and a backend."""

    model: Path
    spec: RunSpec | None
    backend: str
    run_dir: Path | None = None

    @property
    def spec_dict(self) -> dict[str, Any] | None:
        return self.spec.to_dict() if self.spec is not None else None


def resolve_target(path: str | Path, spec: str | Path | None = None, checkpoint: str = "model",
                   backend: str | None = None, need_spec: bool = True) -> Target:
    """A run directory (its model.keras or best.keras and spec.json) or a .keras file with an optional spec."""
    path = Path(path).expanduser()
    run_dir = None
    if path.is_dir():
        run_dir = path
        name = MODEL_FILE if checkpoint == "model" else f"{checkpoint}.keras"
        model = path / name
        if not model.is_file():
            have = ", ".join(sorted(p.name for p in path.glob("*.keras"))) or "no .keras file"
            raise JobError(f"{path} has no {name} (it holds {have}); the run may not have finished — "
                           "train it again or pick another checkpoint")
        spec_path = Path(spec) if spec else path / SPEC_FILE
    elif path.is_file():
        if path.suffix != ".keras":
            raise JobError(f"{path.name} is not a .keras model file; give a run directory or a .keras file")
        from studio.data.keras_files import keras_file_problem

        if problem := keras_file_problem(path):
            raise JobError(problem, "invalid_model")
        model = path
        spec_path = Path(spec) if spec else (path.parent / SPEC_FILE)
        if (path.parent / SPEC_FILE).is_file() and not spec:
            run_dir = path.parent
    else:
        raise JobError(f"not found: {path}; give a run directory or a .keras file")
    parsed: RunSpec | None = None
    if spec_path.is_file():
        try:
            parsed = resolved(load_spec(spec_path), spec_path.parent)  # its own code file, beside it
        except SpecError as exc:
            raise JobError(str(exc), "invalid_spec") from None
    elif need_spec:
        raise JobError(f"no spec for {model.name}: give the spec that describes its data with --spec SPEC.json")
    chosen = backend or (parsed.training.backend if parsed else "tensorflow")
    if chosen not in BACKENDS:
        raise JobError(f"unknown backend `{chosen}`; choose one of {', '.join(BACKENDS)}")
    return Target(model, parsed, chosen, run_dir)
