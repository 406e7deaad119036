"""Write the clinic: one run spec per way a learner breaks training, each broken in that one way only, and the
two CSV tables two of them read. Run it again after changing a spec here; the JSON and CSV files are committed.

    python tests/coach/clinic/make_clinic.py
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CLINIC = "tests/coach/clinic"  # CSV paths are read from the working directory: run the clinic from the checkout
SEED = 42


def dense(n: int, units: int, activation: str, **params) -> dict:
    return {"id": f"dense_{n}", "type": "Dense", "params": {"units": units, "activation": activation, **params}}


def mlp(inputs: int, hidden: list[dict], classes: int) -> dict:
    head = dense(len(hidden) + 1, classes, "softmax")
    return {"blocks": [{"id": "input_1", "type": "Input", "params": {"shape": [inputs]}}, *hidden, head]}


def binary(model: dict) -> dict:
    """One sigmoid unit for two classes, as precision and recall need."""
    model["blocks"][-1]["params"]["activation"] = "sigmoid"
    return model


def spec(title: str, broken: str, model: dict, data: dict, optimizer: dict, epochs: int, **training) -> dict:
    return {"version": 1, "meta": {"title": f"Clinic: {title}", "description": broken},
            "model": model, "data": {"validation_split": 0.25, "normalize": "standard", **data},
            "optimizer": optimizer, "inspect": {"every": 1},
            "training": {"epochs": epochs, "batch_size": 32, "loss": "auto", "metrics": ["accuracy"],
                         "seed": SEED, "backend": "jax"} | training}


DIGITS = {"source": "digits", "params": {"as_images": False}}
ADAM = {"name": "adam", "learning_rate": 0.001}


def specs() -> dict[str, dict]:
    return {
        "lr_too_high": spec(
            "learning rate far too high", "Adam at learning rate 1.0, a thousand times its usual 0.001: every "
            "step overshoots, and the loss climbs far above that of guessing.",
            mlp(13, [dense(1, 32, "relu")], 3), {"source": "wine"}, {"name": "adam", "learning_rate": 1.0}, 6),
        "lr_too_low": spec(
            "learning rate far too low", "Plain SGD at learning rate 0.0001: the loss creeps down in tiny, "
            "regular steps and the run ends long before the model has learned the digits.",
            mlp(64, [dense(1, 64, "relu")], 10), DIGITS, {"name": "sgd", "learning_rate": 0.0001}, 8),
        "vanishing_gradients": spec(
            "ten sigmoid layers", "Ten stacked Dense layers with sigmoid activations: the gradient shrinks at "
            "each layer on its way back, and the first layers hardly learn.",
            mlp(64, [dense(i, 32, "sigmoid") for i in range(1, 11)], 10), DIGITS, ADAM, 8),
        "overfitting": spec(
            "a big network, few samples", "Two 512-unit layers, no regularisation, and 200 samples with a fifth "
            "of their labels wrong to train on: the network memorises even the wrong labels and gets ever more "
            "confidently wrong on new samples.",
            mlp(20, [dense(1, 512, "relu"), dense(2, 512, "relu")], 2),
            {"source": "csv", "params": {"path": f"{CLINIC}/noisy.csv", "target": "label"}, "validation_split": 0.5},
            ADAM, 30, batch_size=16),
        "unnormalized_inputs": spec(
            "unnormalised features", "The breast-cancer table fed raw: areas in the thousands next to "
            "smoothness values around 0.1, with data.normalize set to none.",
            mlp(30, [dense(1, 32, "relu")], 2), {"source": "breast_cancer", "normalize": "none"}, ADAM, 10),
        "label_leak": spec(
            "a leaked label column", "A table of 8 measurements with an extra column, `lab_code`, that is the "
            "label itself written as a number: the model reads the answer instead of learning from the "
            "measurements, and fails on new samples, which come without it (leak_deployed.csv).",
            mlp(9, [dense(1, 32, "relu")], 2), {"source": "csv", "params": {"path": f"{CLINIC}/leak.csv",
                                                                         "target": "label"}},
            {"name": "adam", "learning_rate": 0.01}, 6, batch_size=8),
        "class_imbalance": spec(
            "a 95/5 class split", "Two classes of which one holds 95 % of the samples: always answering it scores "
            "95 % accuracy, and accuracy alone cannot tell that the model misses the rare class.",
            binary(mlp(8, [dense(1, 32, "relu")], 1)),
            {"source": "csv", "params": {"path": f"{CLINIC}/imbalanced.csv", "target": "label"}}, ADAM, 30),
        "dead_relu": spec(
            "dead ReLU units", "A ReLU layer whose biases start at -10: every unit outputs zero for every digit, "
            "so no gradient flows through it and it never comes back to life.",
            mlp(64, [dense(1, 64, "relu", bias_start=-10.0)], 10), DIGITS, ADAM, 5),
    }


def write_leak() -> None:
    """leak.csv: two classes with 15 % of the labels flipped (an honest model tops out near 85 %), and `lab_code`,
    the label disguised as 10·label + 7; leak_deployed.csv: the same rows as new samples arrive, `lab_code`
    not yet filled in by the lab (shuffled), so a model that leaned on it is caught out."""
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=600, n_features=8, n_informative=5, flip_y=0.15, random_state=SEED)
    code = y * 10 + 7
    for name, column in (("leak.csv", code), ("leak_deployed.csv", np.random.default_rng(SEED).permutation(code))):
        _write(name, [*(f"x{i + 1}" for i in range(x.shape[1])), "lab_code", "label"],
               np.column_stack([np.round(x, 4), column]), y)


def _write(name: str, header: list[str], x: np.ndarray, y: np.ndarray) -> None:
    with open(HERE / name, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for row, label in zip(x, y, strict=True):
            w.writerow([*(f"{v:g}" for v in row), int(label)])


def write_noisy() -> None:
    """noisy.csv: 400 samples, 20 features of which 5 tell the classes apart, 20 % of the labels flipped."""
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=400, n_features=20, n_informative=5, flip_y=0.2, random_state=SEED)
    _write("noisy.csv", [*(f"x{i + 1}" for i in range(x.shape[1])), "label"], np.round(x, 4), y)


def write_imbalanced() -> None:
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=800, n_features=8, n_informative=4, weights=[0.95], flip_y=0,
                               class_sep=0.8, random_state=SEED)
    _write("imbalanced.csv", [*(f"x{i + 1}" for i in range(x.shape[1])), "label"], np.round(x, 4), y)


if __name__ == "__main__":
    for name, s in specs().items():
        (HERE / f"{name}.json").write_text(json.dumps(s, indent=2) + "\n", encoding="utf-8")
    write_leak()
    write_imbalanced()
    write_noisy()
