import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_probe(module: str, backend: str, payload: dict, tmp_path: Path, timeout: float = 300) -> dict:
    """Run `python -m module payload.json` in a child with KERAS_BACKEND=backend; parse its RESULT line."""
    path = tmp_path / f"{backend}-payload.json"
    path.write_text(json.dumps(payload))
    env = dict(os.environ, KERAS_BACKEND=backend, CUDA_VISIBLE_DEVICES="-1", JAX_PLATFORMS="cpu")
    proc = subprocess.run([sys.executable, "-m", module, str(path)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise AssertionError(f"probe failed on {backend}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


@pytest.fixture
def probe(tmp_path):
    return lambda module, backend, payload: run_probe(module, backend, payload, tmp_path)
