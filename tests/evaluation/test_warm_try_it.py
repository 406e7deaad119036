"""Try it and evaluation on a warm backend worker, with a real trained model: a second model load starts no
backend process, a worker killed with kill -9 is replaced and the next request still answers, and no worker
outlives the window."""

from __future__ import annotations

import os
import signal
import time

import numpy as np

from studio.jobs import workers
from studio.jobs.evaluate_job import evaluate
from studio.jobs.predictor import Predictor
from tests.jobs.test_workers import _gone


def _spec(run_dir):
    import json

    return json.loads((run_dir / "spec.json").read_text())


def test_a_second_try_it_request_starts_no_new_backend_process_and_survives_kill_9(runs):
    run = runs["iris"]  # trained on jax
    spec = _spec(run)
    workers.shutdown()
    first = Predictor(run / "model.keras", spec, "jax")
    first.start()
    worker = workers.worker("jax")
    pid, starts = worker.pid, worker.starts
    x = np.zeros((1, 4), np.float32)
    y = first.predict(x)
    assert y.shape == (1, 3) and abs(float(np.sum(y)) - 1) < 1e-4
    t = time.monotonic()
    second = Predictor(run / "model.keras", spec, "jax")  # the same model opened again: Try it reopened
    second.start()
    assert second.predict(x).shape == (1, 3)
    assert time.monotonic() - t < 5
    doc = evaluate(run)  # and an evaluation, in the same process
    assert doc["task"] == "classification"
    assert (worker.pid, worker.starts) == (pid, starts)
    assert first.job.pid == second.job.pid == pid

    os.kill(pid, signal.SIGKILL)
    assert _gone(pid)
    again = first.predict(x)  # loads the model again in a fresh worker, and answers
    np.testing.assert_allclose(again, y, atol=1e-6)
    assert worker.starts == starts + 1 and worker.pid != pid and first.revivals == 1
    first.close()
    second.close()


def test_no_worker_outlives_the_window(qtbot, runs):
    from studio.ui.main_window import MainWindow

    w = MainWindow(probe_devices=False)
    w.show()
    qtbot.waitExposed(w)
    w.show_run(str(runs["iris"]))  # a past run shown: its backend's worker starts in the background
    worker = workers.worker("jax")
    qtbot.waitUntil(lambda: bool(worker.info), timeout=60_000)
    pid = worker.pid
    w.shutdown()
    w.doc.undo_stack.setClean()
    w.close()
    w.deleteLater()
    qtbot.wait(1)
    assert workers.running() == [] and _gone(pid)
