"""`keras-studio coach RUN_DIR` on a run directory written by hand: the findings as text or JSON, read-only, and
a bad RUN_DIR answered with a clear line and exit code 2, never a traceback."""

from __future__ import annotations

import json

from studio.cli import run_cli
from studio.core.coach.coach import COACH_FILE
from tests.coach.rundirs import build_run


def test_text_names_severity_epoch_kind_evidence_and_fixes(tmp_path, capsys):
    run = tmp_path / "run"
    build_run(run)
    before = sorted(p.name for p in run.iterdir())
    assert run_cli(["coach", str(run)]) == 0
    out = capsys.readouterr().out
    assert "PROBLEM [epoch 5] overfitting" in out
    assert "evidence: Validation loss was best at epoch 3 (0.6)" in out
    assert "fix: Stop early on val_loss (patience 5)" in out and "or: Add Dropout(0.3) after dense_2" in out
    assert "INFO [before training] tiny_validation" in out  # iris, loaded again: 30 validation samples
    assert "dead_relu" in out and "blocks: dense_1" in out
    assert sorted(p.name for p in run.iterdir()) == before and not (run / COACH_FILE).exists()


def test_json_is_a_list_of_diagnosis_dicts(tmp_path, capsys):
    run = tmp_path / "run"
    build_run(run)
    assert run_cli(["coach", str(run), "--json", "--no-data"]) == 0
    found = json.loads(capsys.readouterr().out)
    by_kind = {d["kind"]: d for d in found}
    assert by_kind["overfitting"]["severity"] == "problem" and by_kind["overfitting"]["epoch"] == 5
    assert by_kind["overfitting"]["fixes"][1]["changes"] == [
        {"path": "model.blocks", "value": {"type": "Dropout", "params": {"rate": 0.3}}, "insert_after": "dense_2"}]
    assert found[0]["severity"] == "problem"  # the most severe first


def test_a_healthy_run_says_so(tmp_path, capsys):
    run = tmp_path / "run"
    loss = [0.1 + 0.9 * 0.8 ** e for e in range(8)]
    build_run(run, loss=loss, val=[v * 1.05 for v in loss], inspect=False)
    assert run_cli(["coach", str(run), "--no-data"]) == 0
    out = capsys.readouterr().out
    assert "overfitting" not in out and "tiny_validation" in out  # the small split remains worth a word


def test_a_bad_run_dir_is_exit_code_2_without_a_traceback(tmp_path, capsys):
    assert run_cli(["coach", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert "is not a folder; give a run directory" in err and "Traceback" not in err
    (tmp_path / "empty").mkdir()
    assert run_cli(["coach", str(tmp_path / "empty")]) == 2
    assert "is not a run directory: it has no readable spec.json" in capsys.readouterr().err


def test_check_adds_the_coach_before_training_without_changing_its_exit_code(capsys):
    assert run_cli(["check", "optimizer_adam", "--set", 'data.normalize="none"']) == 0
    out = capsys.readouterr().out
    assert "coach: warning unnormalized_inputs: `pixel_" in out and "Fix: Standardise the features" in out
    assert run_cli(["check", "optimizer_adam"]) == 0
    assert "coach:" not in capsys.readouterr().out
