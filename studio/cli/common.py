"""Helpers shared by subcommands: loading a spec with overrides, printing errors without tracebacks."""

from __future__ import annotations

import sys

from studio.core.spec import RunSpec, SpecError, load_spec, with_overrides


def error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def load_with_overrides(path: str, sets: list[str] | None = None, **fields: object) -> RunSpec | None:
    """The spec at `path` with `--set` overrides and shortcut options (None means not given); None on error."""
    assignments = list(sets or [])
    for key, value in fields.items():
        if value is not None:
            assignments.append(f"{key}={value}" if not isinstance(value, str) else f'{key}="{value}"')
    try:
        spec = load_spec(path)
        return with_overrides(spec, assignments) if assignments else spec
    except SpecError as exc:
        error(str(exc))
        return None
