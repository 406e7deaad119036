"""Talking to a Ray cluster before a job runs: its address (the dashboard's Jobs API), whether Ray is installed
here, a version check with a timeout, and what a job is sent with (entrypoint, runtime_env, GPUs). No Qt, no
keras; Ray itself is imported only when a cluster is used."""

from __future__ import annotations

import base64
import json
import os
from typing import Any
from urllib.parse import urlsplit

from studio.core import events as ev
from studio.jobs.errors import JobError

INSTALL_HINT = ("Ray is not installed on this computer: install it with `pip install keras-studio[ray]` "
                "(or `pip install 'ray[default]'`), then choose the Ray cluster again")
DASHBOARD_PORT = 8265  # Ray's default dashboard port: the Jobs API's address
RUNTIME_ENV_VAR = "KERAS_STUDIO_RAY_RUNTIME_ENV"  # JSON that replaces the runtime_env made here ({} : none)
STOP_WAIT_S = 120  # how long Ray waits after SIGTERM before SIGKILL: the batch, saving, the final evaluation
HTTP_TIMEOUT_S = 10.0
START_TIMEOUT_VAR = "KERAS_STUDIO_RAY_START_TIMEOUT"  # seconds a job may stay PENDING (default 600)


class RayClusterError(JobError):
    """The cluster cannot be used (not installed, not there, another Ray version, a job that is lost)."""


def ray_installed() -> bool:
    """Whether Ray is installed, without importing it (a second or more): for the window's start."""
    import importlib.util

    return importlib.util.find_spec("ray") is not None


def ray_available() -> str:
    """"" when Ray's job client can be imported here, otherwise how to install it."""
    try:
        import ray.job_submission  # noqa: F401
    except ImportError:
        return INSTALL_HINT
    return ""


EXPECTED = "expected ray://HOST:PORT or the dashboard's http://HOST:8265"


def _bad(why: str) -> RayClusterError:
    return RayClusterError(f"{why}: {EXPECTED}", "invalid_address")


def dashboard_address(address: object) -> tuple[str, str]:
    """(the Jobs API's http(s) address, a note on how it was read) for `ray://HOST:PORT`, `http(s)://HOST:PORT`
    or `HOST[:PORT]`. Ray Client's ray:// port (10001) does not serve the Jobs API: its host's dashboard,
    port 8265, does. The one reader of a Ray address (`--on`, attach's status.json, Run ▸ Run on): anything
    else is a RayClusterError that names what is wrong."""
    if not isinstance(address, str):  # a hand-edited status.json
        raise _bad(f"the Ray address {address!r} is {type(address).__name__}, expected a text")
    text = address.strip()
    if not text:
        raise _bad("no Ray address given")
    if "://" not in text:
        text = "http://" + text
    try:
        url = urlsplit(text)
        hostname = url.hostname
    except ValueError as exc:  # an unclosed [ of an IPv6 address
        raise _bad(f"cannot read the Ray address {address!r} ({exc}; an IPv6 host goes in brackets, "
                   "http://[::1]:8265)") from None
    if url.scheme not in ("ray", "http", "https"):
        raise _bad(f"cannot read the Ray address {address!r}: {url.scheme}:// is not a Ray address")
    if not hostname:
        raise _bad(f"the Ray address {address!r} has no host")
    try:
        port = url.port
    except ValueError:
        raise _bad(f"cannot read the port of the Ray address {address!r}: expected a number from 1 to 65535, "
                   "e.g. http://HOST:8265") from None
    if url.path.strip("/") or url.query or url.fragment:
        raise _bad(f"the Ray address {address!r} has a path ({text.split(url.netloc, 1)[1]}) that is not used: "
                   "give the host and port alone")
    host = f"[{hostname}]" if ":" in hostname else hostname
    if url.scheme == "ray":
        used = f"http://{host}:{DASHBOARD_PORT}"
        return used, (f"{address} is a Ray Client address; jobs are sent through the dashboard's Jobs API "
                      f"at {used}")
    used = f"{url.scheme}://{host}:{port or DASHBOARD_PORT}"
    return used, f"jobs are sent through the Jobs API at {used}"


def runtime_env_for(spec: dict[str, Any]) -> dict[str, Any]:
    """What the cluster installs for the job: this Keras Studio version with the spec's backend extra.
    KERAS_STUDIO_RAY_RUNTIME_ENV (JSON) replaces it: `{}` for a cluster that already has it (a head started
    from this environment, as in the tests), or a working_dir / image of your own."""
    from studio import __version__

    override = os.environ.get(RUNTIME_ENV_VAR)
    if override is not None:
        try:
            env = json.loads(override or "{}")
        except json.JSONDecodeError as exc:
            raise RayClusterError(f"{RUNTIME_ENV_VAR} is not JSON: expected a runtime_env object such as {{}}, "
                             f"received {override[:60]!r} ({exc.msg})", "invalid_runtime_env") from None
        if not isinstance(env, dict):
            raise RayClusterError(f"{RUNTIME_ENV_VAR}: expected a JSON object, received {type(env).__name__}",
                             "invalid_runtime_env")
    else:
        backend = (spec.get("training") or {}).get("backend") or "tensorflow"
        env = {"pip": [f"keras-studio[{backend}]=={__version__}"]}
    env_vars = {"PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "2", "RAY_JOB_STOP_WAIT_TIME_S": str(STOP_WAIT_S)}
    own = env.get("env_vars") or {}
    if "OMP_NUM_THREADS" not in own:  # Ray forces 1 on the job's processes: the runner drops it (engine.remote)
        env_vars["KERAS_STUDIO_UNSET_OMP"] = "1"
    env["env_vars"] = {**env_vars, **own}
    return env


def start_timeout() -> float:
    try:
        return float(os.environ.get(START_TIMEOUT_VAR) or 600)
    except ValueError:
        return 600.0


def gpus_for(spec: dict[str, Any]) -> float:
    """entrypoint_num_gpus from training.device: one GPU for gpu / gpu:N, none for cpu and auto (auto takes a
    GPU only where the job lands on one)."""
    device = str((spec.get("training") or {}).get("device") or "auto")
    return 1.0 if device.startswith("gpu") else 0.0


def entrypoint(kind: str, payload: dict[str, Any], handler: str | None = None) -> str:
    request = {"kind": kind, "payload": payload, "handler": handler}
    text = base64.b64encode(json.dumps(request, default=ev._plain).encode("utf-8")).decode("ascii")
    return f"python -m studio.engine.runner --request-b64 {text}"  # base64 needs no shell quoting


def connect(address: str, timeout: float = HTTP_TIMEOUT_S):
    """A JobSubmissionClient for the dashboard at `address` (http form), after checking, with a timeout, that
    a cluster answers there and runs this computer's Ray version (major.minor)."""
    if hint := ray_available():
        raise RayClusterError(hint, "ray_missing")
    import ray
    import requests
    from ray.job_submission import JobSubmissionClient

    try:
        reply = requests.get(f"{address}/api/version", timeout=timeout)
        reply.raise_for_status()
        version = str(reply.json()["ray_version"])
    except requests.exceptions.Timeout:
        raise RayClusterError(f"the Ray cluster at {address} did not answer within {timeout:g} s: check the address "
                         "and that its dashboard port is reachable from here", "no_cluster") from None
    except (requests.exceptions.RequestException, ValueError, KeyError) as exc:
        raise RayClusterError(f"no Ray cluster answers at {address}: start one (`ray start --head "
                         "--dashboard-host 0.0.0.0`) or check the address; the Jobs API needs the dashboard's "
                         f"address, port {DASHBOARD_PORT} by default ({type(exc).__name__})", "no_cluster") from None
    if version.split(".")[:2] != ray.__version__.split(".")[:2]:
        raise RayClusterError(f"the Ray cluster at {address} runs Ray {version}, "
                              f"this computer has Ray {ray.__version__}: "
                              f"install the cluster's version here (`pip install 'ray[default]=={version}'`)",
                              "ray_version_mismatch")
    return JobSubmissionClient(address)
