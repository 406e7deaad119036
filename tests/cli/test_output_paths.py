"""Every file the program writes for the user follows one rule (issue 20, items 2 and 7): an existing file is
replaced only with --force, nothing is written inside a run directory but that run's own outputs, a missing
folder, a folder or a place that cannot be written is refused with a message, and the file is replaced
atomically. All refusals come before any work, so no model is trained here."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from studio.cli import run_cli
from studio.core import safe_paths
from studio.core.runs import create_run_dir, set_status, write_json_atomic


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def runs(tmp_path):
    root = tmp_path / "runs"
    for title in ("A", "B"):
        run = create_run_dir(root, {"version": 1, "meta": {"title": title}})
        write_json_atomic(run / "evaluation.json", {"split": "test"})
        set_status(run, "finished")
    return root


def _runs(root):
    return sorted(p for p in root.iterdir() if p.is_dir())


@pytest.mark.parametrize("where", ["spec.json", "evaluation.json", "new.csv"])
def test_runs_csv_never_writes_inside_a_run(runs, where, capsys):
    before = digest(runs)
    target = _runs(runs)[0] / where
    for force in ([], ["--force"]):
        assert run_cli(["runs", str(runs), "--csv", str(target), *force]) == 1
        err = capsys.readouterr().err
        assert "run directory" in err and "Traceback" not in err
    after = digest(runs)
    after.pop(".runs-index.sqlite", None)
    assert after == {k: v for k, v in before.items() if k != ".runs-index.sqlite"}


def test_runs_csv_replaces_a_file_only_with_force(runs, tmp_path, capsys):
    out = tmp_path / "table.csv"
    out.write_text("my own table")
    assert run_cli(["runs", str(runs), "--csv", str(out)]) == 1
    assert "--force" in capsys.readouterr().err and out.read_text() == "my own table"
    assert run_cli(["runs", str(runs), "--csv", str(out), "--force"]) == 0
    assert out.read_text().startswith("title,state")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(safe_paths.STAGING_PREFIX)]


@pytest.mark.parametrize("out, said", [("missing/table.csv", "does not exist"), (".", "is a folder"),
                                       ("/proc/table.csv", "cannot write"), ("", "give a file name")])
def test_runs_csv_refuses_a_place_it_cannot_write(runs, tmp_path, monkeypatch, out, said, capsys):
    monkeypatch.chdir(tmp_path)
    assert run_cli(["runs", str(runs), "--csv", out]) == 1
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err


@pytest.mark.parametrize("option, where", [("--csv", "spec.json"), ("--csv", "evaluation.json"),
                                           ("--out", ".")])
def test_evaluate_never_writes_into_another_run(runs, option, where, capsys):
    a, b = _runs(runs)
    before = digest(runs)
    for force in ([], ["--force"]):
        assert run_cli(["evaluate", str(a), option, str(b / where), *force]) == 1
        err = capsys.readouterr().err
        assert "run directory" in err and "Traceback" not in err
    assert digest(runs) == before


def test_evaluate_csv_replaces_a_file_only_with_force(runs, tmp_path, capsys):
    out = tmp_path / "metrics.csv"
    out.write_text("mine")
    assert run_cli(["evaluate", str(_runs(runs)[0]), "--csv", str(out)]) == 1
    assert "--force" in capsys.readouterr().err and out.read_text() == "mine"


def test_evaluate_out_keeps_an_evaluation_there_without_force(runs, tmp_path, capsys):
    folder = tmp_path / "evaluations"
    folder.mkdir()
    (folder / "evaluation.json").write_text("{}")
    assert run_cli(["evaluate", str(_runs(runs)[0]), "--out", str(folder)]) == 1
    assert "--force" in capsys.readouterr().err


def test_export_of_several_formats_to_an_existing_file_is_refused(runs, tmp_path, capsys):
    out = tmp_path / "model.keras"
    out.write_text("not to be lost")
    assert run_cli(["export", str(_runs(runs)[0]), "--format", "keras,weights", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "is a file" in err and "folder" in err and "Traceback" not in err
    assert out.read_text() == "not to be lost"


def test_the_rule_in_one_place():
    """The shared rule itself: an own run's outputs are allowed, its record never, another run's nothing."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        run = create_run_dir(d, {"version": 1})
        assert safe_paths.output_file_problem(run / "my.csv", "--csv", force=False, own_run=run) is None
        assert "run directory" in safe_paths.output_file_problem(run / "my.csv", "--csv", force=False)
        assert "own" in safe_paths.output_file_problem(run / "spec.json", "--csv", force=True, own_run=run)
        out = Path(d) / "x.txt"
        safe_paths.write_text_atomic(out, "one")
        safe_paths.write_text_atomic(out, "two")
        assert out.read_text() == "two"
