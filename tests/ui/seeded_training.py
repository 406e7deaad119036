"""A stand-in for TrainingProcess in comparisons over seeds, in this process and without Keras: five epochs of a
loss that falls as fast as the spec's learning rate says, from a height and with noise that its seed sets. It
writes the run directory (spec, metrics.csv, status) as a real run would, so the comparison reads its figures from
the run's files."""

from __future__ import annotations

import random

from studio.core import events as ev
from studio.core.runs import create_run_dir, set_status


class SeededTraining:
    def __init__(self, spec, runs_root, worker=None, ray_address=None):
        self.spec, self.runs_root = spec, runs_root
        self.run_dir = None
        self.terminal = None
        self._events: list[ev.Event] = []

    def start(self):
        spec = self.spec.to_dict()
        self.run_dir = create_run_dir(self.runs_root, spec)
        rng = random.Random(spec["training"]["seed"])
        rate = min(float(spec["optimizer"]["learning_rate"]) * 50, 0.9)
        start = 0.7 + rng.uniform(-0.05, 0.05)
        losses = [start * (1 - rate) ** (epoch / 2) + rng.gauss(0, 0.01) for epoch in range(5)]
        rows = ["epoch,loss,learning_rate,seconds"]
        for epoch, loss in enumerate(losses):
            rows.append(f"{epoch + 1},{loss},0.01,0.01")
            self._events.append(ev.EpochEnd(epoch=epoch, epochs=5, logs={"loss": loss}, learning_rate=0.01,
                                            seconds=0.01, samples_per_s=400.0))
        (self.run_dir / "metrics.csv").write_text("\n".join(rows) + "\n")
        set_status(self.run_dir, "finished")
        self._events.append(ev.Finished(run_dir=str(self.run_dir), summary={}))
        return self.run_dir

    def poll(self, timeout=0.0):
        events, self._events = self._events, []
        for e in events:
            if isinstance(e, ev.Finished):
                self.terminal = e
        return events

    def reap(self, timeout=0.0):
        pass

    def stop(self):
        pass

    def close(self):
        pass
