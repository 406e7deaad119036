"""The probe job's handler in the child runner: the version and the devices a backend sees.

Run as a child job so that probing never loads a backend into the caller. payload {"backend": "jax"};
Result {"backend", "installed", "version", "keras", "devices"} (or "error" when the backend cannot start).
"""

from __future__ import annotations

from typing import Any


def probe(backend: str) -> dict:
    from studio.engine import bootstrap

    try:
        bootstrap.start(backend, "auto")
    except bootstrap.BootstrapError as exc:
        return {"backend": backend, "installed": exc.reason != "backend_missing", "error": str(exc)}
    versions = bootstrap.versions(backend)
    gpus = bootstrap.gpu_names(backend)
    devices = ["cpu"] + [f"gpu:{i} ({name})" for i, name in enumerate(gpus)]
    return {"backend": backend, "installed": True, "version": versions.get(backend, "?"),
            "keras": versions["keras"], "devices": devices}


def run(payload: dict[str, Any], channel: Any) -> dict:
    return probe(payload["backend"])
