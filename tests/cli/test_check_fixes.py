"""`keras-studio check` shows shapes as 8×8×1, names what blocks below a misfit wait for, and prints every fix."""

from __future__ import annotations

import json
from types import SimpleNamespace

from studio.cli import check


def test_check_prints_waiting_blocks_and_every_fix(tmp_path, capsys):
    spec = tmp_path / "conv.json"
    spec.write_text(json.dumps({"data": {"source": "digits"}, "model": {"blocks": [
        {"id": "x", "type": "Input", "params": {"shape": [8, 8, 1]}}, {"id": "flat", "type": "Flatten"},
        {"id": "conv", "type": "Conv2D"}, {"id": "gap", "type": "GlobalAveragePooling2D"},
        {"id": "out", "type": "Dense", "params": {"units": 10, "activation": "softmax"}}]}}))
    assert check.run(SimpleNamespace(spec=str(spec), set=[], no_data=False)) == 1
    out, err = capsys.readouterr()
    rows = {line.split()[0]: line for line in out.splitlines() if line[:1].isalpha()}
    assert "8×8×1" in rows["x"] and "(None" not in out
    assert "✖" in rows["conv"] and "waiting for conv" in rows["gap"] and "waiting for conv" in rows["out"]
    assert "fix for conv: Move it before flat\n      or: Insert Reshape to 8×8×1\n      or: Remove it" in out
    assert "Conv2D needs images (height×width×channels) but received 64 (from flat)" in err
