"""Start `python -m studio train` as a user's terminal would, and look at the processes it leaves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "presets" / "optimization_lab.json"


def start_train(out: Path, epochs: int = 100_000, *extra: str) -> subprocess.Popen:
    """The CLI in its own session (its own process group, as a terminal's foreground job is)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), CUDA_VISIBLE_DEVICES="-1", JAX_PLATFORMS="cpu")
    return subprocess.Popen([sys.executable, "-m", "studio", "train", str(LAB), "--backend", "jax", "--epochs",
                             str(epochs), "--out", str(out), "--quiet", *extra], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def run_dir_of(out: Path, timeout: float = 60) -> Path:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        dirs = [p for p in out.iterdir() if p.is_dir()] if out.is_dir() else []
        if dirs:
            return dirs[0]
        time.sleep(0.1)
    raise AssertionError("no run directory appeared")


def wait_for_epochs(run_dir: Path, n: int, timeout: float = 120) -> None:
    """Until the run has written `n` epochs to metrics.csv (training is under way in the child)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if len((run_dir / "metrics.csv").read_text().splitlines()) > n:
                return
        except FileNotFoundError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{n} epochs did not run within {timeout}s; child.log:\n{_tail(run_dir)}")


def _tail(run_dir: Path) -> str:
    try:
        return (run_dir / "child.log").read_text()[-3000:]
    except OSError:
        return ""


def children_of(pid: int) -> list[int]:
    """Direct children of `pid` (the training child and multiprocessing's resource tracker)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits to be collected


def wait_gone(pids: list[int], timeout: float) -> list[int]:
    """The pids still alive after up to `timeout` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and any(alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if alive(p)]


def status(run_dir: Path) -> dict:
    return json.loads((run_dir / "status.json").read_text())
