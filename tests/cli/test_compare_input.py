"""`keras-studio compare` refuses what cannot be judged with one clear line each, before anything trains."""

from __future__ import annotations

import pytest

from studio.cli import run_cli


@pytest.mark.parametrize(("argv", "said"), [
    (["optimization_lab"], "compare needs two or more specs, received 1"),
    (["optimization_lab", "optimization_lab", "--seeds", "1"], "--seeds must be between 2 and 999"),
    (["optimization_lab", "optimization_lab", "--jobs", "0"], "--jobs must be 1 or more, received 0"),
    (["optimization_lab", "no_such_preset"], "there is no file or preset named `no_such_preset`"),
    (["optimization_lab", "optimization_lab", "--name", "a b"], "--name 'a b': use letters, digits, _ . -"),
])
def test_bad_compare_input_is_one_line(argv, said, tmp_path, capsys):
    code = run_cli(["compare", *argv, "--out", str(tmp_path / "runs")])
    err = capsys.readouterr().err
    assert code == 1 and said in err and "Traceback" not in err
    assert not list((tmp_path / "runs").glob("*/spec.json"))  # nothing trained
