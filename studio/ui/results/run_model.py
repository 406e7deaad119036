"""The trained model of the run the result views ask questions of (Try it now, others later): one owner for
the run, its backend's warm worker and the predictors loaded from it.

When the run is set, its backend's warm worker starts in the background, so that the first evaluation, export or
prediction finds the backend loaded. Each view that asks gets a predictor of its own (one request stream each:
answers never go to the wrong view), all in that worker; they end when the run changes or the window closes."""

from __future__ import annotations

from pathlib import Path

from studio.core.runs import MODEL_FILE, SPEC_FILE, read_json
from studio.jobs import devices, workers
from studio.jobs.predictor import Predictor


class RunModel:
    def __init__(self) -> None:
        self.run_dir: str | None = None
        self._predictors: dict[str, Predictor] = {}

    def set_run(self, run_dir: str | None) -> None:
        """The model of `run_dir` (None: no model) is the one asked from now on."""
        if run_dir != self.run_dir:
            self.close()
            self.run_dir = run_dir
        if run_dir is not None:
            self._warm(run_dir)

    @staticmethod
    def kept_by(run_dir: str) -> bool:
        """Whether a run kept a trained model (a run stopped before its first epoch, or failed, has none)."""
        return (Path(run_dir) / MODEL_FILE).exists()

    @staticmethod
    def _warm(run_dir: str) -> None:
        spec = read_json(Path(run_dir) / SPEC_FILE)
        training = spec.get("training") if isinstance(spec, dict) else None
        backend = training.get("backend") if isinstance(training, dict) else None
        if isinstance(backend, str) and backend in devices.installed_backends():
            workers.warm(backend)

    def predictor(self, owner: str) -> Predictor | None:
        """`owner`'s predictor of the model, launched on first ask (again after it failed and closed)."""
        if self.run_dir is None:
            return None
        p = self._predictors.get(owner)
        if p is None or p.job is None:
            from studio.jobs.target import resolve_target

            target = resolve_target(self.run_dir, checkpoint="model")
            p = self._predictors[owner] = Predictor(target.model, target.spec_dict, target.backend)
            p.launch()
        return p

    def close(self) -> None:
        for p in self._predictors.values():
            p.close()
        self._predictors.clear()
