"""Ctrl-C in a terminal reaches the whole process group (issue 11, item 2): the first stops after the
current batch and keeps the model, the second kills; each says which happened and exits with its own code."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from tests.engine.proc_tools import run_dir_of, start_train, status, wait_for_epochs

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT are POSIX")


@pytest.mark.slow
def test_ctrl_c_to_the_process_group_stops_and_keeps_the_model(tmp_path):
    cli = start_train(tmp_path)
    try:
        run = run_dir_of(tmp_path)
        wait_for_epochs(run, 3)
        os.killpg(cli.pid, signal.SIGINT)  # what the terminal does: every process of the foreground group
        out, err = cli.communicate(timeout=120)
    finally:
        if cli.poll() is None:
            os.killpg(cli.pid, signal.SIGKILL)
    assert cli.returncode == 3, err[-3000:]
    assert "stopping after this batch" in err and "Traceback" not in err
    assert "stopped by Ctrl-C after" in out
    assert (run / "model.keras").is_file() and (run / "summary.json").is_file()
    assert status(run)["state"] == "stopped" and status(run)["reason"] == "stopped by Ctrl-C"
    assert not list(run.glob(".partial-*"))
    assert "out of memory" not in out + err


@pytest.mark.slow
def test_ctrl_c_twice_kills_and_says_so(tmp_path):
    cli = start_train(tmp_path)
    try:
        run = run_dir_of(tmp_path)
        wait_for_epochs(run, 3)
        os.killpg(cli.pid, signal.SIGINT)
        first = ""
        while "stopping after this batch" not in first:  # two signals sent at once would arrive as one
            first += cli.stderr.readline()
        os.killpg(cli.pid, signal.SIGINT)
        out, err = cli.communicate(timeout=120)
        err = first + err
    finally:
        if cli.poll() is None:
            os.killpg(cli.pid, signal.SIGKILL)
    assert cli.returncode == 130, err[-3000:]
    assert "Ctrl-C again: killing the training" in err
    assert "[killed]" in err and "out of memory" not in err
    assert status(run)["state"] == "failed"


def test_exit_codes_are_in_the_help():
    import subprocess

    from tests.engine.proc_tools import ROOT

    out = subprocess.run([sys.executable, "-m", "studio", "train", "--help"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60).stdout
    assert "exit codes:" in out and "3    the run was stopped (Ctrl-C once)" in out
    assert "130  Ctrl-C twice" in out
