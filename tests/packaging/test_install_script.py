"""packaging/install.sh: what it would run for a CPU and a CUDA choice, and its uninstall (--dry-run: the real
install downloads the backends, which CI cannot afford)."""

import os
import subprocess
import sys

from tests.packaging.envs import CHECKOUT

SCRIPT = CHECKOUT / "packaging" / "install.sh"


def _plan(tmp_path, *args):
    env = {**os.environ, "PATH": "/usr/bin:/bin", "PYTHON": sys.executable, "HOME": str(tmp_path)}  # no uv
    out = subprocess.run(["bash", str(SCRIPT), "--dry-run", "--prefix", str(tmp_path / "ks"), *args],
                         capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL)
    return out, [line[2:] for line in out.stdout.splitlines() if line.startswith("+ ")]


def test_a_cpu_install_of_one_backend_makes_its_own_environment_and_menu_entry(tmp_path):
    out, commands = _plan(tmp_path, "--backends", "jax")
    assert out.returncode == 0, out.stderr
    venv = tmp_path / "ks" / "venv"
    assert commands[0] == f"{sys.executable} -m venv {venv}"
    assert f"{venv}/bin/python -m pip install --quiet {CHECKOUT}[jax]" in commands
    assert f"{venv}/bin/keras-studio --install-desktop" in commands
    assert "start it:" in out.stdout and f"bash {SCRIPT} --uninstall --prefix {tmp_path / 'ks'}" in out.stdout


def test_cuda_builds_per_backend_and_torch_cpu_wheels_otherwise(tmp_path):
    _, cuda = _plan(tmp_path, "--backends", "all", "--cuda")
    install = next(c for c in cuda if " pip install --quiet " in c and "upgrade" not in c)
    assert f"{CHECKOUT}[tensorflow,torch,jax]" in install
    assert "tensorflow[and-cuda]" in install and "jax[cuda12]" in install and "download.pytorch.org" not in install
    _, cpu = _plan(tmp_path, "--backends", "torch")
    assert any("--extra-index-url https://download.pytorch.org/whl/cpu" in c for c in cpu)


def test_a_wrong_backend_is_refused_and_uninstall_removes_the_environment(tmp_path):
    out, _ = _plan(tmp_path, "--backends", "theano")
    assert out.returncode == 2
    assert out.stderr.strip() == "error: unknown backend 'theano'; choose from tensorflow, torch, jax, all"
    out, commands = _plan(tmp_path, "--uninstall")
    assert out.returncode == 0 and f"rm -rf {tmp_path / 'ks' / 'venv'}" in commands
