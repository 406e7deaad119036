"""A disk that fills up during a run (issue 11, item 4): the run is marked failed with how much room it
needs, half-written files are removed, and no traceback reaches the user. The full disk is injected with
KERAS_STUDIO_FAULT_ENOSPC (the writers raise ENOSPC, as a full file system does): filling a real one needs
privileges CI does not have."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import tempfile
import zipfile

import pytest

from studio.core import diskspace
from studio.core.runs import read_run, set_status
from tests.engine.proc_tools import LAB, ROOT


def train(tmp_path, fault: str | None, epochs: int = 3) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), JAX_PLATFORMS="cpu")
    env.pop(diskspace.FAULT_ENV, None)
    if fault:
        env[diskspace.FAULT_ENV] = fault
    return subprocess.run([sys.executable, "-m", "studio", "train", str(LAB), "--backend", "jax", "--epochs",
                           str(epochs), "--out", str(tmp_path), "--quiet"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["model.keras", "metrics.csv", "best.keras#2"])
def test_a_full_disk_fails_the_run_cleanly(tmp_path, fault):
    out = train(tmp_path, fault)
    run = next(tmp_path.iterdir())
    assert out.returncode == 1
    assert "error: disk full: " in out.stderr and f"MB needed in {run}" in out.stderr, out.stderr[-3000:]
    assert "[disk_full]" in out.stderr and "Traceback" not in out.stderr + out.stdout
    status = json.loads((run / "status.json").read_text())
    assert status["state"] == "failed" and status["reason"] == "disk_full", status
    assert status["message"].startswith("disk full: ")
    assert read_run(run).state == "failed"
    assert not [p.name for p in run.iterdir() if p.name.startswith(".")]  # no partial or temporary files
    assert not (run / "model.keras").exists()
    if fault.startswith("best.keras"):  # the checkpoint of the first epoch survives the failed second save
        assert zipfile.is_zipfile(run / "best.keras")


def test_status_is_written_even_without_room_for_a_copy(tmp_path, monkeypatch):
    set_status(tmp_path, "running", pid=1)

    def full(*a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(tempfile, "mkstemp", full)
    set_status(tmp_path, "failed", reason="disk_full", message="disk full: 3.0 MB needed in X")
    assert json.loads((tmp_path / "status.json").read_text())["state"] == "failed"


@pytest.mark.slow
def test_files_in_a_run_directory_are_0644(tmp_path):
    out = train(tmp_path, None, epochs=1)
    assert out.returncode == 0, out.stderr[-3000:]
    run = next(tmp_path.iterdir())
    modes = {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in run.iterdir() if p.is_file()}
    assert set(modes.values()) == {"0o644"}, modes
