"""The presets as shipped, trained for real (tests/coach/recorded, replayed as the live coach saw them): a
well-set run ends with no warning. What the coach says on the way may be a warning that the run later proves
wrong, and then that message says it no longer holds."""

from __future__ import annotations

import pytest

from tests.coach.recorded import RECORDED, replay


def test_there_are_recorded_runs():
    assert {"optimization_lab", "timeseries_rnn"} <= set(RECORDED)


@pytest.mark.parametrize("name", RECORDED)
def test_a_healthy_preset_ends_without_a_warning(name):
    coach, _ = replay(name)
    assert [(d.kind, d.severity, d.evidence) for d in coach.diagnoses() if d.severity != "info"] == []


def test_a_rise_of_the_validation_loss_that_the_run_outgrew_is_withdrawn():
    """timeseries_rnn: validation loss 0.0325 at epoch 4, 0.0372 by epoch 10 (a warning then), a new best 0.0301
    by epoch 20."""
    coach, said = replay("timeseries_rnn")
    warned = [d for d in said if d.kind == "overfitting" and d.severity == "warning"]
    assert warned and warned[0].epoch == 9
    final = next(d for d in coach.diagnoses() if d.kind == "overfitting")
    assert final.severity == "info" and final.resolved is not None and final.resolved > 9
    assert f"Withdrawn at epoch {final.resolved}: the last 3 epochs no longer show it." in final.evidence
    assert final.epoch == 9  # first seen stays first seen


def test_the_lab_has_no_plateau_or_underfitting_while_its_noisy_loss_falls():
    """One dropout-noisy full batch an epoch: single epochs swing ±50 % around a loss that falls all run."""
    coach, said = replay("optimization_lab")
    assert {d.kind for d in said} <= {"dead_relu"}
    dead = coach.diagnoses()[0]
    assert dead.severity == "info" and "units to spare" in dead.evidence
