"""Property test: whatever a spec file holds, `check` answers with exit code 0 or 1 and a message — never a
traceback. Hypothesis mutates every preset (deleted keys, wrong types, NaN/±Infinity, huge numbers, unicode,
deep nesting) and runs `check` in-process for speed; a few mutants also go through the real CLI."""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.cli import run_cli
from studio.core.presets import presets_dir

ROOT = Path(__file__).resolve().parents[2]
PRESETS = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(presets_dir().glob("*.json"))}


def _nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.integers(-10, 10),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([math.nan, math.inf, -math.inf, 1e30, -1e30]),
    st.text(max_size=20),
    st.sampled_from(["", "\x00", '"""', "C:\\Users\\me", "é∑😀", "a" * 300, "val_loss", "relu"]),
    st.builds(lambda k: 10**k, st.integers(30, 4_000)),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=8)
# placeholders the writer turns into what json.dumps cannot write: thousands of levels, 5,000-digit integers
deep = st.integers(60, 6_000).map(lambda n: f"\x00DEEP:{n}\x00")
long_int = st.integers(4_000, 6_000).map(lambda n: f"\x00DIGITS:{n}\x00")
hostile = st.one_of(values, st.builds(_nested, st.integers(60, 400)), deep, long_int)


def _paths(node, prefix=()):
    """Every key path of a JSON document down to 12 levels, the top included."""
    yield prefix
    if len(prefix) >= 12:
        return
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


@st.composite
def mutants(draw):
    doc = json.loads(json.dumps(PRESETS[draw(st.sampled_from(sorted(PRESETS)))]))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["delete", "replace", "replace", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(hostile)
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(hostile)
        else:
            parent.append(draw(hostile))
    return doc


def _expand(match: re.Match) -> str:
    n = int(match.group(2))
    return "[" * n + "]" * n if match.group(1) == "DEEP" else "9" * n


def _write(doc, folder: Path, encoding: str = "utf-8") -> Path:
    path = folder / "spec.json"
    text = re.sub(r'"\\u0000(DEEP|DIGITS):(\d+)\\u0000"', _expand, json.dumps(doc))
    if encoding == "garbage":
        path.write_bytes(b"\x80\xff" + text.encode())
    else:
        path.write_text(text, encoding=encoding)
    return path


def check_in_process(path: Path, *extra: str) -> tuple[int, str]:
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = run_cli(["check", str(path), "--no-data", *extra])
    return code, err.getvalue()


_folder = Path(tempfile.mkdtemp(prefix="spec_fuzz_"))


# database=None: no .hypothesis folder in the checkout; each run draws fresh cases
@settings(max_examples=1500, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@pytest.mark.slow
@given(mutants(), st.sampled_from(["utf-8"] * 12 + ["utf-8-sig", "utf-16", "garbage"]))
def test_check_never_raises_on_a_mutated_preset(doc, encoding):
    code, err = check_in_process(_write(doc, _folder, encoding))
    assert code in (0, 1)
    if code == 1:
        assert err.startswith("error: ") and err.strip(), err


@settings(max_examples=300, deadline=None, database=None)
@given(key=st.sampled_from(["training.epochs", "training.seed", "optimizer.learning_rate", "model.blocks.0.params",
                            "model.blocks.1", "data.params", "meta.title", "training.epochs.x", "nope.nope",
                            "model.blocks.nope.params.units", "optimizer.schedule.params.boundaries"]),
       value=st.one_of(st.text(max_size=30), st.sampled_from(["NaN", "Infinity", "-1", "1e400", "9" * 5000,
                                                                   "[" * 3000, '{"a": ' * 50]),
                       st.integers().map(str)))
def test_set_overrides_never_raise(key, value):
    code, err = check_in_process(ROOT / "presets" / "optimization_lab.json", "--set", f"{key}={value}")
    assert code in (0, 1)
    if code == 1:
        assert err.startswith("error: "), err


@pytest.mark.parametrize("name", ["mnist_cnn", "timeseries_gru", "optimization_lab"])
def test_hostile_specs_through_the_real_cli(name, tmp_path):
    """A few mutants through `python -m studio check`: exit 1, one error, no traceback."""
    doc = json.loads(json.dumps(PRESETS[name]))
    doc["training"]["epochs"] = math.nan
    doc["model"]["blocks"][-1]["params"]["units"] = 1e30
    doc["meta"]["title"] = '"""; import os #'
    doc["data"]["params"] = _nested(900)
    path = _write(doc, tmp_path)
    out = subprocess.run([sys.executable, "-m", "studio", "check", str(path)], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr and out.stderr.startswith("error: "), out.stderr
