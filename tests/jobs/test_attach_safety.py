"""`keras-studio attach RUN` changes nothing in the run until the job is found, and never rewrites a finished run
(issue 20, item 1). No Ray cluster is started: bad addresses fail at once, and a stand-in dashboard answers
Ray's version but knows no such job."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from studio.cli import run_cli
from studio.core.runs import create_run_dir, set_status

pytest.importorskip("ray.job_submission")


def digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the hash of its bytes: equal digests mean nothing was touched."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def ray_run(root: Path, address: object, state: str = "failed") -> Path:
    run = create_run_dir(root, {"version": 1, "meta": {"title": "On the cluster"}})
    (run / "events.jsonl").write_text('{"event": "Started"}\n{"event": "EpochEnd"}\n')
    (run / "child.log").write_text("what the job said so far\n")
    set_status(run, state, pid=None, executor="ray", ray_address=address, ray_job_id="raysubmit_abc",
               reason="connection_lost")
    return run


@pytest.mark.parametrize("address", ["http://127.0.0.1:1", "http://[::1", "ray://", "", "   ", "ftp://host:21",
                                     "http://host:notaport", 5, None, ["http://127.0.0.1:1"]])
def test_a_cluster_that_does_not_answer_changes_nothing(tmp_path, address, capsys):
    run = ray_run(tmp_path, address)
    before = digest(tmp_path)
    assert run_cli(["attach", str(run)]) == 1
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err
    assert digest(tmp_path) == before


@pytest.mark.parametrize("state", ["finished", "stopped"])
def test_a_run_that_ended_is_never_rewritten(tmp_path, state, capsys):
    run = ray_run(tmp_path, "http://127.0.0.1:1", state=state)
    before = digest(tmp_path)
    assert run_cli(["attach", str(run)]) == 1
    err = capsys.readouterr().err
    assert state in err and "nothing to follow" in err
    assert digest(tmp_path) == before
    assert json.loads((run / "status.json").read_text())["state"] == state


class _Dashboard(BaseHTTPRequestHandler):
    """Ray's dashboard as far as attach asks: the version, and no jobs at all."""

    def do_GET(self):
        import ray

        if self.path == "/api/version":
            body = json.dumps({"version": "4", "ray_version": ray.__version__, "ray_commit": "x"}).encode()
            self.send_response(200)
        else:
            body = b"Job raysubmit_abc does not exist"
            self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):
        pass


@pytest.fixture
def dashboard():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Dashboard)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_a_cluster_without_the_job_changes_nothing(tmp_path, dashboard, capsys):
    run = ray_run(tmp_path, dashboard)
    before = digest(tmp_path)
    assert run_cli(["attach", str(run)]) == 1
    err = capsys.readouterr().err
    assert "raysubmit_abc" in err and "Traceback" not in err
    assert digest(tmp_path) == before
