"""Synthetic run histories for the detector tests: a small MLP spec, curves given as lists, data summaries."""

from __future__ import annotations

from typing import Any

from studio.core import events as ev
from studio.core.coach.data_summary import DataSummary
from studio.core.coach.history import RunHistory
from studio.core.spec import RunSpec, parse_spec

HEALTHY_LOSS = [0.1 + 0.9 * 0.8 ** e for e in range(15)]  # falls fast, then keeps falling by a few % an epoch
HEALTHY_VAL = [v * 1.08 for v in HEALTHY_LOSS]
HEALTHY_ACC = [min(0.97, 0.55 + 0.03 * e) for e in range(15)]
HEALTHY_VAL_ACC = [a - 0.02 for a in HEALTHY_ACC]


def mlp_spec(activation: str = "relu", **sections: Any) -> RunSpec:
    blocks = [{"id": "input_1", "type": "Input", "params": {"shape": [4]}},
              {"id": "dense_1", "type": "Dense", "params": {"units": 16, "activation": activation}},
              {"id": "dense_2", "type": "Dense", "params": {"units": 16, "activation": activation}},
              {"id": "head", "type": "Dense", "params": {"units": 3, "activation": "softmax"}}]
    data = {"source": "iris", "validation_split": 0.2, "normalize": "standard"}
    return parse_spec({"model": {"blocks": blocks}, "data": data,
                       "training": {"loss": "sparse_categorical_crossentropy", "epochs": 30}, **sections})


def iris_data(**changes: Any) -> DataSummary:
    base: dict[str, Any] = {"train_samples": 960, "val_samples": 240, "task": "classification", "kind": "table",
                            "normalize": "standard", "class_counts": [320, 320, 320],
                            "feature_means": [0.0] * 4, "feature_stds": [1.0] * 4}
    base.update(changes)
    return DataSummary(**base)


def history(loss: list[float], val_loss: list[float] | None = None, accuracy: list[float] | None = None,
            val_accuracy: list[float] | None = None, spec: RunSpec | None = None, data: DataSummary | None = None,
            steps: int = 30, lr: float = 0.001) -> RunHistory:
    """A RunHistory fed as the engine would: Started, then one EpochEnd per loss value."""
    data = data or iris_data()
    h = RunHistory(spec=spec or mlp_spec(), data=data)
    h.feed(ev.Started(run_dir="", backend="jax", device="cpu", summary=[], total_params=0, trainable_params=0,
                      epochs=len(loss), steps_per_epoch=steps, train_samples=data.train_samples,
                      val_samples=data.val_samples, test_samples=0, metrics=["loss", "accuracy"],
                      task=data.task))
    for i, value in enumerate(loss):
        logs = {"loss": value}
        for name, series in (("val_loss", val_loss), ("accuracy", accuracy), ("val_accuracy", val_accuracy)):
            if series is not None:
                logs[name] = series[i]
        h.feed(ev.EpochEnd(epoch=i, epochs=len(loss), logs=logs, learning_rate=lr, seconds=1.0, samples_per_s=1.0))
    return h


def healthy() -> RunHistory:
    return history(HEALTHY_LOSS, HEALTHY_VAL, HEALTHY_ACC, HEALTHY_VAL_ACC)
