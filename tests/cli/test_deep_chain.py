"""`check` and `train` agree on a chain too deep to build (issue 20, item 7): a chain of 1,000 Dense blocks passed
`check` and died in training with RecursionError inside Keras; both now refuse it up front and state the limit."""

from __future__ import annotations

import json
from pathlib import Path

from studio.cli import run_cli
from studio.core.spec import MAX_BLOCKS

ROOT = Path(__file__).resolve().parents[2]


def _chain(tmp_path: Path, dense: int) -> Path:
    d = json.loads((ROOT / "presets" / "optimization_lab.json").read_text(encoding="utf-8"))
    d.pop("lesson", None)  # its steps name the lab's own blocks
    first, *_, last = d["model"]["blocks"]
    d["model"]["blocks"] = [first, *({"id": f"d{i}", "type": "Dense", "params": {"units": 4}} for i in range(dense)),
                            last]
    path = tmp_path / f"chain{dense}.json"
    path.write_text(json.dumps(d), encoding="utf-8")
    return path


def test_check_and_train_refuse_the_same_chain_with_the_limit(tmp_path, capsys):
    spec = _chain(tmp_path, 1000)
    assert run_cli(["check", str(spec), "--no-data"]) == 1
    said = capsys.readouterr().err
    assert f"at most {MAX_BLOCKS}" in said and "1,002 blocks" in said
    assert run_cli(["train", str(spec), "--out", str(tmp_path / "runs")]) == 1
    assert f"at most {MAX_BLOCKS}" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()  # refused before a run directory was made


def test_a_chain_at_the_limit_passes_check(tmp_path, capsys):
    assert run_cli(["check", str(_chain(tmp_path, MAX_BLOCKS - 2)), "--no-data"]) == 0
