"""RunHistory: everything the detectors read about one run, built the same way live and after the fact.

Live, `feed(event)` takes the training child's events as they come (an Inspect event makes it read that snapshot
from the run directory); afterwards, `RunHistory.from_run_dir` replays events.jsonl (or metrics.csv for runs
that kept no events) and reads inspect/ whole. Epochs are 1-based here as in the plots: `epoch_logs[0]` is epoch
1; inspect epoch 0 is the initial weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from studio.core import events as ev
from studio.core.coach.data_summary import DataSummary
from studio.core.head_fit import resolve_loss
from studio.core.inspect_store import STATS, InspectError, InspectRecord
from studio.core.runs import SPEC_FILE, SUMMARY_FILE, read_events, read_json, read_metrics, read_run
from studio.core.spec import RunSpec, SpecError, parse_spec

CSV_NOT_LOGS = ("epoch", "learning_rate", "seconds")  # metrics.csv columns that are no Keras log


@dataclass
class RunHistory:
    spec: RunSpec | None = None
    data: DataSummary = field(default_factory=DataSummary)
    run_dir: Path | None = None
    state: str = "running"  # running | finished | stopped | failed | interrupted
    epochs_planned: int = 0
    steps_per_epoch: int = 0
    epoch_logs: list[dict[str, float]] = field(default_factory=list)  # Keras' logs per epoch (train, val_*)
    learning_rates: list[float] = field(default_factory=list)  # per epoch
    batch_losses: list[tuple[float, float]] = field(default_factory=list)  # (x in epochs, loss of those batches)
    nan_at: tuple[int, int] | None = None  # (1-based epoch, batch; 0: seen at the epoch's end) of the first NaN/inf
    loss_name: str = ""  # the loss the run trained with, once known ("" for auto before the data is known)
    inspect_epochs: list[int] = field(default_factory=list)
    stats: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # block → mean|std|dead|saturated
    grad_rms: dict[str, list[float]] = field(default_factory=dict)  # block → root-mean-square gradient per value
    weight_rms: dict[str, list[float]] = field(default_factory=dict)

    # ----------------------------------------------------------------------------------------- reading
    @property
    def epochs_done(self) -> int:
        return len(self.epoch_logs)

    def metric(self, name: str) -> list[float]:
        """One log per epoch done (NaN where that epoch did not log it)."""
        return [float(logs.get(name, math.nan)) for logs in self.epoch_logs]

    def has(self, name: str) -> bool:
        return any(name in logs and math.isfinite(logs[name]) for logs in self.epoch_logs)

    def loss(self) -> str:
        """The loss's name: the spec's, the run's summary, or the checker's choice for `auto`."""
        if self.loss_name:
            return self.loss_name
        if self.spec is None:
            return ""
        if self.spec.training.loss != "auto":
            return self.spec.training.loss
        if not self.data.task:
            return ""
        head = self.spec.model.blocks[-1].params.get("units", 0) if self.spec.model.blocks else 0
        return resolve_loss("auto", self.data.task, self.data.num_classes, int(head or 0),
                            self.spec.regularization.label_smoothing)

    # ----------------------------------------------------------------------------------------- feeding
    def feed(self, event: ev.Event | dict[str, Any]) -> None:
        """Take one event of the run (an Event or its dict, as events.jsonl holds it); others are ignored."""
        if isinstance(event, dict):
            found = ev.checked(event)  # a line of a run's file: each field of its type, or nothing
            if found is None:
                return
            event = found
        if isinstance(event, ev.Started):
            self.epochs_planned, self.steps_per_epoch = event.epochs, event.steps_per_epoch
            self.data.train_samples, self.data.val_samples = event.train_samples, event.val_samples
            self.data.test_samples = event.test_samples
            self.data.task = self.data.task or event.task
            if self.run_dir is None and event.run_dir:
                self.run_dir = Path(event.run_dir)
        elif isinstance(event, ev.BatchEnd):
            self._on_batch(event)
        elif isinstance(event, ev.EpochEnd):
            self._on_epoch(event)
        elif isinstance(event, ev.Inspect):
            self._on_inspect(event)
        elif isinstance(event, ev.Finished | ev.Stopped):
            self.state = "finished" if isinstance(event, ev.Finished) else "stopped"
            self.loss_name = str(event.summary.get("loss", "") or self.loss_name)
        elif isinstance(event, ev.Failed):
            self.state = "failed"

    def _on_batch(self, e: ev.BatchEnd) -> None:
        x = e.epoch + e.step / max(e.steps, 1)
        if not math.isfinite(e.logs.get("loss", 0.0)):
            if self.nan_at is None:
                self.nan_at = (e.epoch + 1, e.step)
            return
        value = e.logs.get("batch_loss")
        if value is not None and math.isfinite(value):
            self.batch_losses.append((x, float(value)))

    def _on_epoch(self, e: ev.EpochEnd) -> None:
        logs = {k: float(v) for k, v in e.logs.items() if isinstance(v, int | float)}
        if not math.isfinite(logs.get("loss", 0.0)) and self.nan_at is None:
            self.nan_at = (e.epoch + 1, 0)
        del self.epoch_logs[e.epoch:], self.learning_rates[e.epoch:]  # an epoch sent again replaces the old one
        self.epoch_logs.append(logs)
        self.learning_rates.append(float(e.learning_rate))
        self.epochs_planned = self.epochs_planned or e.epochs

    def _on_inspect(self, e: ev.Inspect) -> None:
        if self.run_dir is None:
            return
        try:
            with np.load(self.run_dir / e.file, allow_pickle=False) as snap:
                self.add_snapshot(e.epoch, snap)
        except (OSError, ValueError):
            pass  # thinned out already, or torn: the next snapshot tells the same story

    def add_snapshot(self, epoch: int, arrays: Any) -> None:
        """Per-block statistics and gradient/weight scales of one inspect snapshot (an npz or a dict)."""
        if epoch in self.inspect_epochs:
            return
        keys = list(arrays.files) if hasattr(arrays, "files") else list(arrays)
        names = set(keys)
        i = len(self.inspect_epochs)
        self.inspect_epochs.append(epoch)
        squares: dict[str, dict[str, list[float]]] = {"gradients": {}, "weights": {}}
        for key in keys:
            parts = key.split("/")
            if parts[0] == "stats" and len(parts) == 2:
                row = np.asarray(arrays[key], dtype=np.float64).ravel()
                for name, value in zip(STATS, row, strict=False):
                    _put(self.stats.setdefault(parts[1], {}), name, i, float(value))
            elif parts[0] in squares and len(parts) == 4 and parts[3] == "norm":
                counts_key = "/".join([*parts[:3], "counts"])  # the histogram's counts: how many values
                counts = arrays[counts_key] if counts_key in names else None
                total = squares[parts[0]].setdefault(parts[1], [0.0, 0.0])
                total[0] += float(arrays[key]) ** 2
                total[1] += float(np.sum(counts)) if counts is not None else 1.0
        for view, into in (("gradients", self.grad_rms), ("weights", self.weight_rms)):
            for block, (sq, n) in squares[view].items():
                _put(into, block, i, math.sqrt(sq / n) if n else math.nan)
        for table in (*self.stats.values(), self.grad_rms, self.weight_rms):  # every series as long as the epochs
            for values in table.values():
                values.extend([math.nan] * (i + 1 - len(values)))

    # ----------------------------------------------------------------------------------------- from files
    @classmethod
    def from_run_dir(cls, run_dir: str | Path, data: DataSummary | None = None) -> RunHistory:
        """A run's history from its files; `data` when the caller could load the data (else counts only)."""
        run_dir = Path(run_dir)
        raw = read_json(run_dir / SPEC_FILE)
        try:
            spec = parse_spec(raw) if isinstance(raw, dict) else None
        except SpecError:
            spec = None  # a spec of another version: the curves still speak
        h = cls(spec=spec, data=data or DataSummary(), run_dir=run_dir)
        if spec is not None:
            h.data.normalize = spec.data.normalize
        started = False
        for d in read_events(run_dir):
            if d.get("event") == "Inspect":
                continue  # read whole below: snapshots may have been thinned out since
            started = started or d.get("event") == "Started"
            try:
                h.feed(d)
            except (TypeError, ValueError):
                continue  # a line of another version
        if not started:
            h._from_metrics_csv(run_dir)
        info = read_run(run_dir)
        if info is not None:
            h.state = info.state
        summary = read_json(run_dir / SUMMARY_FILE, {}) or {}
        if isinstance(summary, dict):
            h.loss_name = summary["loss"] if isinstance(summary.get("loss"), str) and summary["loss"] else h.loss_name
            if isinstance(summary.get("naive_baseline"), dict) and not h.data.naive_baseline:
                h.data.naive_baseline = summary["naive_baseline"]
        try:
            record = InspectRecord(run_dir)
            for epoch in record.epochs:
                h.add_snapshot(epoch, record.snapshot(epoch))
            record.close()
        except InspectError:
            pass  # recorded nothing inside: the inside detectors stay silent
        return h

    def _from_metrics_csv(self, run_dir: Path) -> None:
        cols = read_metrics(run_dir)
        for i in range(len(cols.get("epoch", []))):
            logs = {k: v[i] for k, v in cols.items() if k not in CSV_NOT_LOGS}
            self._on_epoch(ev.EpochEnd(epoch=i, epochs=self.spec.training.epochs if self.spec else 0, logs=logs,
                                       learning_rate=cols.get("learning_rate", [math.nan] * (i + 1))[i],
                                       seconds=0.0, samples_per_s=0.0))


def _put(table: dict[str, list[float]], key: str, i: int, value: float) -> None:
    values = table.setdefault(key, [])
    values.extend([math.nan] * (i + 1 - len(values)))
    values[i] = value
