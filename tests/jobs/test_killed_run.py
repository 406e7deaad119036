"""A killed training says which models it kept (issue 20, item 8): after a second Ctrl-C the CLI never says the
final model is not saved when model.keras was saved."""

from __future__ import annotations

import os
import signal
import threading
import time
from functools import partial

import pytest

from studio.core import events as ev
from studio.core.presets import load_preset
from studio.core.spec import with_overrides
from studio.jobs.process import TrainingProcess

HANDLER = "tests.jobs.handlers:saves_then_waits"


def _killed(tmp_path, notes: str = "") -> ev.Event:
    spec = with_overrides(load_preset("optimization_lab"), [f'meta.description="{notes}"'])
    proc = TrainingProcess(spec, tmp_path, worker=HANDLER)
    proc.start()
    try:
        for event in proc.iter_events():
            if isinstance(event, ev.Log) and event.message == "saved":
                proc.kill()
    finally:
        proc.close()
    assert isinstance(proc.terminal, ev.Failed)
    return proc.terminal


def test_a_kill_after_the_final_model_was_saved_says_it_is_kept(tmp_path):
    failed = _killed(tmp_path)
    assert failed.reason == ev.KILLED
    assert "model.keras" in failed.message and "not saved" not in failed.message


def test_a_kill_before_the_final_model_says_only_the_checkpoint_is_kept(tmp_path):
    failed = _killed(tmp_path, "no model")
    assert "model.keras" in failed.message and "not saved" in failed.message and "best.keras" in failed.message


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="POSIX signals")
def test_ctrl_c_twice_after_the_model_was_saved_does_not_say_it_is_lost(tmp_path, monkeypatch, capsys):
    from studio.cli import run_cli
    from studio.cli import train as train_cli

    monkeypatch.setattr(train_cli, "TrainingProcess", partial(TrainingProcess, worker=HANDLER))
    default = signal.getsignal(signal.SIGINT)

    def press_ctrl_c_twice():
        end = time.monotonic() + 60
        while time.monotonic() < end:  # the CLI's handler is in place and the model is on disk
            saved = list(tmp_path.glob("*/model.keras"))
            if saved and signal.getsignal(signal.SIGINT) is not default:
                break
            time.sleep(0.05)
        for _ in range(2):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.5)

    presser = threading.Thread(target=press_ctrl_c_twice, daemon=True)
    presser.start()
    code = run_cli(["train", "optimization_lab", "--out", str(tmp_path), "--quiet"])
    presser.join(5)
    err = capsys.readouterr().err
    assert code == 130, err
    assert "Ctrl-C again: killing the training" in err
    assert "not saved" not in err and "model.keras" in err
