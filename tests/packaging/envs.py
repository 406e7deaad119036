"""Build Keras Studio as a user would get it, and make fresh environments to install it into.

`build_dists` copies the checkout (caches included, to prove they stay out), builds the sdist with the PEP 517
hooks that `python -m build` calls, and builds the wheel from the unpacked sdist, so both are checked.

`make_env` makes a real virtual environment whose `studio` package comes only from the wheel (installed by pip,
not editable). Reinstalling keras, JAX and the rest from the network for every CI run would take minutes, so
the third-party packages come from this test run's environment through a folder of links to its
site-packages; the backends a test leaves out are simply not linked, so they cannot be imported there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
ALL_BACKENDS = ("tensorflow", "torch", "jax")
# site-packages entries that belong to each backend (module folders and their .dist-info)
BACKEND_ENTRIES = {"tensorflow": ("tensorflow", "tf_keras", "_tensorflow"),
                   "torch": ("torch", "functorch", "torchgen"),
                   "jax": ("jax", "jaxlib", "jax_plugins")}
NEVER_LINKED = ("studio", "keras_studio", "__editable__", "_keras_studio")  # the checkout's own install


def _build(hook: str, source: Path, out: Path) -> Path:
    code = f"from setuptools import build_meta as b; print(b.{hook}({str(out)!r}))"
    result = subprocess.run([sys.executable, "-c", code], cwd=source, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{hook} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return out / result.stdout.strip().splitlines()[-1]


def build_dists(work: Path) -> tuple[Path, Path]:
    """(sdist, wheel) of the current checkout."""
    source = work / "source"
    shutil.copytree(CHECKOUT, source, ignore=shutil.ignore_patterns(".git", ".venv*", "runs", "build", "dist",
                                                                       "*.egg-info", ".pytest_cache"))
    (source / "studio" / "__pycache__").mkdir(exist_ok=True)
    (source / "studio" / "__pycache__" / "stray.cpython-311.pyc").write_bytes(b"")  # must not ship
    dist = work / "dist"
    dist.mkdir()
    sdist = _build("build_sdist", source, dist)
    with tarfile.open(sdist) as tar:
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python 3.11.4+
        tar.extractall(work / "unpacked", **safe)
    wheel = _build("build_wheel", next((work / "unpacked").iterdir()), dist)
    return sdist, wheel


def _site_packages() -> list[Path]:
    paths = sysconfig.get_paths()
    return sorted({Path(paths["purelib"]).resolve(), Path(paths["platlib"]).resolve()})


def _link_farm(farm: Path, without: tuple[str, ...]) -> None:
    skip = NEVER_LINKED + tuple(entry for backend in without for entry in BACKEND_ENTRIES[backend])
    farm.mkdir(parents=True)
    for entry in (e for folder in _site_packages() for e in folder.iterdir()):
        if (farm / entry.name).exists() or entry.name.lower().startswith(skip):
            continue
        (farm / entry.name).symlink_to(entry)


def make_env(root: Path, wheel: Path, without: tuple[str, ...] = ()) -> Path:
    """A fresh venv at `root` with the wheel installed (no editable install, no checkout on the path) and every
    dependency of this environment except the backends in `without`; returns its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=120,
                   env=clean_environ())
    python = root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    farm = root / "deps"
    _link_farm(farm, without)
    env_site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   capture_output=True, text=True, check=True, env=clean_environ()).stdout.strip())
    # addsitedir (not a bare path line) so the dependencies' own .pth files run as they do when installed
    (env_site / "_dependencies.pth").write_text(f"import site; site.addsitedir({str(farm)!r})\n")
    result = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                             "--no-index", "--no-compile", "--quiet", str(wheel)],
                            capture_output=True, text=True, timeout=300, env=clean_environ())
    assert result.returncode == 0, f"pip install of the wheel failed:\n{result.stderr[-3000:]}"
    return python


def clean_environ(**extra: str) -> dict[str, str]:
    """The environment a user's shell would give: nothing that points Python or Studio at the checkout."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "KERAS_STUDIO", "VIRTUAL_ENV", "KERAS_BACKEND"))}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.update(extra)
    return env


def run(python: Path, *args: str, cwd: Path, timeout: float = 300, **extra: str) -> subprocess.CompletedProcess:
    """Run the environment's own keras-studio script (args[0] == 'keras-studio') or its python."""
    bindir = python.parent
    exe = [str(bindir / args[0])] if args and args[0] == "keras-studio" else [str(python)]
    argv = exe + list(args[1:] if exe[0] != str(python) else args)
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=clean_environ(**extra))


__all__ = ["ALL_BACKENDS", "CHECKOUT", "build_dists", "make_env", "run"]
