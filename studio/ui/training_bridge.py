"""The training job (`studio.jobs.process.TrainingProcess`) as a QObject: a GUI-thread QTimer takes the
child's events without blocking and turns each into a Qt signal; after the last event the same timer reaps
the exiting child. Nothing here waits on the child, so the window never stalls on training."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from studio.core import events as ev
from studio.core.spec import RunSpec
from studio.jobs.process import WORKER, TrainingProcess

POLL_MS = 40  # 25 Hz: smooth progress, negligible cost


class TrainingBridge(QObject):
    events = Signal(object)  # every event of the child, before its own signal below (result views take them all)
    started = Signal(object)  # ev.Started
    batch = Signal(object)  # ev.BatchEnd
    epoch = Signal(object)  # ev.EpochEnd
    boundary = Signal(object)  # ev.Boundary: the model's prediction over the plane of two-feature data
    log = Signal(str, str)  # level (info | warning | error), message
    finished = Signal(object)  # ev.Finished
    stopped = Signal(object)  # ev.Stopped
    failed = Signal(object)  # ev.Failed
    ended = Signal(object)  # any terminal event, after the specific signal
    state_changed = Signal(str)  # idle | starting | running | paused | stopping

    def __init__(self, parent: QObject | None = None, worker: str = WORKER):
        super().__init__(parent)
        self.worker = worker
        self.proc: TrainingProcess | None = None
        self.ray_address: str | None = None  # Run ▸ Run on: None for this computer, else a Ray cluster
        self.state = "idle"
        self._exiting: list[TrainingProcess] = []
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.terminal is None

    @property
    def run_dir(self) -> Path | None:
        return self.proc.run_dir if self.proc else None

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    def start(self, spec: RunSpec, runs_root: str | Path, code: list[str] | None = None) -> Path:
        """`code`: the user's files the run may run (the app asked: studio.ui.code_trust)."""
        if self.running:
            raise RuntimeError("a training is already running; stop it first")
        self.proc = TrainingProcess(spec, runs_root, worker=self.worker, ray_address=self.ray_address, code=code)
        run_dir = self.proc.start()
        self._set_state("starting")
        on = f" on the Ray cluster at {self.ray_address}" if self.ray_address else ""
        self.log.emit("info", f"Starting {spec.training.backend} training{on} in {run_dir}")
        self._timer.start()
        return run_dir

    def pause(self) -> None:
        if self.running and self.proc is not None and self.proc.ray_address:  # a Ray job has no channel in
            self.log.emit("warning", "Pause is not available for a run on a Ray cluster; Stop works")
            return
        if self.running and self.state == "running":
            assert self.proc is not None  # running says so
            self.proc.pause()
            self._set_state("paused")
            self.log.emit("info", "Pausing after the current batch…")  # the child says "Paused" when it is

    def resume(self) -> None:
        if self.running and self.state == "paused":
            assert self.proc is not None  # running says so
            self.proc.resume()
            self._set_state("running")  # the child logs "Resumed" itself, once it goes on

    def stop(self) -> None:
        if self.running:
            assert self.proc is not None  # running says so
            self.proc.stop()
            self._set_state("stopping")
            self.log.emit("info", "Stopping after the current batch; the model so far is kept")

    def kill(self) -> None:
        if self.running:
            assert self.proc is not None  # running says so
            self.proc.kill()

    def _poll(self) -> None:
        proc = self.proc
        if proc is not None and proc.terminal is None:
            for event in proc.poll(timeout=0):
                self._dispatch(event)
            if proc.terminal is not None:  # the child now tears its backend down: release it once it exits
                self._exiting.append(proc)
        self._exiting = [p for p in self._exiting if not p.reap(0)]
        if not self.running and not self._exiting:
            self._timer.stop()

    @property
    def reaped(self) -> bool:
        """True once every ended run's child has exited and been released."""
        return not self.running and not self._exiting

    def _dispatch(self, e: ev.Event) -> None:
        self.events.emit(e)
        if isinstance(e, ev.BatchEnd):
            self.batch.emit(e)
        elif isinstance(e, ev.EpochEnd):
            self.epoch.emit(e)
        elif isinstance(e, ev.Boundary):
            self.boundary.emit(e)
        elif isinstance(e, ev.Started):
            if self.state == "starting":
                self._set_state("running")
            self.log.emit("info", f"{e.backend} on {e.device}: {e.total_params:,} parameters, "
                                  f"{e.train_samples:,} training / {e.val_samples:,} validation samples")
            self.started.emit(e)
        elif isinstance(e, ev.Warning):
            self.log.emit("warning", e.message)
        elif isinstance(e, ev.Log):
            self.log.emit("info", e.message)
        elif isinstance(e, ev.TERMINAL):  # the timer goes on until the child is reaped
            if isinstance(e, ev.Finished):
                self.log.emit("info", f"Finished: {e.run_dir}")
                self.finished.emit(e)
            elif isinstance(e, ev.Stopped):
                self.log.emit("info", f"Stopped ({e.reason}): {e.run_dir}")
                self.stopped.emit(e)
            else:
                self.log.emit("error", f"{e.message} [{e.reason}]")
                if e.details:
                    self.log.emit("detail", e.details)
                self.failed.emit(e)
            self._set_state("idle")
            self.ended.emit(e)

    def shutdown(self) -> None:
        """Closing the window: end the child at once and release everything."""
        self._timer.stop()
        if self.proc is not None:
            if self.proc.terminal is None:
                self.proc.stop()
            self.proc.close()
        for proc in self._exiting:
            proc.close()
        self._exiting = []
        self._set_state("idle")
