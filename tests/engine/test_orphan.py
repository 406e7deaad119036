"""A child whose parent is killed stops within seconds, keeps its model and says why (issue 11, item 6)."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from tests.engine.proc_tools import children_of, run_dir_of, start_train, status, wait_for_epochs, wait_gone

pytestmark = [pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"), pytest.mark.slow]

BOUND_S = 20  # the current batch, saving the model and a tiny evaluation take about a second here


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_killing_the_cli_leaves_no_process_and_a_complete_run(tmp_path, how):
    cli = start_train(tmp_path)
    try:
        run = run_dir_of(tmp_path)
        wait_for_epochs(run, 3)
        left = children_of(cli.pid)  # the training child and multiprocessing's resource tracker
        assert status(run)["pid"] in left
        os.kill(cli.pid, how)
        cli.wait(10)
        still = wait_gone(left, BOUND_S)
    finally:
        for pid in children_of(cli.pid) + left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if cli.poll() is None:
            cli.kill()
    assert not still, f"still running {BOUND_S}s after the app was killed: {still}"
    st = status(run)
    assert st["state"] == "stopped" and st["reason"] == "stopped: the app went away", st
    assert (run / "model.keras").is_file() and (run / "summary.json").is_file()
    assert not list(run.glob(".partial-*"))
    assert "the app that started this training went away" in (run / "child.log").read_text()


def test_an_engine_child_ends_when_its_job_is_killed(tmp_path):
    """The evaluate/export children (subprocess, JSON on stdin) end within seconds of their parent."""
    import subprocess

    from tests.engine.proc_tools import ROOT

    env = dict(os.environ, PYTHONPATH=str(ROOT), JAX_PLATFORMS="cpu")
    parent = subprocess.Popen([sys.executable, "-m", "tests.engine.orphan_parent"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert parent.stdout.readline().strip() == "working"  # the child has its backend and is mid-job
        left = children_of(parent.pid)
        assert left
        parent.kill()
        parent.wait(10)
        still = wait_gone(left, 10)
    finally:
        for pid in [parent.pid, *children_of(parent.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert not still, f"the engine child outlived its parent: {still}"
