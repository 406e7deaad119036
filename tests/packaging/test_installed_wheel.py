"""Keras Studio installed from its wheel (not editable) into a fresh environment, used from a folder outside
the checkout: the presets, the bundled data, training by preset name, the screenshot, the desktop entry."""

import shutil
import subprocess

import pytest

from studio import __version__
from tests.packaging.envs import CHECKOUT, make_env, run

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def installed(dists, tmp_path_factory):
    root = tmp_path_factory.mktemp("installed")
    python = make_env(root / "env", dists[1])
    home = root / "home"
    home.mkdir()
    return python, home


def test_studio_comes_from_the_wheel_and_finds_its_presets_and_data(installed):
    python, home = installed
    code = ("import studio, studio.core.presets as p, studio.data.loaders as d; print(studio.__file__); "
            "[print(x.name, x.thumbnail is not None) for x in p.list_presets()]; print(d.assets_dir())")
    out = run(python, "-c", code, cwd=home)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    env_root = python.parent.parent
    assert lines[0].startswith(str(env_root)) and not lines[0].startswith(str(CHECKOUT))
    shown = dict(line.split() for line in lines[1:-1])
    assert set(shown) == {p.stem for p in (CHECKOUT / "presets").glob("*.json")}
    assert set(shown.values()) == {"True"}, "every preset shows its thumbnail"
    assert lines[-1].startswith(str(env_root))


def test_version_check_and_a_short_train_of_a_preset_by_name(installed):
    python, home = installed
    version = run(python, "keras-studio", "--version", cwd=home)
    assert version.returncode == 0 and version.stdout.startswith(f"keras-studio {__version__} (keras ")
    check = run(python, "keras-studio", "check", "optimization_lab", cwd=home)
    assert check.returncode == 0, check.stderr
    assert "total params" in check.stdout
    train = run(python, "keras-studio", "train", "optimization_lab", "--backend", "jax", "--epochs", "2",
                "--out", str(home / "runs"), cwd=home)
    assert train.returncode == 0, train.stderr[-2000:]
    assert "finished after 2 epochs" in train.stdout
    # stdout is a pipe here, as in a log file or CI: one line per epoch, no carriage-return progress bar
    assert "\r" not in train.stdout and "\r" not in train.stderr
    assert [line.split()[1] for line in train.stdout.splitlines() if line.startswith("epoch ")] == ["1/2", "2/2"]


def test_the_co2_preset_trains_on_its_bundled_data(installed):
    python, home = installed
    train = run(python, "keras-studio", "train", "timeseries_rnn", "--epochs", "1",  # on the preset's TensorFlow
                "--out", str(home / "runs"), cwd=home)
    assert train.returncode == 0, train.stderr[-2000:]
    assert "finished after 1 epochs" in train.stdout


def test_the_screenshot_of_a_preset(installed):
    python, home = installed
    out = run(python, "keras-studio", "--screenshot", str(home / "shot.png"), "--preset", "mnist_cnn",
              "--size", "800x600", cwd=home)
    assert out.returncode == 0, out.stderr[-2000:]
    assert (home / "shot.png").stat().st_size > 10_000


def test_the_desktop_entry_installs_for_the_user_and_uninstalls(installed, tmp_path):
    python, home = installed
    data = tmp_path / "share"
    out = run(python, "keras-studio", "--install-desktop", cwd=home, XDG_DATA_HOME=str(data))
    assert out.returncode == 0, out.stderr
    entry = data / "applications" / "io.github.kerasstudio.KerasStudio.desktop"
    assert f"Exec={python.parent / 'keras-studio'} %f" in entry.read_text()
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / "keras-studio.svg").is_file()
    assert (data / "icons" / "hicolor" / "48x48" / "apps" / "keras-studio.png").is_file()
    assert (data / "metainfo" / "io.github.kerasstudio.KerasStudio.metainfo.xml").is_file()
    if shutil.which("desktop-file-validate"):
        valid = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
        assert valid.returncode == 0, valid.stdout + valid.stderr
    out = run(python, "keras-studio", "--uninstall-desktop", cwd=home, XDG_DATA_HOME=str(data))
    assert out.returncode == 0, out.stderr
    # what is left are the desktop's own caches (refreshed, not ours)
    assert not [p for p in data.rglob("*") if p.is_file() and not p.name.endswith(".cache")]
