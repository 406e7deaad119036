"""`keras-studio compare` end to end on the optimisation lab: real trainings through the sweep machinery.

One comparison of three arms, three seeds each, trained once for the module (nine short runs, two at a time):
Adam at 0.01, the same spec again, and Adam at 1e-5. The same spec twice must be within seed noise; 0.01 against
1e-5 larger than it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import optuna
import pytest
from optuna.trial import TrialState

from studio.core.presets import load_preset
from studio.core.seed_compare import seeds_of
from studio.core.spec import with_overrides
from studio.jobs.sweep import default_storage

pytestmark = pytest.mark.slow

# the lab as it ships (200 epochs of ten points are milliseconds each), on the CPU: no device probe for --jobs 2
LAB = ['training.backend="jax"', 'training.device="cpu"']


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare")
    for name, lr in (("adam_0.01", 0.01), ("adam_1e-5", 1e-5)):
        spec = with_overrides(load_preset("optimization_lab"), [*LAB, f"optimizer.learning_rate={lr}"])
        (root / f"{name}.json").write_text(json.dumps(spec.to_dict()))
    cmd = [sys.executable, "-m", "studio", "compare", str(root / "adam_0.01.json"), str(root / "adam_0.01.json"),
           str(root / "adam_1e-5.json"), "--seeds", "3", "--jobs", "2", "--name", "lab", "--out", str(root / "runs")]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return root, cmd, done.stdout


def _line(out: str, start: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(start))


def test_the_same_spec_twice_is_within_seed_noise(compared):
    _root, _cmd, out = compared
    print(out)
    for what in ("final", "best"):
        line = _line(out, f"adam_0.01 #2 − adam_0.01 #1, {what} loss: ")
        assert line.endswith("within seed noise"), line


def test_adam_at_0_01_against_1e_5_is_larger_than_seed_noise(compared):
    """Judged on the best loss of each run: 1e-5 barely leaves its initial loss, 0.01 gets near zero. The final loss
    (one epoch's value, shaken by the lab's dropout) points the same way, but with three seeds its interval is wide."""
    root, _cmd, out = compared
    for first in ("#1", "#2"):
        line = _line(out, f"adam_1e-5 − adam_0.01 {first}, best loss: +")  # 1e-5 ends with the higher loss
        assert line.endswith(f"larger than seed noise (adam_0.01 {first} is better)"), line
        assert _line(out, f"adam_1e-5 − adam_0.01 {first}, final loss: +")
    table = json.loads((root / "runs" / "compare-lab.json").read_text())
    assert [a["label"] for a in table["arms"]] == ["adam_0.01 #1", "adam_0.01 #2", "adam_1e-5"]
    assert [a["seeds"] for a in table["arms"]] == [seeds_of(i, 3) for i in range(3)]  # each arm its own seeds
    assert all(a["final"]["n"] == 3 for a in table["arms"])


def test_the_same_command_again_trains_nothing_more(compared):
    """Resumable: the study in the sweeps' storage already holds every seed, so a rerun only prints the table."""
    root, cmd, out = compared
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert ", seed " not in again.stdout  # no run trained
    assert _line(again.stdout, "adam_1e-5 − adam_0.01 #1, final") == _line(out, "adam_1e-5 − adam_0.01 #1, final")
    study = optuna.load_study(study_name="lab", storage=default_storage(root / "runs"))
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 9
