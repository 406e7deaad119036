"""Reading a run's own files without trusting them: one damaged file is a problem to state, never a crash.

A run directory is written by this program, but it is also copied, edited, truncated and synced by people and
other programs. Every reader of a run (the run table, the app's `--run`, `attach`, the coach's history) goes
through these functions: `read_checked` says why a JSON file cannot be used (not UTF-8, not JSON, nested past
reason), `read_object` adds "not a JSON object", `read_metrics_checked` reads metrics.csv within limits, and the
typed getters turn a value of the wrong type into "none" instead of an exception further on.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

MAX_JSON_BYTES = 64_000_000  # a run's JSON files are kilobytes; a bigger one is not ours


def display(text: str) -> str:
    """`text` safe to print, write as UTF-8 or hand to Qt: a folder name's undecodable bytes (or a lone
    surrogate from a JSON escape) are shown as \\udcff instead of failing the whole table."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def read_checked(path: str | Path) -> tuple[Any, str, bool]:
    """(the JSON value, why it cannot be used or "", whether the file exists)."""
    path = Path(path)
    name = display(path.name)
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            return None, f"{name} is larger than {MAX_JSON_BYTES // 1_000_000} MB", True
        data = path.read_bytes()
    except FileNotFoundError:
        return None, "", False
    except OSError as exc:
        return None, f"{name} cannot be read ({exc.strerror or exc})", True
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"{name} is not UTF-8 text (byte {exc.start})", True
    try:
        return json.loads(text), "", True
    except RecursionError:
        return None, f"{name} is nested too deeply to read", True
    except ValueError as exc:
        return None, f"{name} is not valid JSON ({exc})", True


def read_object(path: str | Path, problems: list[str]) -> dict[str, Any]:
    """The JSON object in `path` ({} when the file is missing); a file that holds something else adds its
    problem to `problems` and reads as {}."""
    value, problem, exists = read_checked(path)
    if problem:
        problems.append(problem)
        return {}
    if not exists:
        return {}
    if not isinstance(value, dict):
        problems.append(f"{display(Path(path).name)} holds {_kind(value)}, not a JSON object")
        return {}
    return value


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(type(value), "a number")


def read_metrics_checked(path: str | Path) -> tuple[dict[str, list[float]], str]:
    """(metrics.csv as columns of floats, why it could not be read or ""); a torn last row is skipped."""
    path = Path(path)
    name = display(path.name)
    try:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))  # csv's own field limit (128 KB) keeps a broken file from filling memory
    except FileNotFoundError:
        return {}, ""
    except UnicodeDecodeError as exc:
        return {}, f"{name} is not UTF-8 text (byte {exc.start})"
    except csv.Error as exc:
        return {}, f"{name} cannot be read as CSV ({exc})"
    except OSError as exc:
        return {}, f"{name} cannot be read ({exc.strerror or exc})"
    if not rows:
        return {}, ""
    header, body = rows[0], [r for r in rows[1:] if len(r) == len(rows[0])]
    cols: dict[str, list[float]] = {h: [] for h in header}
    for r in body:
        try:
            values = [float(v) if v != "" else float("nan") for v in r]
        except ValueError:
            continue
        for h, v in zip(header, values, strict=True):
            cols[h].append(v)
    return cols, ""


# ------------------------------------------------------------------------------------------------ typed getters
def text(v: Any, default: str = "") -> str:
    return display(v) if isinstance(v, str) else default


def number(v: Any) -> float | None:
    """A finite float, or None (a string, a list, NaN, true/false are none)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    try:
        f = float(v)
    except OverflowError:  # an integer too large for a float
        return None
    return f if math.isfinite(f) else None


def integer(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def mapping(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}
