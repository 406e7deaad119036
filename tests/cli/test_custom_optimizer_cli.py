"""Your own optimizer on the command line: a template to start from, and code that runs only with
--allow-code (refused with a message naming the file and the flag otherwise)."""

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import LAB, cli


def _project(tmp_path: Path, source: str | None = None) -> Path:
    """A project folder: the lab with the custom optimizer `my_optimizer.py` beside its spec (relative path)."""
    spec = json.loads(Path(LAB).read_text())
    spec["optimizer"] = {"name": "custom", "path": "my_optimizer.py", "class_name": "MomentumSGD",
                         "learning_rate": 0.05}
    spec["training"].update(epochs=2, backend="jax")
    spec["inspect"] = {"enabled": False}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    if source is None:
        assert cli("optimizer-template", str(tmp_path / "my_optimizer.py")).returncode == 0
    else:
        (tmp_path / "my_optimizer.py").write_text(source)
    return tmp_path / "spec.json"


def test_the_template_command_writes_a_file_and_never_over_one(tmp_path):
    out = cli("optimizer-template", str(tmp_path / "sgd.py"), "--class-name", "MySGD")
    assert out.returncode == 0, out.stderr
    assert "class MySGD(keras.optimizers.Optimizer):" in (tmp_path / "sgd.py").read_text()
    assert '"name": "custom", "path": "sgd.py", "class_name": "MySGD"' in out.stdout and "--allow-code" in out.stdout
    again = cli("optimizer-template", str(tmp_path / "sgd.py"))
    assert again.returncode == 1 and "exists; choose another name, or add --force" in again.stderr
    assert cli("optimizer-template", str(tmp_path / "sgd.txt")).returncode == 1


def test_train_and_check_refuse_code_without_allow_code(tmp_path):
    spec = _project(tmp_path)
    sweep = ["sweep", str(spec), "--param", "optimizer.learning_rate=loguniform:1e-3:1e-1", "--trials", "1",
             "--out", str(tmp_path / "runs")]
    compare = ["compare", str(spec), "optimization_lab", "--seeds", "2", "--out", str(tmp_path / "runs")]
    for command in (["train", str(spec), "--out", str(tmp_path / "runs")], ["check", str(spec), "--no-data"], sweep,
                    compare):
        out = cli(*command)
        assert out.returncode == 1, out.stdout
        assert f"runs your own Python code from {tmp_path / 'my_optimizer.py'}" in out.stderr
        assert "add --allow-code to run it" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())  # nothing ran


def test_check_reads_a_broken_file_without_running_it(tmp_path):
    spec = _project(tmp_path, "import keras\n\nclass MomentumSGD(keras.optimizers.Optimizer:\n    pass\n")
    out = cli("check", str(spec), "--no-data", "--allow-code")
    assert out.returncode == 1
    assert "error: optimizer.path my_optimizer.py: line 3: syntax error" in out.stderr


@pytest.mark.slow
def test_train_runs_the_file_beside_the_spec_with_allow_code(tmp_path):
    spec = _project(tmp_path)
    out = cli("train", str(spec), "--out", str(tmp_path / "runs"), "--allow-code", "--quiet", cwd=Path("/"))
    assert out.returncode == 0, out.stderr
    assert "finished after 2 epochs" in out.stdout
    run_dir = next((tmp_path / "runs").iterdir())
    recorded = json.loads((run_dir / "spec.json").read_text())["optimizer"]
    assert recorded["path"] == str(tmp_path / "my_optimizer.py")  # the run says which file it ran
    refused = cli("evaluate", str(run_dir))  # its model names the optimizer: opening it runs the file
    assert refused.returncode == 1 and "--allow-code" in refused.stderr and "Traceback" not in refused.stderr
    script = cli("export", str(run_dir), "--format", "python", "--out", str(tmp_path / "train.py"))
    assert script.returncode == 1 and "does not carry a custom optimizer yet" in script.stderr  # said, not a crash
    assert not (tmp_path / "train.py").exists()
