"""An export never deletes what the user did not ask to replace (issue 11, item 1)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from studio.cli import run_cli
from studio.core import events as ev
from studio.core.spec import load_spec, with_overrides
from studio.jobs.process import TrainingProcess

pytestmark = pytest.mark.slow  # the module's project trains once, each export starts a child

ROOT = Path(__file__).resolve().parents[2]


def digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the hash of its bytes: equal digests mean nothing was touched."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, Path]:
    """(a project folder with notes and a runs/ folder, one run trained in it on jax)."""
    folder = tmp_path_factory.mktemp("project")
    (folder / "notes.txt").write_text("my notes")
    spec = with_overrides(load_spec(ROOT / "presets" / "optimization_lab.json"),
                          ['training.backend="jax"', "training.epochs=1"])
    proc = TrainingProcess(spec, folder / "runs")
    run = proc.start()
    assert isinstance(proc.wait(240), ev.Finished), proc.terminal
    proc.close()
    return folder, run


@pytest.mark.parametrize("fmt, out", [("savedmodel", "."), ("savedmodel", "RUN"), ("keras", "RUN/model.keras"),
                                      ("weights", "RUN/tensorboard/w.weights.h5")])
def test_the_project_and_the_run_are_never_replaced(project, fmt, out, monkeypatch, capsys):
    folder, run = project
    monkeypatch.chdir(folder)
    before = digest(folder)
    target = out.replace("RUN", str(run))
    assert run_cli(["export", str(run), "--format", fmt, "--out", target, "--force", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "choose another --out" in err and "Traceback" not in err
    assert digest(folder) == before


def test_an_existing_file_is_replaced_only_with_force(project, tmp_path, capsys):
    _, run = project
    mine = tmp_path / "mine.py"
    mine.write_text("# my own script\n")
    assert run_cli(["export", str(run), "--format", "python", "--out", str(mine), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "already exists" in err and "add --force to replace it" in err
    assert mine.read_text() == "# my own script\n"

    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "keep.txt").write_text("keep")
    assert run_cli(["export", str(run), "--format", "savedmodel", "--out", str(folder), "--quiet"]) == 1
    assert "not empty" in capsys.readouterr().err
    assert (folder / "keep.txt").read_text() == "keep"

    assert run_cli(["export", str(run), "--format", "python", "--out", str(mine), "--force", "--quiet"]) == 0
    assert "def build_model" in mine.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.py", "saved"]  # no staged leftovers


def test_a_failed_export_leaves_the_old_file(project, tmp_path, capsys):
    _, run = project
    mine = tmp_path / "model.py"
    mine.write_text("# the export of last week\n")
    # an impossible tolerance: the check refuses the copy, so the file it would replace stays as it was
    assert run_cli(["export", str(run), "--format", "python", "--out", str(mine), "--force", "--atol", "-1",
                    "--rtol", "0", "--quiet"]) == 1
    assert "differ" in capsys.readouterr().err
    assert mine.read_text() == "# the export of last week\n"
    assert [p.name for p in tmp_path.iterdir()] == ["model.py"]
