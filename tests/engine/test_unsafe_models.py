"""What safe mode refuses is named for what it is (issue 20, item 8): a TFSMLayer is not "a Lambda layer"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_each_refused_layer_is_named_for_what_it_is(tmp_path):
    env = dict(os.environ, KERAS_BACKEND="jax", CUDA_VISIBLE_DEVICES="-1", JAX_PLATFORMS="cpu")
    proc = subprocess.run([sys.executable, "-m", "tests.engine.unsafe_model_probe", str(tmp_path)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)
    line = next((s for s in proc.stdout.splitlines() if s.startswith("RESULT ")), None)
    assert line, proc.stdout[-2000:] + proc.stderr[-2000:]
    said = json.loads(line[len("RESULT "):])
    tfsm = said["tfsm"]
    assert "TFSMLayer" in tfsm and "SavedModel" in tfsm
    assert "Lambda" not in tfsm
    assert "safe_mode=False" not in tfsm and "enable_unsafe_deserialization" not in tfsm  # never that advice
    assert "Lambda layer" in said["lambda"] and "Python code" in said["lambda"]
