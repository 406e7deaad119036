"""A run directory built by hand, file by file, as the training child writes it: spec.json, status.json,
events.jsonl and metrics.csv (through RunWriter), summary.json and an inspect/ recording."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from studio.core import events as ev
from studio.core.inspect_store import InspectWriter, histogram
from studio.core.runs import SPEC_FILE, SUMMARY_FILE, RunWriter, set_status, write_json_atomic
from tests.coach.histories import mlp_spec

OVERFIT_LOSS = [1.0, 0.7, 0.5, 0.4, 0.3, 0.2, 0.15]
OVERFIT_VAL = [1.0, 0.8, 0.6, 0.62, 0.7, 0.8, 0.95]


def started(run_dir: Path, epochs: int) -> ev.Started:
    return ev.Started(run_dir=str(run_dir), backend="jax", device="cpu", summary=[], total_params=0,
                      trainable_params=0, epochs=epochs, steps_per_epoch=30, train_samples=120, val_samples=30,
                      test_samples=0, metrics=["loss", "accuracy"], task="classification")


def epoch_events(loss: list[float], val: list[float]) -> list[ev.Event]:
    out: list[ev.Event] = []
    for i, (a, b) in enumerate(zip(loss, val, strict=True)):
        out.append(ev.BatchEnd(epoch=i, step=30, steps=30, global_step=30 * (i + 1),
                               logs={"loss": a, "batch_loss": a}, samples_per_s=1.0))
        out.append(ev.EpochEnd(epoch=i, epochs=len(loss), logs={"loss": a, "accuracy": 0.5 + i / 20,
                                                                "val_loss": b, "val_accuracy": 0.5},
                               learning_rate=0.001, seconds=1.0, samples_per_s=1.0))
    return out


def build_run(run_dir: Path, loss: list[float] = OVERFIT_LOSS, val: list[float] = OVERFIT_VAL,
              state: str = "finished", inspect: bool = True) -> list[ev.Event]:
    """Write a run's files; the events it "sent", in order (for feeding a live Coach the same run)."""
    run_dir.mkdir(parents=True)
    write_json_atomic(run_dir / SPEC_FILE, mlp_spec().to_dict())
    set_status(run_dir, state)
    sent: list[ev.Event] = [started(run_dir, len(loss))]
    writer = RunWriter(run_dir)
    recorder = InspectWriter(run_dir) if inspect else None
    for e in [sent[0], *epoch_events(loss, val)]:
        if e is not sent[0]:
            sent.append(e)
        writer.event(e)
        if isinstance(e, ev.EpochEnd):
            writer.epoch(e.epoch, e.logs, e.learning_rate, e.seconds)
            if recorder is not None:
                recorder.add(e.epoch + 1, snapshot(e.epoch + 1))
                snap = ev.Inspect(epoch=e.epoch + 1, file=f"inspect/epoch-{e.epoch + 1:05d}.npz")
                writer.event(snap)
                sent.append(snap)
    if state == "finished":
        summary = {"loss": "sparse_categorical_crossentropy", "epochs_run": len(loss)}
        write_json_atomic(run_dir / SUMMARY_FILE, summary)
        done = ev.Finished(run_dir=str(run_dir), summary=summary)
        writer.event(done)
        sent.append(done)
    writer.close()
    return sent


def snapshot(epoch: int) -> dict[str, np.ndarray]:
    """dense_1's ReLUs die off as the run goes on (10 % more each epoch); the gradients stay even."""
    out: dict[str, np.ndarray] = {}
    for block in ("dense_1", "dense_2", "head"):
        for part, a in histogram(np.full(64, 0.01)).items():
            out[f"gradients/{block}/kernel/{part}"] = np.asarray(a)
    out["stats/dense_1"] = np.array([0.2, 0.3, min(0.1 * epoch, 0.9), math.nan], np.float32)
    return out
