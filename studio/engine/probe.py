"""`python -m studio.engine.probe BACKEND`: print, as JSON, the version and the devices a backend sees.

Run as a child process so that probing never loads a backend into the caller.
"""

from __future__ import annotations

import json
import sys


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


if __name__ == "__main__":
    print(json.dumps(probe(sys.argv[1])))
