"""Run a training as a child job and supervise it (no Qt: the CLI and the GUI bridge share it).

A thin layer over `studio.jobs.job.Job` (kind "train"): it creates the run directory, gives the child the
run's child.log for its stderr and stdout, relays pause / resume / stop as control lines, and, when the
child died without its terminal event, writes that Failed into the run directory — the only write this
process makes there after the child started (see `studio.core.runs` for who writes what).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from studio.core import events as ev
from studio.core.control import message
from studio.core.runs import BEST_FILE, CHILD_LOG, EVENTS_FILE, MODEL_FILE, create_run_dir, set_status
from studio.core.spec import RunSpec
from studio.jobs.job import LINGER_S, Job, sigint_ignored_in_children

if TYPE_CHECKING:  # imported when a run goes to Ray: Ray is an optional extra
    from studio.jobs.ray_executor import RayJob

WORKER = "studio.engine.worker"  # the train handler; tests pass stand-ins
__all__ = ["LINGER_S", "WORKER", "TrainingProcess", "crash_reason", "killed_message", "sigint_ignored_in_children"]


class TrainingProcess:
    def __init__(self, spec: RunSpec, runs_root: str | Path, worker: str = WORKER, ray_address: str | None = None,
                 code: list[str] | None = None):
        self.spec = spec
        self.code = list(code or [])  # the user's files the child may run (studio.core.custom_code.granted)
        self.ray_address = ray_address  # None: a local child; else the Ray cluster the run is sent to
        self.runs_root = Path(runs_root)
        self.worker = worker
        self.job: Job | RayJob | None = None  # a local child, or a job on a Ray cluster (same interface)
        self.run_dir: Path | None = None
        self.paused = False

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> Path:
        spec_dict = self.spec.to_dict()
        if self.ray_address is not None:
            from studio.jobs.ray_cluster import dashboard_address

            dashboard_address(self.ray_address)  # a bad address is refused before a run directory is made
        self.run_dir = create_run_dir(self.runs_root, spec_dict)
        if self.ray_address is not None:
            from studio.jobs.ray_executor import ray_job

            self.job = ray_job(self.ray_address, spec_dict, self.run_dir,
                               handler=None if self.worker == WORKER else self.worker).start()
            return self.run_dir
        self.job = Job("train", {"spec": spec_dict, "run_dir": str(self.run_dir), "code": self.code},
                       handler=None if self.worker == WORKER else self.worker, log=self.run_dir / CHILD_LOG,
                       on_died=self._died)
        self.job.start()
        return self.run_dir

    @property
    def process(self):
        return self.job.process if self.job else None

    @property
    def terminal(self) -> ev.Event | None:
        return self.job.terminal if self.job else None

    @property
    def running(self) -> bool:
        return self.job is not None and self.job.running

    def stop(self) -> None:
        """Stop at the next batch end; the model reached so far is kept."""
        self.paused = False
        self._control("stop")

    def pause(self) -> None:
        self.paused = True
        self._control("pause")

    def resume(self) -> None:
        self.paused = False
        self._control("resume")

    def _control(self, op: str) -> None:
        if self.job is not None:
            self.job.send(message(op))

    def kill(self) -> None:
        """End the child at once (the last checkpoint survives, the final model does not)."""
        if self.job is not None:
            self.job.kill()

    # ------------------------------------------------------------------ events
    def poll(self, timeout: float = 0.1, limit: int = 1000) -> list[ev.Event]:
        """Events that arrived (waiting up to `timeout` for the first); a terminal one ends the stream."""
        return self.job.poll(timeout, limit) if self.job else []

    def _died(self, code: int | None, tail: str) -> ev.Failed:
        """The child ended without its terminal event: nobody else can record it, so this process does."""
        assert self.job is not None and self.run_dir is not None  # set together by start()
        if self.job.killed:
            reason, msg = ev.KILLED, killed_message(self.run_dir)
        else:
            reason, msg = crash_reason(code, tail)
        details = f"exit code {code}"
        if tail:
            details += f"\n\nThe last lines the training process wrote (child.log):\n{tail}"
        failed = ev.Failed(reason=reason, message=msg, details=details, run_dir=str(self.run_dir))
        try:
            set_status(self.run_dir, "failed", reason=reason, message=msg)
            with open(self.run_dir / EVENTS_FILE, "a", encoding="utf-8") as f:
                f.write(ev.to_json(failed) + "\n")
        except OSError:  # a full disk: the run reads as interrupted, and the user still gets the message
            pass
        return failed

    def reap(self, timeout: float = 0.0) -> bool:
        return self.job.reap(timeout) if self.job else True

    def iter_events(self, poll_interval: float = 0.2) -> Iterator[ev.Event]:
        """Every event until the terminal one (for headless use)."""
        return self.job.iter_events(poll_interval) if self.job else iter(())

    def wait(self, timeout: float | None = None) -> ev.Event | None:
        return self.job.wait(timeout) if self.job else None

    def close(self) -> None:
        """Kill a still-running child and release its resources."""
        if self.job is None:
            return
        if self.job.terminal is None and self.job.alive:
            self.kill()
            self.job.wait(10)
        self.job.reap(LINGER_S)
        self.job.close(0)


def killed_message(run_dir: Path) -> str:
    """What a killed training kept, read from its run directory: the final model is saved atomically, so a
    model.keras there is complete (a kill during the final evaluation keeps it)."""
    if (run_dir / MODEL_FILE).is_file():
        return ("Training was killed after the final model was saved: model.keras is kept (its evaluation may "
                "be missing).")
    if (run_dir / BEST_FILE).is_file():
        return ("Training was killed before the final model was saved: model.keras is not saved; best.keras, "
                "the best epoch so far, is kept.")
    return "Training was killed before any model was saved: there is no model.keras or best.keras."


OOM_WORDS = ("out of memory", "memoryerror", "resource_exhausted", "resourceexhausted", "cannot allocate memory",
             "oom-kill", "std::bad_alloc")


def crash_reason(code: int | None, log: str) -> tuple[str, str]:
    """(reason, message) for a child that ended without a word: out of memory only when its last words say
    so (there is no exception left to look at: only its exit status and what it wrote to its log)."""
    lowered = log.lower()
    if any(w in lowered for w in OOM_WORDS):
        return ev.OUT_OF_MEMORY, ("The training process ran out of memory. Lower the batch size, make the model "
                                  "smaller, or train on the CPU.")
    name = ""
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "unknown"
    by = f"by signal {-code} ({name})" if name and code is not None else ""  # name is set only for a signal
    if name == "SIGKILL":
        how = (f"was killed {by} from outside the app — the system's out-of-memory killer does this when memory "
               "runs out; if so, a smaller batch size helps")
    elif name in ("SIGTERM", "SIGHUP", "SIGINT"):
        how = f"was ended {by} from outside the app"
    elif name in ("SIGSEGV", "SIGBUS", "SIGABRT", "SIGILL", "SIGFPE"):
        how = f"crashed inside the backend ({by}); another backend may work"
    elif name:
        how = f"was ended {by}"
    else:
        how = f"exited with code {code} without reporting an error"
    return ev.CRASHED, f"The training process {how}. Its last lines are in child.log in the run directory."
