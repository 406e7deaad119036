"""Honest comparisons: train each arm's spec with N seeds through the sweep machinery and judge the differences.

The comparison is one Optuna study (the sweeps' storage, an SQLite file beside the runs by default) whose trials
are (arm, seed) pairs, every one enqueued up front, so `Sweep` trains them `jobs` at a time as ordinary runs, and a
stopped or killed comparison resumes: a rerun of the same specs finds the study by its name (derived from the
specs) and trains only the seeds that are missing. Asking for more seeds later adds them to the same study.
The figures come from each run's own metrics.csv; the statistics from studio.core.seed_stats.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from studio.core import events as ev
from studio.core.runs import read_metrics, write_json_atomic
from studio.core.seed_compare import (SEED_STRIDE, TABLE_PREFIX, Arm, Comparison, default_name, safe_name, seeds_of,
                                      unique_labels)
from studio.core.seed_stats import final_and_best, lower_is_better
from studio.core.spec import MAX_SEED, RunSpec
from studio.core.sweep_spec import SweepError, parse_sweep, trial_spec
from studio.jobs.process import TrainingProcess
from studio.jobs.sweep import FAILURE, RUN_DIR, Sweep, TrialResult

ARM = "arm"  # the trials' first parameter: which spec; the second is training.seed
SEED = "training.seed"
ARMS_ATTR = "compare_arms"  # the study's record of the specs it compares (a name used twice must not mix them)


def _key(trial) -> tuple[int, int]:
    """(arm, seed) of a trial; a waiting one holds its values as the fixed parameters it was enqueued with."""
    params = trial.params or trial.system_attrs.get("fixed_params") or {}
    return int(params.get(ARM, -1)), int(params.get(SEED, -1))


def default_metric(arms: list[RunSpec]) -> str:
    """val_loss when every arm holds out validation data, else loss: what every run logs."""
    return "val_loss" if all(a.data.validation_split > 0 for a in arms) else "loss"


def _essence(spec: dict[str, Any]) -> str:
    data = json.loads(json.dumps(spec))
    data.get("training", {}).pop("seed", None)
    data.get("meta", {}).pop("title", None)
    return json.dumps(data, sort_keys=True)


class SeedCompare:
    """Trains every arm with `seeds` seeds (its own ones: see studio.core.seed_compare.seeds_of), `jobs` at once;
    `run()` returns the Comparison. `cancel` (a threading.Event) stops the running trainings; a rerun resumes."""

    def __init__(self, arms: list[RunSpec], seeds: int, runs_root: str | Path, labels: list[str] | None = None,
                 metric: str | None = None, jobs: int = 1, name: str | None = None, storage: str | None = None,
                 start_run: Callable[[RunSpec, Path], TrainingProcess] = TrainingProcess,
                 on_trial: Callable[[TrialResult], None] | None = None,
                 on_event: Callable[[int, ev.Event], None] | None = None):
        if len(arms) < 2:
            raise SweepError([f"a comparison needs two or more specs, received {len(arms)}"])
        try:
            self.plan = [seeds_of(i, seeds) for i in range(len(arms))]
        except ValueError as exc:
            raise SweepError([str(exc)]) from None
        self.arms, self.seeds = arms, seeds
        self.labels = unique_labels(labels or [a.meta.title or f"arm {i + 1}" for i, a in enumerate(arms)])
        self.metric = metric or default_metric(arms)
        self.name = name or default_name([a.to_dict() for a in arms], self.metric)
        if not safe_name(self.name):
            raise SweepError([f"--name {self.name!r}: use letters, digits, _ . - (at most 80)"])
        self.runs_root = Path(runs_root)
        sweep = parse_sweep({
            "name": self.name, "spec": arms[0].to_dict(), "trials": len(arms) * seeds, "jobs": jobs,
            "metric": self.metric, "direction": "minimize" if lower_is_better(self.metric) else "maximize",
            "pruner": "none", "sampler": "random", "storage": storage,
            "search": [{"path": ARM, "distribution": "int", "low": 0, "high": len(arms) - 1},
                       {"path": SEED, "distribution": "int", "low": 0, "high": MAX_SEED}]})
        self.sweep = Sweep(sweep, arms[0], self.runs_root, start_run=start_run, on_trial=on_trial,
                           on_event=on_event, make_spec=self.trial_spec)
        self.cancel = self.sweep.cancel
        self.storage = self.sweep.storage
        self.table_path: Path | None = None
        self._prepared = False

    def label_of(self, params: dict[str, Any]) -> str:
        return self.labels[int(params[ARM])]

    def trial_spec(self, _number: int, values: dict[str, Any]) -> RunSpec:
        arm, seed = int(values[ARM]), int(values[SEED])
        return trial_spec(self.arms[arm], {SEED: seed}, f"{self.labels[arm]} — seed {seed}")

    # ------------------------------------------------------------------ the study
    def prepare(self):
        """The study with every planned (arm, seed) that has no trial yet enqueued; SweepError when a stored
        comparison of the same name compared other specs."""
        from optuna.trial import TrialState

        study = self.sweep.study()
        arms = [_essence(a.to_dict()) for a in self.arms]
        stored = study.user_attrs.get(ARMS_ATTR)
        if stored is None:
            study.set_user_attr(ARMS_ATTR, arms)
        elif stored != arms:
            raise SweepError([f"{self.name}: the stored comparison of that name trained other specs; "
                              "choose another --name (or leave it out: it follows the specs)"])
        have = {_key(t) for t in study.get_trials(deepcopy=False)
                if t.state in (TrialState.COMPLETE, TrialState.RUNNING, TrialState.WAITING, TrialState.PRUNED)
                or (t.state == TrialState.FAIL and FAILURE in t.user_attrs)}
        planned = {(arm, seed) for arm, seeds in enumerate(self.plan) for seed in seeds}
        for key in sorted(planned - have, key=lambda k: (k[1] % SEED_STRIDE, k[0])):  # seed by seed, arms mixed
            study.enqueue_trial({ARM: key[0], SEED: key[1]}, skip_if_exists=False)
        # the sweep trains until `trials` are counted, and seeds of an earlier, larger plan count too
        counted = [_key(t) for t in self.sweep.counted(study)]
        self.sweep.sweep.trials = len(counted) - len(set(counted) & planned) + len(planned)
        self._prepared = True
        return study

    def run(self) -> Comparison:
        if not self._prepared:
            self.prepare()
        self.sweep.run()
        return self.collect()

    def collect(self) -> Comparison:
        """The comparison as the storage and the runs' files hold it now (also after a stopped run)."""
        from optuna.trial import TrialState

        study = self.sweep.study()
        by_key: dict[tuple[int, int], Any] = {}
        for t in study.get_trials(deepcopy=False):
            key = _key(t)
            ended = t.state == TrialState.COMPLETE or (t.state == TrialState.FAIL and FAILURE in t.user_attrs)
            if ended and (key not in by_key or by_key[key].state != TrialState.COMPLETE):
                by_key[key] = t
        arms = []
        for i, seeds in enumerate(self.plan):
            arm = Arm(self.labels[i], len(seeds))
            for seed in seeds:
                t = by_key.get((i, seed))
                if t is None:
                    continue
                if t.state != TrialState.COMPLETE:
                    arm.failed.append(f"seed {seed}: {t.user_attrs.get(FAILURE, 'failed')}")
                    continue
                run_dir = t.user_attrs.get(RUN_DIR, "")
                final, best = final_and_best(read_metrics(run_dir).get(self.metric, []), self.metric)
                arm.seeds.append(seed)
                arm.runs.append(run_dir)
                arm.finals.append(final)
                arm.bests.append(best)
            arms.append(arm)
        comparison = Comparison(self.name, self.metric, self.seeds, arms)
        stem = self.name if self.name.startswith(TABLE_PREFIX) else TABLE_PREFIX + self.name
        self.table_path = self.runs_root / f"{stem}.json"
        write_json_atomic(self.table_path, comparison.to_dict())
        return comparison
