"""The clinic on real runs (jax): each spec of tests/coach/clinic is broken in one way, trained for the fewest
epochs that show it, with the Coach `keras-studio train` runs; the coach must name that fault, and nothing else
at problem level. Whether the first fix then helps is benchmarks/coach_clinic.py's to measure (on two backends)."""

from __future__ import annotations

import pytest

from tests.coach.clinic import FAULTS, load, train_all

EPOCHS = {  # enough for each fault's evidence, no more
    "lr_too_high": 4,  # far above guessing from epoch 2; judged from epoch 3, after 10 updates of 5 an epoch
    "lr_too_low": 7,  # 315 updates: the detector waits for 300
    "vanishing_gradients": 2, "dead_relu": 2,  # visible in the first snapshots
    "overfitting": 10,  # the validation loss passes 1.5× its best (epoch 1) at epoch 9
    "unnormalized_inputs": 2, "class_imbalance": 2,  # seen in the data before training
    "label_leak": 2,  # 100 % validation accuracy after epoch 1
}
# class_imbalance tops out at warning by design: a skewed split is a property of the data that makes accuracy
# flatter, not a failure of training, and the spec has no class weights a fix could set
SEVERITY = {name: "problem" for name in FAULTS} | {"class_imbalance": "warning"}


def test_every_clinic_spec_is_tested():
    assert set(EPOCHS) == set(FAULTS)


@pytest.mark.slow
def test_the_coach_names_each_fault_and_no_other_problem(tmp_path):
    """All clinic specs in one JAX child (one backend start, not eight); each run's events fed to the coach."""
    specs = {}
    for fault in FAULTS:
        spec = load(fault, "jax")
        spec["training"]["epochs"] = EPOCHS[fault]
        specs[fault] = spec
    results = train_all(specs, tmp_path)
    wrong = {}
    for fault, result in results.items():
        found = result.finding(fault)
        said = [f"{d.severity} {d.kind}: {d.evidence}" for d in result.found]
        if found is None or found.severity != SEVERITY[fault] or not found.fixes:
            wrong[fault] = said  # not named, at another severity, or without a fix to try
        elif [k for k in result.kinds("problem") if k != fault]:
            wrong[fault] = said  # another fault called a problem
    assert wrong == {}
