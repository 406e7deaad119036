"""The lab spec through the Ray executor on a real local Ray head (started here on free ports, stopped after):
events arrive live, Stop ends Stopped with a model, the local run directory is complete, a failing job is
reported as failed with its message."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from studio.core import events as ev
from studio.core.spec import load_spec
from studio.jobs import ray_executor
from studio.jobs.process import TrainingProcess

pytestmark = [pytest.mark.slow, pytest.mark.ray]
REPO = Path(__file__).resolve().parents[2]
LAB = REPO / "presets" / "optimization_lab.json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ray_head():
    pytest.importorskip("ray.job_submission", reason="Ray is not installed (pip install keras-studio[ray])")
    import requests

    ray_cli = Path(sys.executable).parent / "ray"
    temp = tempfile.mkdtemp(prefix="ksray", dir="/tmp")  # short: Ray's socket paths must stay under 108 bytes
    dashboard = _free_port()
    # the head runs from this environment, so the jobs need no runtime_env: this venv's python first on PATH,
    # and this checkout's studio on PYTHONPATH
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": str(REPO), "RAY_USAGE_STATS_ENABLED": "0"}
    subprocess.run([str(ray_cli), "start", "--head", "--port", str(_free_port()), "--dashboard-port", str(dashboard),
                    "--num-cpus", "2", "--include-dashboard=true", "--dashboard-host", "127.0.0.1",
                    "--node-ip-address", "127.0.0.1", "--temp-dir", temp, "--disable-usage-stats"],
                   env=env, check=True, timeout=240, capture_output=True)
    address = f"http://127.0.0.1:{dashboard}"
    end = time.monotonic() + 120
    while time.monotonic() < end:  # the job module of the dashboard comes up a little after the head
        try:
            if requests.get(f"{address}/api/jobs/", timeout=3).ok:
                break
        except requests.exceptions.RequestException:
            pass
        time.sleep(1)
    saved = os.environ.get(ray_executor.RUNTIME_ENV_VAR)
    os.environ[ray_executor.RUNTIME_ENV_VAR] = "{}"
    try:
        yield address
    finally:
        if saved is None:
            os.environ.pop(ray_executor.RUNTIME_ENV_VAR, None)
        else:
            os.environ[ray_executor.RUNTIME_ENV_VAR] = saved
        subprocess.run([str(ray_cli), "stop", "--force"], check=False, env=env, timeout=120, capture_output=True)
        shutil.rmtree(temp, ignore_errors=True)


def _lab(epochs: int, **training):
    spec = load_spec(LAB).to_dict()
    spec["training"].update(backend="jax", epochs=epochs, **training)
    from studio.core.spec import parse_spec

    return parse_spec(spec)


def _events(proc: TrainingProcess, timeout: float = 300, on_event=None) -> list[ev.Event]:
    seen: list[ev.Event] = []
    end = time.monotonic() + timeout
    while proc.terminal is None:
        assert time.monotonic() < end, f"no terminal event within {timeout} s: {[e.kind for e in seen]}"
        for event in proc.poll(0.5):
            seen.append(event)
            if on_event is not None:
                on_event(event)
    return seen


def test_the_lab_runs_on_ray_and_its_run_directory_comes_back(ray_head, tmp_path):
    proc = TrainingProcess(_lab(3), tmp_path, ray_address=ray_head)
    run_dir = proc.start()
    try:
        seen = _events(proc)
    finally:
        proc.close()
    kinds = [e.kind for e in seen]
    assert kinds.count("Started") == 1 and kinds.count("EpochEnd") == 3, kinds
    assert isinstance(proc.terminal, ev.Finished), proc.terminal
    assert proc.terminal.run_dir == str(run_dir)  # the cluster's folder is not shown as the run's
    started = next(e for e in seen if isinstance(e, ev.Started))
    assert started.backend == "jax" and started.run_dir == str(run_dir)
    for name in ("model.keras", "best.keras", "metrics.csv", "summary.json", "events.jsonl", "spec.json"):
        assert (run_dir / name).is_file(), f"{name} missing from {sorted(p.name for p in run_dir.iterdir())}"
    assert (run_dir / "tensorboard").is_dir()
    assert json.loads((run_dir / "summary.json").read_text())["epochs_run"] == 3
    status = json.loads((run_dir / "status.json").read_text())
    assert status["state"] == "finished"
    assert status["ray_job_id"].startswith("raysubmit_")  # kept for `keras-studio attach`
    assert status["ray_job_id"] in (run_dir / "child.log").read_text()  # the job's other log lines land here


def test_stop_ends_the_ray_job_stopped_with_a_model(ray_head, tmp_path):
    proc = TrainingProcess(_lab(100_000), tmp_path, ray_address=ray_head)
    run_dir = proc.start()
    stopped_at = []

    def stop_after_two_epochs(event):
        if isinstance(event, ev.EpochEnd) and event.epoch == 1 and not stopped_at:
            stopped_at.append(time.monotonic())
            proc.stop()

    try:
        _events(proc, on_event=stop_after_two_epochs)
    finally:
        proc.close()
    assert stopped_at, "no second epoch arrived"
    assert isinstance(proc.terminal, ev.Stopped), proc.terminal
    assert (run_dir / "model.keras").is_file()
    assert json.loads((run_dir / "summary.json").read_text())["epochs_run"] < 100_000


def test_a_failing_job_is_reported_failed_with_its_message(ray_head, tmp_path):
    spec = _lab(2).to_dict()
    spec["data"] = {"source": "csv", "params": {"path": str(tmp_path / "no-such-file.csv")}}
    from studio.core.spec import parse_spec

    proc = TrainingProcess(parse_spec(spec), tmp_path / "runs", ray_address=ray_head)
    run_dir = proc.start()
    try:
        _events(proc)
    finally:
        proc.close()
    assert isinstance(proc.terminal, ev.Failed), proc.terminal
    assert "no-such-file.csv" in proc.terminal.message
    assert json.loads((run_dir / "status.json").read_text())["state"] == "failed"


def test_a_run_left_on_the_cluster_is_attached_again_and_stopped(ray_head, tmp_path):
    proc = TrainingProcess(_lab(100_000), tmp_path, ray_address=ray_head)
    run_dir = proc.start()
    try:
        _events(proc, on_event=lambda e: isinstance(e, ev.EpochEnd) and proc.job.detach())
    finally:
        proc.close()
    assert isinstance(proc.terminal, ev.Failed) and proc.terminal.reason == ray_executor.DETACHED
    assert "keras-studio attach" in proc.terminal.message
    job = ray_executor.attach(run_dir).start()
    seen = []
    try:
        while job.terminal is None:
            for event in job.poll(0.5):
                seen.append(event)
                if isinstance(event, ev.EpochEnd) and event.epoch >= 2:
                    job.send({"control": "stop"})
            assert len(seen) < 100_000
    finally:
        job.close()
    assert [e.kind for e in seen].count("Started") == 1  # the log is read again from its beginning
    assert isinstance(job.terminal, ev.Stopped), job.terminal
    assert (run_dir / "model.keras").is_file()


def test_a_runtime_env_that_cannot_install_is_a_clear_message(ray_head, tmp_path, monkeypatch):
    monkeypatch.setenv(ray_executor.RUNTIME_ENV_VAR, json.dumps({"py_modules": ["s3://keras-studio-no-such-bucket/x.zip"]}))
    proc = TrainingProcess(_lab(2), tmp_path, ray_address=ray_head)
    run_dir = proc.start()
    try:
        _events(proc)
    finally:
        proc.close()
    assert isinstance(proc.terminal, ev.Failed), proc.terminal
    assert proc.terminal.reason == "runtime_env_failed", proc.terminal
    assert "could not install the job's runtime environment" in proc.terminal.message
    assert json.loads((run_dir / "status.json").read_text())["state"] == "failed"


def test_a_one_shot_job_answers_and_is_not_held_to_one_thread(ray_head):
    job = ray_executor.RayJob("probe", {"echo": "hello"}, ray_head,
                              handler="tests.jobs.ray_handlers:environment").start()
    try:
        result = job.wait(120)
    finally:
        job.close()
    assert isinstance(result, ev.Result), result
    assert result.data == {"omp_num_threads": None, "echo": "hello"}  # Ray's OMP_NUM_THREADS=1 was dropped


def test_a_job_the_cluster_never_starts_is_stopped_after_the_start_timeout(ray_head, tmp_path, monkeypatch):
    monkeypatch.setenv(ray_executor.START_TIMEOUT_VAR, "12")
    monkeypatch.setenv(ray_executor.RUNTIME_ENV_VAR, json.dumps({"env_vars": {}}))
    spec = _lab(2).to_dict()
    spec["training"]["device"] = "gpu"  # the test head has no GPU: the job waits for one for ever
    from studio.core.spec import parse_spec

    proc = TrainingProcess(parse_spec(spec), tmp_path, ray_address=ray_head)
    proc.start()
    t0 = time.monotonic()
    try:
        seen = _events(proc, timeout=90)
    finally:
        proc.close()
    assert isinstance(proc.terminal, ev.Failed) and proc.terminal.reason == "start_timeout", proc.terminal
    assert "did not start job" in proc.terminal.message and "GPU" in proc.terminal.message
    assert any(isinstance(e, ev.Log) and "waits to start" in e.message for e in seen)
    assert time.monotonic() - t0 < 60


def test_the_cli_trains_on_ray_and_says_which_address_it_uses(ray_head, tmp_path, capsys):
    from studio.cli import run_cli

    code = run_cli(["train", str(LAB), "--backend", "jax", "--epochs", "2", "--on", ray_head, "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"jobs are sent through the Jobs API at {ray_head}" in out
    assert "epoch 2/2" in out and "finished after 2 epochs" in out
    (run_dir,) = tmp_path.iterdir()
    assert (run_dir / "model.keras").is_file()


def test_a_sweep_fans_out_its_trials_as_ray_jobs(ray_head, tmp_path):
    from functools import partial

    from studio.core.sweep_spec import parse_sweep
    from studio.jobs.sweep import Sweep

    sweep = parse_sweep({"name": "on-ray", "spec": "lab", "metric": "loss", "trials": 2, "jobs": 2,
                         "search": [{"path": "optimizer.learning_rate", "distribution": "loguniform",
                                     "low": 1e-3, "high": 0.1}]})
    runner = Sweep(sweep, _lab(3), tmp_path, start_run=partial(TrainingProcess, ray_address=ray_head))
    results = runner.run()
    assert [r.state for r in results] == ["complete", "complete"]
    for r in results:  # each trial's run directory came back from its own Ray job
        assert (Path(r.run_dir) / "model.keras").is_file() and (Path(r.run_dir) / "sweep.json").is_file()
