"""The three backends' autodiff, behind studio.engine.gradients, give the same gradients on the same weights:
the loss's per variable, the saliency of each input and the gradient at a layer's output (Grad-CAM), on a
graph with a skip connection and two inputs."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow

PROBE = Path(__file__).with_name("gradients_probe.py")
BACKENDS = ("jax", "tensorflow", "torch")


def test_backends_agree_on_gradients(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    children = {b: subprocess.Popen([sys.executable, str(PROBE), str(tmp_path / f"{b}.npz")],
                                    env={**env, "KERAS_BACKEND": b}, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT) for b in BACKENDS}
    for b, child in children.items():
        out, _ = child.communicate(timeout=300)
        assert child.returncode == 0, f"{b}: {out.decode(errors='replace')[-2000:]}"
    got = {b: np.load(tmp_path / f"{b}.npz") for b in BACKENDS}
    reference = got["jax"]
    assert len(reference.files) == 8 + 5  # 4 kernels and 4 biases, 2 saliencies, activation, its gradient, cam
    for name in reference.files:
        assert np.abs(reference[name]).max() > 1e-3, f"{name} is all zero: nothing was differentiated"
        for b in ("tensorflow", "torch"):
            assert got[b][name].shape == reference[name].shape
            np.testing.assert_allclose(got[b][name], reference[name], atol=1e-4, rtol=1e-4, err_msg=f"{b}: {name}")
