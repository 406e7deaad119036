"""Which backends are installed and which devices each sees, probed in child jobs (never here)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from studio.core import events as ev
from studio.core.install_hints import install_command
from studio.core.spec import BACKENDS
from studio.jobs.errors import JobError
from studio.jobs.job import run_job

_MODULES = {"tensorflow": "tensorflow", "torch": "torch", "jax": "jax"}


@dataclass
class BackendInfo:
    backend: str
    installed: bool
    version: str = ""
    devices: list[str] = field(default_factory=list)
    error: str = ""


def installed_backends() -> list[str]:
    """Backends whose package is importable; instant, imports nothing."""
    return [b for b in BACKENDS if importlib.util.find_spec(_MODULES[b]) is not None]


def backend_versions() -> dict[str, str]:
    """keras and each installed backend with its version, read from package metadata (nothing is imported)."""
    out = {}
    for name in ("keras", *installed_backends()):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "?"
    return out


def probe(backend: str, timeout: float = 120) -> BackendInfo:
    if importlib.util.find_spec(_MODULES[backend]) is None:
        return BackendInfo(backend, False, error=install_command(backend))
    try:
        data = run_job("probe", {"backend": backend}, timeout, fresh=True)  # sees every device: no warm worker
    except JobError as exc:
        if exc.reason == ev.TIMEOUT:
            return BackendInfo(backend, True, error=f"timed out after {timeout:g} s")
        return BackendInfo(backend, True, error=f"the probe failed: {exc.message}")
    return BackendInfo(backend, data.get("installed", True), data.get("version", ""), data.get("devices", []),
                       data.get("error", ""))


def probe_all(timeout: float = 120) -> list[BackendInfo]:
    with ThreadPoolExecutor(max_workers=len(BACKENDS)) as pool:
        return list(pool.map(lambda b: probe(b, timeout), BACKENDS))
