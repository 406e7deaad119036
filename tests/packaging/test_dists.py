"""The sdist and the wheel carry what the app reads (presets, thumbnails, bundled data, icons, desktop files)
and nothing that is not the app's (tests, caches)."""

import tarfile
import zipfile

from studio import __version__
from tests.packaging.envs import CHECKOUT


def _wheel_names(wheel):
    with zipfile.ZipFile(wheel) as z:
        return set(z.namelist())


def _sdist_names(sdist):
    with tarfile.open(sdist) as tar:
        return {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}


def test_the_wheel_carries_every_module_and_every_file_the_app_reads(dists):
    names = _wheel_names(dists[1])
    modules = {p.relative_to(CHECKOUT).as_posix() for p in (CHECKOUT / "studio").rglob("*.py")}
    assert modules - names == set(), "a package is missing from [tool.setuptools] packages in pyproject.toml"
    assert "studio/py.typed" in names  # PEP 561: type checkers read the installed package's annotations
    presets = sorted(p.name for p in (CHECKOUT / "presets").glob("*.json"))
    assert presets and {f"studio/presets/{p}" for p in presets} <= names
    thumbnails = {f"studio/presets/thumbnails/{p.name}" for p in (CHECKOUT / "presets" / "thumbnails").glob("*.png")}
    assert thumbnails and thumbnails <= names
    assert {"studio/assets/data/co2_mauna_loa_weekly.csv", "studio/assets/data/sunspots_yearly.csv",
            "studio/assets/icons/keras-studio.svg", "studio/assets/icons/keras-studio-256.png",
            "studio/assets/desktop/io.github.kerasstudio.KerasStudio.desktop",
            "studio/assets/desktop/io.github.kerasstudio.KerasStudio.metainfo.xml"} <= names


def test_neither_archive_holds_tests_caches_or_the_readme_picture(dists):
    for names in (_wheel_names(dists[1]), _sdist_names(dists[0])):
        assert not [n for n in names if n.startswith("tests/") or "__pycache__" in n or n.endswith(".pyc")]
        assert not [n for n in names if n.endswith("screenshot.png")]


def test_the_sdist_holds_the_sources_a_wheel_is_built_from(dists):
    names = _sdist_names(dists[0])
    assert {"pyproject.toml", "README.md", "presets/mnist_cnn.json", "presets/thumbnails/mnist_cnn.png",
            "assets/data/co2_mauna_loa_weekly.csv", "assets/icons/keras-studio.svg", "studio/__main__.py"} <= names


def test_backends_are_extras_and_the_base_installs_none(dists):
    with zipfile.ZipFile(dists[1]) as z:
        meta = z.read(f"keras_studio-{__version__}.dist-info/METADATA").decode()
    requires = [line.split(":", 1)[1].strip() for line in meta.splitlines() if line.startswith("Requires-Dist:")]
    base = [r for r in requires if "extra ==" not in r]
    assert any(r.startswith("keras") for r in base)
    assert not [r for r in base if r.split(">")[0].split("=")[0].strip() in ("tensorflow", "torch", "jax")]
    for extra in ("jax", "torch", "tensorflow"):
        assert any(r.startswith(extra) and f'extra == "{extra}"' in r for r in requires)
        assert any(r.startswith(extra) and 'extra == "all"' in r for r in requires)


def test_the_version_is_the_packages_own(dists):
    assert dists[1].name == f"keras_studio-{__version__}-py3-none-any.whl"
