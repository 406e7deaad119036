"""Hyperparameter sweeps on Optuna: the parent asks Optuna for a trial, trains it as an ordinary run (the same
child process and run directory as any other training), reports each epoch's metric for pruning and tells the
result. Up to `jobs` trials train at once. The study lives in an Optuna storage (an SQLite file beside the runs by
default, any storage URL for a team), so an interrupted sweep resumes where it stopped and workers on other
machines can join it by name.

Counting: a trial counts toward `trials` once it is complete, pruned or failed on its own (a crash, bad data).
A trial cut off because the sweep itself was stopped or killed is not counted; its values are tried again first
when the sweep resumes.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core import events as ev
from studio.core.runs import read_json, write_json_atomic
from studio.core.spec import RunSpec, with_overrides
from studio.core.sweep_spec import SweepError, SweepSpec, trial_spec, trial_title
from studio.jobs.process import TrainingProcess
from studio.jobs.sweep_storage import is_storage_error, open_storage, storage_problem

STORAGE_FILE = ".sweeps.sqlite3"
SWEEP_FILE = "sweep.json"  # in a trial's run directory: the sweep and trial it belongs to
FAILURE = "failure"  # user attribute: why a trial failed on its own (counted)
OWNER = "owner"  # user attribute: host:pid of the sweep process training it
RUN_DIR = "run_dir"


def default_storage(runs_root: str | Path) -> str:
    return f"sqlite:///{(Path(runs_root) / STORAGE_FILE).resolve()}"


@dataclass
class TrialResult:
    number: int
    state: str  # complete | pruned | failed | interrupted
    value: float | None
    params: dict[str, Any]
    run_dir: str = ""
    message: str = ""


@dataclass
class _Running:
    trial: Any  # optuna.trial.Trial
    proc: TrainingProcess
    values: list[float] = field(default_factory=list)
    pruned: bool = False
    failure: str = ""
    cancelled: bool = False
    slot: int = 0  # which of the `jobs` places it holds: with GPUs, which GPU it trains on


def _optuna():
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's trial: not ours to judge
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Sweep:
    """One sweep over `base`; `run()` trains trials until the study holds `sweep.trials` counted ones."""

    def __init__(self, sweep: SweepSpec, base: RunSpec, runs_root: str | Path,
                 start_run: Callable[[RunSpec, Path], TrainingProcess] = TrainingProcess,
                 on_trial: Callable[[TrialResult], None] | None = None,
                 on_event: Callable[[int, ev.Event], None] | None = None, assign_gpus: bool = True,
                 make_spec: Callable[[int, dict[str, Any]], RunSpec] | None = None):
        self.sweep, self.base = sweep, base
        # a trial's values → its run spec; a comparison over seeds picks the arm's spec here
        self.make_spec = make_spec or self.trial_spec
        self.runs_root = Path(runs_root)
        self.storage = sweep.storage or default_storage(self.runs_root)
        self.start_run = start_run
        self.on_trial = on_trial or (lambda _r: None)
        self.on_event = on_event or (lambda _n, _e: None)
        self.cancel = threading.Event()
        self.results: list[TrialResult] = []
        self._owner = _owner()
        self._fatal = ""
        self._gpus: list[str] = []
        self.assign_gpus = assign_gpus  # False where the executor places trials itself (a Ray cluster)
        self._study = None

    # ------------------------------------------------------------------ the study
    def study(self):
        """The sweep's study, made (or loaded) once: opening an SQLite storage checks its schema (a second or more
        on a busy machine)."""
        if self._study is None:
            self._study = self._open_study()
        return self._study

    def _open_study(self):
        optuna = _optuna()
        self.runs_root.mkdir(parents=True, exist_ok=True)  # the default storage lives there
        s = self.sweep
        sampler = (optuna.samplers.RandomSampler(seed=s.seed) if s.sampler == "random"
                   else optuna.samplers.TPESampler(seed=s.seed))
        # a trial is judged only after a fifth of its epochs: early losses are noise
        warmup = max(1, self.base.training.epochs // 5)
        pruner = {"median": lambda: optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=warmup),
                  "hyperband": lambda: optuna.pruners.HyperbandPruner(),
                  "none": lambda: optuna.pruners.NopPruner()}[s.pruner]()
        study = optuna.create_study(study_name=s.name, storage=open_storage(self.storage), direction=s.direction,
                                    sampler=sampler, pruner=pruner, load_if_exists=True)
        stored = study.user_attrs.get("sweep")
        if stored is None and (study.user_attrs or study.get_trials(deepcopy=False)):
            raise SweepError([f"--name {s.name}: the study of that name in {self.storage} was not started by "
                              "keras-studio sweep; choose another --name"])
        if stored is None:  # what a worker joining by name needs to run the same sweep
            study.set_user_attr("sweep", s.to_dict())
            study.set_user_attr("base", self.base.to_dict())
        elif changed := search_changes(stored, s, study.direction.name.lower()):
            raise SweepError([f"--name {s.name}: the stored sweep of that name searched another way "
                              f"({'; '.join(changed)}), and a study keeps one search, metric and direction. "
                              f"Start a new study with --name {s.name}-2, or continue the stored one as it was "
                              f"started: keras-studio sweep --join {s.name} --storage {self.storage}"])
        return study

    def distributions(self) -> dict[str, Any]:
        optuna = _optuna()
        d = optuna.distributions
        out = {}
        for p in self.sweep.search:
            if p.distribution == "choice":
                out[p.path] = d.CategoricalDistribution(p.choices)
            elif p.distribution in ("int", "logint"):
                assert p.low is not None and p.high is not None  # the sweep spec requires both bounds here
                out[p.path] = d.IntDistribution(int(p.low), int(p.high), log=p.distribution == "logint")
            else:
                out[p.path] = d.FloatDistribution(p.low, p.high, log=p.distribution == "loguniform")
        return out

    @staticmethod
    def counted(study) -> list:
        """Trials that count toward the plan: complete, pruned, or failed on their own."""
        from optuna.trial import TrialState

        return [t for t in study.get_trials(deepcopy=False)
                if t.state in (TrialState.COMPLETE, TrialState.PRUNED)
                or (t.state == TrialState.FAIL and FAILURE in t.user_attrs)]

    def _recover(self, study) -> None:
        """Trials left running by a sweep process of this machine that is gone: fail them (uncounted) and queue
        their values to be tried again first."""
        from optuna.trial import TrialState

        for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            owner = t.user_attrs.get(OWNER, "")
            if owner and not _alive(owner):
                study.tell(t.number, state=TrialState.FAIL)
                study.enqueue_trial(t.params, skip_if_exists=False)

    # ------------------------------------------------------------------ running
    def run(self) -> list[TrialResult]:
        """Train trials until the plan is done; a storage problem is a SweepError that says what to do."""
        try:
            return self._run()
        except SweepError:
            raise
        except Exception as exc:
            if not is_storage_error(exc, self.storage):
                raise
            raise SweepError([storage_problem(exc, self.storage)]) from None

    def _run(self) -> list[TrialResult]:
        from optuna.trial import TrialState

        study = self.study()
        self._recover(study)
        dists = self.distributions()
        # the device probe starts a backend (seconds): only when there is a trial left to train
        self._gpus = self.gpus() if self.sweep.trials > len(self.counted(study)) else []
        running: dict[int, _Running] = {}
        try:
            while True:
                planned_left = self.sweep.trials - len(self.counted(study))
                others = [t for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
                          if t.number not in running]  # trials other workers are training now
                can_start = not self.cancel.is_set() and not self._fatal
                while can_start and len(running) < self.sweep.jobs and planned_left - len(running) - len(others) > 0:
                    free = min(set(range(self.sweep.jobs)) - {x.slot for x in running.values()})
                    r = self._start(study, dists, slot=free)
                    running[r.trial.number] = r
                if not running:
                    break
                for number, r in list(running.items()):
                    if self._poll(r):
                        self._tell(study, r)
                        del running[number]
                if self.cancel.is_set() or self._fatal:
                    for r in running.values():
                        if not r.cancelled:
                            r.cancelled = True
                            r.proc.stop()
        except BaseException:  # a storage error, Ctrl-C as KeyboardInterrupt: no trial stays RUNNING
            for r in running.values():
                with contextlib.suppress(Exception):
                    study.tell(r.trial, state=TrialState.FAIL)  # not counted; its values tried again first
                    study.enqueue_trial({p.path: r.trial.params[p.path] for p in self.sweep.search},
                                        skip_if_exists=False)
            raise
        finally:
            for r in running.values():  # an exception here: no child outlives the sweep
                r.proc.close()
        if self._fatal:
            raise SweepError([self._fatal])
        return self.results

    def _start(self, study, dists: dict[str, Any], slot: int) -> _Running:
        from optuna.trial import TrialState

        trial = study.ask(dists)
        try:
            return self._start_trial(study, trial, slot)
        except BaseException:  # the trial never trained: failed (uncounted), never RUNNING forever
            with contextlib.suppress(Exception):
                study.tell(trial, state=TrialState.FAIL)
            raise

    def _start_trial(self, study, trial, slot: int) -> _Running:
        trial.set_user_attr(OWNER, self._owner)
        values = {p.path: trial.params[p.path] for p in self.sweep.search}
        spec = self.make_spec(trial.number, values)
        if self._gpus:  # one GPU per place: two trials never share one unless asked
            spec = with_overrides(spec, [f'training.device="{self._gpus[slot % len(self._gpus)]}"'])
        proc = self.start_run(spec, self.runs_root)
        run_dir = proc.start()
        trial.set_user_attr(RUN_DIR, str(run_dir))
        write_json_atomic(Path(run_dir) / SWEEP_FILE, {
            "sweep": self.sweep.name, "trial": trial.number, "params": values, "metric": self.sweep.metric,
            "direction": self.sweep.direction, "storage": self.storage})
        return _Running(trial=trial, proc=proc, slot=slot)

    def trial_spec(self, number: int, values: dict[str, Any]) -> RunSpec:
        return trial_spec(self.base, values, trial_title(self.base.meta.title, number, values))

    def gpus(self) -> list[str]:
        """The GPUs the trials are spread over, one per place ([] when they train on the CPU or one at a time).
        SweepError when `jobs` trials would have to share a GPU and the sweep does not allow it."""
        device, jobs, backend = self.base.training.device, self.sweep.jobs, self.base.training.backend
        if jobs == 1 or device == "cpu" or not self.assign_gpus:
            return []
        from studio.jobs.devices import probe

        found = [d for d in probe(backend, timeout=120).devices if d.startswith("gpu")]
        if not found:
            return []  # auto on a machine without a GPU: every trial on the CPU
        if device.startswith("gpu:") and not self.sweep.share_gpus:
            raise SweepError([f"training.device is {device}: {jobs} trials at once would share that one GPU; use "
                              "gpu or auto to give each trial its own, --jobs 1, or --share-gpus"])
        if jobs > len(found) and not self.sweep.share_gpus:
            raise SweepError([f"--jobs {jobs}: the {backend} backend sees {len(found)} GPU(s) ({', '.join(found)}) "
                              f"and two trials never share one; use --jobs {len(found)} or --share-gpus"])
        return [device] if device.startswith("gpu:") else found

    def _poll(self, r: _Running) -> bool:
        """Relay the trial's events; True once it has ended."""
        metric = self.sweep.metric
        for event in r.proc.poll(timeout=0.05):
            self.on_event(r.trial.number, event)
            if isinstance(event, ev.EpochEnd) and not r.cancelled:
                value = event.logs.get(metric)
                if value is None:
                    logged = ", ".join(k for k in event.logs if not k.startswith("batch_"))
                    self._fatal = (f"--metric {metric}: the runs do not log it; they log {logged}. Choose one "
                                   "of those (a val_ metric needs data.validation_split above 0)")
                    r.failure = self._fatal
                    r.cancelled = True
                    r.proc.stop()
                    continue
                r.values.append(float(value))
                r.trial.report(float(value), event.epoch)
                if r.trial.should_prune():
                    r.pruned = True
                    r.cancelled = True
                    r.proc.stop()
        if r.proc.terminal is None:
            return False
        r.proc.reap(0)
        return True

    def _tell(self, study, r: _Running) -> None:
        from optuna.trial import TrialState

        t, end = r.trial, r.proc.terminal
        params = {p.path: t.params[p.path] for p in self.sweep.search}
        run_dir = str(r.proc.run_dir or "")
        finite = [v for v in r.values if v == v and abs(v) != float("inf")]
        if isinstance(end, ev.Failed) and not r.pruned and not r.cancelled:
            t.set_user_attr(FAILURE, end.message)
            study.tell(t, state=TrialState.FAIL)
            result = TrialResult(t.number, "failed", None, params, run_dir, end.message)
        elif r.failure:
            t.set_user_attr(FAILURE, r.failure)
            study.tell(t, state=TrialState.FAIL)
            result = TrialResult(t.number, "failed", None, params, run_dir, r.failure)
        elif r.pruned:
            study.tell(t, state=TrialState.PRUNED)
            result = TrialResult(t.number, "pruned", finite[-1] if finite else None, params, run_dir,
                                 f"pruned after epoch {len(r.values)}")
        elif r.cancelled:  # the sweep was stopped: not counted, tried again on resume
            study.tell(t, state=TrialState.FAIL)
            study.enqueue_trial(params, skip_if_exists=False)
            result = TrialResult(t.number, "interrupted", None, params, run_dir, "the sweep was stopped")
        elif not finite:
            t.set_user_attr(FAILURE, "no finite value of the metric")
            study.tell(t, state=TrialState.FAIL)
            result = TrialResult(t.number, "failed", None, params, run_dir, "the metric was never finite")
        else:
            best = max(finite) if self.sweep.direction == "maximize" else min(finite)
            study.tell(t, best)
            result = TrialResult(t.number, "complete", best, params, run_dir)
        self._mark_run(result)
        self.results.append(result)
        self.on_trial(result)

    def _mark_run(self, result: TrialResult) -> None:
        """The trial's outcome in its run directory's sweep.json (the run table shows "pruned", not "stopped")."""
        if not result.run_dir:
            return
        path = Path(result.run_dir) / SWEEP_FILE
        try:
            data = read_json(path, {}) or {}
            data.update(state=result.state, value=result.value)
            write_json_atomic(path, data)
        except OSError:
            pass  # the run itself is complete; only the table's label is lost


def best_trial(sweep: SweepSpec, runs_root: str | Path) -> dict[str, Any] | None:
    """The best complete trial of a stored sweep: number, value, params, run_dir; None before there is one."""
    optuna = _optuna()
    try:
        study = optuna.load_study(study_name=sweep.name,
                                  storage=open_storage(sweep.storage or default_storage(runs_root)))
        t = study.best_trial
    except (KeyError, ValueError):  # SweepError is a ValueError: a storage gone since
        return None
    metric = (study.user_attrs.get("sweep") or {}).get("metric", sweep.metric)  # the name its values are of
    return {"number": t.number, "value": t.value, "params": t.params, "run_dir": t.user_attrs.get(RUN_DIR, ""),
            "metric": metric}


def load_joined(name: str, storage: str) -> tuple[SweepSpec, RunSpec]:
    """The sweep and base spec a stored study was started with, for a worker joining it by name."""
    from studio.core.spec import parse_spec
    from studio.core.sweep_spec import parse_sweep

    optuna = _optuna()
    try:
        study = optuna.load_study(study_name=name, storage=open_storage(storage))
    except KeyError:
        raise SweepError([f"--join {name}: no sweep of that name in {storage}"]) from None
    attrs = study.user_attrs
    if "sweep" not in attrs or "base" not in attrs:
        raise SweepError([f"--join {name}: that study was not started by keras-studio sweep"])
    data = dict(attrs["sweep"], storage=storage)
    return parse_sweep(data), parse_spec(attrs["base"], f"sweep {name}")


def _described(p: dict[str, Any]) -> str:
    if p.get("distribution") == "choice":
        return f"{p.get('path')}=choice:{','.join(map(str, p.get('choices') or []))}"
    return f"{p.get('path')}={p.get('distribution')}:{p.get('low'):g}:{p.get('high'):g}" \
        if isinstance(p.get("low"), (int, float)) and isinstance(p.get("high"), (int, float)) \
        else f"{p.get('path')}={p.get('distribution')}"


def search_changes(stored: Any, sweep: SweepSpec, direction: str) -> list[str]:
    """How `sweep` differs from the stored study's search, metric and direction ([] when it is the same)."""
    from studio.core.sweep_spec import parse_sweep

    try:
        before = parse_sweep(stored) if isinstance(stored, dict) else None
    except (SweepError, ValueError, TypeError):
        before = None
    if before is None:
        return ["its stored settings cannot be read"]
    changes = []
    old = sorted(_described(p.model_dump()) for p in before.search)
    new = sorted(_described(p.model_dump()) for p in sweep.search)
    if old != new:
        changes.append(f"it searched {', '.join(old)}; this one searches {', '.join(new)}")
    if before.metric != sweep.metric:
        changes.append(f"its metric is {before.metric}, not {sweep.metric}")
    if direction != sweep.direction:
        changes.append(f"it is to {direction} its metric, not {sweep.direction}")
    return changes
