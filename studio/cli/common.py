"""Helpers shared by subcommands: loading a spec with overrides, printing errors without tracebacks."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from studio.core.custom_code import ALLOW_FLAG, CodeRefusedError, granted
from studio.core.custom_code import resolved as beside
from studio.core.spec import RunSpec, SpecError, load_spec, with_overrides


def error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def load_with_overrides(path: str, sets: list[str] | None = None, **fields: object) -> RunSpec | None:
    """The spec at `path` with `--set` overrides and shortcut options (None means not given); None on error."""
    assignments = list(sets or [])
    for key, value in fields.items():
        if value is not None:
            assignments.append(f"{key}={json.dumps(value)}")  # a JSON literal: quotes in the text stay text
    resolved = _preset_path(path)
    if resolved is None:
        return None
    try:
        spec = load_spec(resolved)
        spec = with_overrides(spec, assignments) if assignments else spec
        return beside(spec, Path(resolved).parent)  # its own code file is read relative to the spec file
    except SpecError as exc:
        error(str(exc))
        return None


def allowed_code(spec: RunSpec, allow: bool) -> list[str] | None:
    """The user's files the child may run (--allow-code); None, having said why, when the spec names code
    that is not allowed or not there."""
    try:
        return granted(spec, allow)
    except CodeRefusedError as exc:
        error(str(exc))
        return None


def add_allow_code(p) -> None:
    p.add_argument(ALLOW_FLAG, action="store_true", help="run the spec's own Python code (a custom optimizer's "
                   ".py file); read the file first: it runs with your rights")


def folder_problem(path: str | Path, option: str = "--out") -> str | None:
    """Why `path` cannot be the output folder (creating it when missing), or None when it can be written."""
    path = Path(path).expanduser()
    for parent in (path, *path.parents):
        if parent.exists() and not parent.is_dir():
            what = "is a file" if parent == path else f"is under {parent}, which is a file"
            return f"{option} {path}: {what}, not a folder; choose a folder"
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        return f"{option} {path}: cannot write there ({exc.strerror or exc}); choose a folder you can write to"
    if not os.access(path, os.W_OK | os.X_OK):
        return f"{option} {path}: cannot write there (permission denied); choose a folder you can write to"
    return None


def _preset_path(path: str) -> str | None:
    """A spec file, or else a preset's name (`keras-studio train mnist_cnn`) from the presets that ship."""
    if Path(path).exists() or any(sep in path for sep in "/\\") or path.endswith(".json"):
        return path
    from studio.core.presets import presets_dir

    preset = presets_dir() / f"{path}.json"
    if preset.is_file():
        return str(preset)
    names = ", ".join(sorted(p.stem for p in presets_dir().glob("*.json")))
    error(f"there is no file or preset named `{path}`; the presets are: {names}")
    return None


def backend_problem(backend: str) -> str | None:
    """None when `backend` is installed; else the line that says how to add it or which to use instead."""
    from studio.core.install_hints import missing_backend
    from studio.jobs.devices import installed_backends

    installed = installed_backends()
    return None if backend in installed else missing_backend(backend, installed)
