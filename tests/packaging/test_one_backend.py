"""An installation with JAX alone (what `pip install keras-studio[jax]` gives): the lab trains, `devices` and
`--version` show only JAX, the app offers only JAX, and a spec that names a missing backend says how to add it."""

import pytest

from tests.packaging.envs import make_env, run

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def jax_only(dists, tmp_path_factory):
    root = tmp_path_factory.mktemp("jax_only")
    python = make_env(root / "env", dists[1], without=("tensorflow", "torch"))
    home = root / "home"
    home.mkdir()
    return python, home


def test_the_other_backends_really_are_absent(jax_only):
    python, home = jax_only
    out = run(python, "-c", "import importlib.util as u; print([m for m in ('tensorflow', 'torch', 'jax', 'keras') "
                            "if u.find_spec(m)])", cwd=home)
    assert out.stdout.strip() == "['jax', 'keras']", out.stderr


def test_version_and_devices_show_only_jax_and_how_to_add_the_others(jax_only):
    python, home = jax_only
    version = run(python, "keras-studio", "--version", cwd=home)
    assert "jax " in version.stdout and "torch" not in version.stdout and "tensorflow" not in version.stdout
    devices = run(python, "keras-studio", "devices", "--timeout", "120", cwd=home)
    assert devices.returncode == 0, devices.stderr
    lines = {line.split()[0]: line for line in devices.stdout.splitlines()}
    assert "not installed" not in lines["jax"]
    assert 'not installed   (pip install "keras-studio[torch]")' in lines["torch"]
    assert 'pip install "keras-studio[tensorflow]"' in lines["tensorflow"]


def test_the_lab_trains_on_jax_and_a_missing_backend_is_named_with_its_command(jax_only):
    python, home = jax_only
    # the preset asks for TensorFlow, which this installation lacks
    refused = run(python, "keras-studio", "train", "optimization_lab", "--epochs", "1", cwd=home)
    assert refused.returncode == 1
    assert refused.stderr.strip() == ('error: the tensorflow backend is not installed; add it with: '
                                      'pip install "keras-studio[tensorflow]", or choose an installed one: jax '
                                      '(--backend jax)')
    assert "Traceback" not in refused.stderr
    train = run(python, "keras-studio", "train", "optimization_lab", "--backend", "jax", "--epochs", "3",
                "--out", str(home / "runs"), cwd=home)
    assert train.returncode == 0, train.stderr[-2000:]
    assert "jax on cpu" in train.stdout and "finished after 3 epochs" in train.stdout


def test_the_app_offers_only_the_installed_backend(jax_only):
    python, home = jax_only
    code = ("from PySide6.QtWidgets import QApplication; app = QApplication([]); "
            "from studio.ui.main_window import MainWindow; w = MainWindow(probe_devices=False); "
            "combo = w.training_panel.backend; print([combo.itemText(i) for i in range(combo.count())]); "
            "print(w.training_panel.device_note.text()); w.shutdown()")
    out = run(python, "-c", code, cwd=home)
    assert out.returncode == 0, out.stderr[-2000:]
    offered, note = out.stdout.strip().splitlines()[-2:]
    # the new project's spec names TensorFlow: shown as missing, with the command that adds it
    assert offered == "['jax', 'tensorflow (not installed)']"
    assert note == ('The tensorflow backend is not installed; add it with: pip install "keras-studio[tensorflow]", '
                    'or choose an installed one: jax')
