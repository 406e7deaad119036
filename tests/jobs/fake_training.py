"""Made-up run directories and a stand-in for TrainingProcess, for fast tests of the shoot-out."""

from __future__ import annotations

import json
from typing import ClassVar

from studio.core import events as ev
from studio.core.runs import (
    MODEL_FILE,
    SUMMARY_FILE,
    create_run_dir,
    set_status,
    write_json_atomic,
)


def _epochs(run_dir, pairs):
    """events.jsonl with one EpochEnd per (seconds, samples/s)."""
    with open(run_dir / "events.jsonl", "w", encoding="utf-8") as f:
        for i, (seconds, rate) in enumerate(pairs):
            e = ev.EpochEnd(epoch=i, epochs=len(pairs), logs={"loss": 1.0 / (i + 1)}, learning_rate=0.01,
                            seconds=seconds, samples_per_s=rate)
            f.write(json.dumps(e.to_dict()) + "\n")
    rows = ["epoch,loss,learning_rate,seconds"]
    rows += [f"{i + 1},{1.0 / (i + 1)},0.01,{s}" for i, (s, _r) in enumerate(pairs)]
    (run_dir / "metrics.csv").write_text("\n".join(rows) + "\n")


def made_up_run(root, backend, pairs, memory=500.0, accuracy=0.9):
    path = create_run_dir(root, {"meta": {"title": f"Lab — shoot-out: {backend}"}, "training": {"backend": backend}})
    _epochs(path, pairs)
    write_json_atomic(path / SUMMARY_FILE, {"backend": backend, "peak_memory_mb": memory,
                                            "samples": {"train": 100, "validation": 0, "test": 20},
                                            "metrics": {"train": {"accuracy": accuracy, "loss": 0.3},
                                                        "test": {"accuracy": accuracy - 0.1, "loss": 0.4}}})
    set_status(path, "finished")
    return path


class FakeTraining:
    """Stands in for TrainingProcess: "trains" by writing a finished run directory with made-up epochs."""

    RATES: ClassVar[dict[str, float]] = {"tensorflow": 800.0, "torch": 300.0, "jax": 1500.0}

    def __init__(self, spec, runs_root):
        self.spec, self.runs_root, self.terminal, self.stopped = spec, runs_root, None, False

    def start(self):
        backend = self.spec.training.backend
        self.run_dir = made_up_run(self.runs_root, backend, [(2.0, 10.0), (0.1, self.RATES[backend])])
        (self.run_dir / MODEL_FILE).write_bytes(b"model")
        return self.run_dir

    def poll(self, timeout):
        self.terminal = ev.Finished(run_dir=str(self.run_dir), summary={})
        return [self.terminal]

    def stop(self):
        self.stopped = True

    def close(self):
        pass
