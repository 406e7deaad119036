"""`keras-studio train` runs the coach on the event stream: a problem is printed on one line as it appears, and
the run directory keeps coach.jsonl like a run the app trains."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from studio.cli.train import coach_line
from studio.core.coach.coach import read_coach
from studio.core.coach.diagnosis import Change, Diagnosis, Fix

ROOT = Path(__file__).resolve().parents[2]
# the ten-point lab with plain SGD at rate 10: the loss jumps to over ten times that of guessing at once; one
# update an epoch, so the coach judges it from epoch 11, after 10 updates
DIVERGING = ("optimization_lab", "--backend", "jax", "--epochs", "12", "--set", "optimizer.name=sgd",
             "--set", "optimizer.learning_rate=10", "--set", "optimizer.weight_decay=0")


def train(tmp_path, *extra):
    out = subprocess.run([sys.executable, "-m", "studio", "train", *DIVERGING, "--out", str(tmp_path), *extra],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    (run_dir,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    return out.stdout, run_dir


def test_a_coach_line_is_one_line_with_the_first_fix():
    d = Diagnosis("lr_too_high", "problem", 2, "The loss is 8.", "Lower it.",
                  fixes=[Fix("Divide the learning rate by 10", [Change("optimizer.learning_rate", 1.0)]),
                         Fix("Clip", [])])
    assert coach_line(d) == "coach: problem lr_too_high (epoch 2): The loss is 8. Fix: Divide the learning rate by 10."
    assert "\n" not in coach_line(Diagnosis("unnormalized_inputs", "problem", None, "Big.", "Scale."))


@pytest.mark.slow
def test_train_prints_the_problem_as_it_appears_and_keeps_coach_jsonl(tmp_path):
    stdout, run_dir = train(tmp_path / "loud")
    lines = stdout.splitlines()
    told = [i for i, line in enumerate(lines) if line.startswith("coach: problem lr_too_high (epoch 11)")]
    assert len(told) == 1, stdout  # once, however often it firms up
    assert lines[told[0] - 1].startswith("epoch 11/12"), stdout  # printed as epoch 11 ended, after its line
    # the coach's summary ends the run's own lines; the lab's lesson verdict (and its hints) follows it
    summary = next(i for i, line in enumerate(lines) if "keras-studio coach" in line)
    assert lines[summary - 1].startswith("model:") and "Lesson goal not met" in lines[summary + 1], stdout
    kept = {d.kind: d for d in read_coach(run_dir)}
    assert kept["lr_too_high"].severity == "problem" and kept["lr_too_high"].epoch == 11
    assert "lr_too_high" in {json.loads(line)["kind"] for line in (run_dir / "coach.jsonl").read_text().splitlines()}

    stdout, run_dir = train(tmp_path / "quiet", "--quiet")
    assert "coach:" not in stdout
    assert "lr_too_high" in {d.kind for d in read_coach(run_dir)}  # quiet, but the findings are still kept
