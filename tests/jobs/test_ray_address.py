"""The Ray executor's fast part: reading the address, and what a computer without Ray says (no cluster)."""

from __future__ import annotations

import socket
import sys

import pytest

from studio.cli import run_cli as cli_main
from studio.jobs import ray_executor
from studio.jobs.ray_executor import (
    INSTALL_HINT,
    RayClusterError,
    dashboard_address,
    gpus_for,
    runtime_env_for,
)


@pytest.mark.parametrize(("given", "used"), [
    ("ray://10.0.0.5:10001", "http://10.0.0.5:8265"),
    ("http://10.0.0.5:8265", "http://10.0.0.5:8265"),
    ("https://ray.example.org", "https://ray.example.org:8265"),
    ("head.local:9000", "http://head.local:9000"),
    ("raycluster-head-svc.default.svc:8265/", "http://raycluster-head-svc.default.svc:8265"),
])
def test_address_forms_become_the_dashboard_address(given, used):
    address, note = dashboard_address(given)
    assert address == used
    assert used in note
    if given.startswith("ray://"):
        assert "Ray Client" in note  # says that the ray:// port is not the one used


@pytest.mark.parametrize("bad", ["", "ftp://host:1", "http://:8265", "http://host:port"])
def test_unreadable_addresses_say_what_is_expected(bad):
    with pytest.raises(RayClusterError, match="expected"):
        dashboard_address(bad)


def test_runtime_env_installs_this_version_and_the_backend(monkeypatch):
    from studio import __version__

    monkeypatch.delenv(ray_executor.RUNTIME_ENV_VAR, raising=False)
    env = runtime_env_for({"training": {"backend": "jax"}})
    assert env["pip"] == [f"keras-studio[jax]=={__version__}"]
    assert int(env["env_vars"]["RAY_JOB_STOP_WAIT_TIME_S"]) >= 60  # time to save the model after a stop
    monkeypatch.setenv(ray_executor.RUNTIME_ENV_VAR, "{}")
    assert "pip" not in runtime_env_for({"training": {"backend": "jax"}})
    monkeypatch.setenv(ray_executor.RUNTIME_ENV_VAR, "[1]")
    with pytest.raises(RayClusterError, match="expected a JSON object"):
        runtime_env_for({})


def test_gpus_follow_the_spec_device():
    assert gpus_for({"training": {"device": "gpu:1"}}) == 1
    assert gpus_for({"training": {"device": "cpu"}}) == 0
    assert gpus_for({"training": {}}) == 0


@pytest.fixture
def no_ray(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    monkeypatch.setitem(sys.modules, "ray.job_submission", None)


def test_without_ray_the_cli_says_how_to_install_it(no_ray, tmp_path, capsys):
    code = cli_main(["train", "optimization_lab", "--on", "ray://127.0.0.1:10001", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert "pip install keras-studio[ray]" in err
    assert "Traceback" not in err
    assert not list(tmp_path.iterdir())  # no run directory for a run that cannot start


def test_without_ray_connecting_says_how_to_install_it(no_ray):
    with pytest.raises(RayClusterError) as info:
        ray_executor.connect("http://127.0.0.1:8265")
    assert info.value.message == INSTALL_HINT
    assert info.value.reason == "ray_missing"


def test_no_cluster_at_the_address_is_a_clear_message_soon():
    pytest.importorskip("ray.job_submission", reason="Ray is not installed (pip install keras-studio[ray])")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RayClusterError, match="no Ray cluster answers at http://127.0.0.1") as info:
        ray_executor.connect(f"http://127.0.0.1:{port}", timeout=3)
    assert info.value.reason == "no_cluster"


def test_attach_to_a_local_run_says_it_was_not_sent_to_ray(tmp_path, capsys):
    pytest.importorskip("ray.job_submission", reason="Ray is not installed (pip install keras-studio[ray])")
    from studio.core.runs import create_run_dir

    run_dir = create_run_dir(tmp_path, {"meta": {"title": "local"}})
    code = cli_main(["attach", str(run_dir)])
    err = capsys.readouterr().err
    assert code == 1
    assert "is not a run sent to a Ray cluster" in err and "ray_job_id" in err
    assert "Traceback" not in err


def test_another_ray_version_on_the_cluster_says_which_to_install():
    pytest.importorskip("ray.job_submission", reason="Ray is not installed (pip install keras-studio[ray])")
    import http.server
    import threading

    class OldRay(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # the name http.server calls
            body = b'{"version": "4", "ray_version": "1.13.0", "ray_commit": "x"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), OldRay)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(RayClusterError, match=r"runs Ray 1\.13\.0, this computer has Ray") as info:
            ray_executor.connect(f"http://127.0.0.1:{server.server_port}", timeout=3)
    finally:
        server.shutdown()
        server.server_close()
    assert info.value.reason == "ray_version_mismatch"
    assert "ray[default]==1.13.0" in info.value.message


def test_ray_is_an_optional_extra_not_a_dependency():
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]
    assert any(r.startswith("ray[default]>=2.40") for r in project["optional-dependencies"]["ray"])
    assert not any(r.startswith("ray") for r in project["dependencies"])


def test_the_job_drops_rays_one_thread_limit_unless_the_runtime_env_sets_it(monkeypatch):
    monkeypatch.setenv(ray_executor.RUNTIME_ENV_VAR, "{}")
    assert runtime_env_for({})["env_vars"]["KERAS_STUDIO_UNSET_OMP"] == "1"
    monkeypatch.setenv(ray_executor.RUNTIME_ENV_VAR, '{"env_vars": {"OMP_NUM_THREADS": "4"}}')
    env = runtime_env_for({})["env_vars"]
    assert env["OMP_NUM_THREADS"] == "4" and "KERAS_STUDIO_UNSET_OMP" not in env


# ------------------------------------------------------------------ issue 20, item 6: one address parser
@pytest.mark.parametrize(("bad", "says"), [
    ("http://[::1", "IPv6"),  # urlparse's ValueError, once a traceback
    ("ray://", "no host"),  # once read as a host named "ray"
    ("http://", "no host"),
    ("   ", "no Ray address given"),
    (5, "expected a text"),  # a hand-edited status.json
    (None, "expected a text"),
    ("ray://host:70000", "port"),
    ("http://host:8265/api?x=1", "path"),
])
def test_every_bad_address_is_a_message_that_names_it(bad, says):
    with pytest.raises(RayClusterError, match="expected") as info:
        dashboard_address(bad)
    assert says in info.value.message
    assert info.value.reason == "invalid_address"


@pytest.mark.parametrize("command", ["train", "sweep"])
@pytest.mark.parametrize("address", ["", "http://[::1", "ray://"])
def test_a_bad_on_address_is_refused_before_anything_is_made(command, address, tmp_path, capsys):
    args = [command, "optimization_lab", "--on", address, "--out", str(tmp_path / "runs")]
    if command == "sweep":
        args += ["--param", "optimizer.learning_rate=loguniform:1e-3:1e-1", "--trials", "1"]
    code = cli_main(args)
    err = capsys.readouterr().err
    assert code == 1
    assert "Ray address" in err and "expected" in err  # not a local training without a word
    assert "Traceback" not in err
    assert not (tmp_path / "runs").exists() or not list((tmp_path / "runs").iterdir())


@pytest.mark.parametrize("address", [7, ["http://h:8265"], "http://[::1", ""])
def test_attach_with_a_bad_address_in_status_json_is_a_message(address, tmp_path, capsys):
    pytest.importorskip("ray.job_submission", reason="Ray is not installed (pip install keras-studio[ray])")
    from studio.core.runs import create_run_dir, set_status

    run_dir = create_run_dir(tmp_path, {"meta": {"title": "sent"}})
    set_status(run_dir, "running", executor="ray", ray_address=address, ray_job_id="raysubmit_x")
    code = cli_main(["attach", str(run_dir)])
    err = capsys.readouterr().err
    assert code == 1
    assert "status.json" in err and "ray_address" in err
    assert "Traceback" not in err


def test_a_train_on_a_cluster_that_does_not_answer_leaves_no_run_behind(tmp_path, capsys):
    pytest.importorskip("ray.job_submission", reason="Ray is not installed (pip install keras-studio[ray])")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = cli_main(["train", "optimization_lab", "--on", f"http://127.0.0.1:{port}", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert "no Ray cluster answers" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing was sent: no failed run in the run table


def test_a_bad_saved_address_cannot_make_a_run_directory(tmp_path):
    from studio.core.presets import load_preset
    from studio.jobs.process import TrainingProcess

    with pytest.raises(RayClusterError, match="expected"):
        TrainingProcess(load_preset("optimization_lab"), tmp_path, ray_address="http://[::1").start()
    assert list(tmp_path.iterdir()) == []
