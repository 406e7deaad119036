"""The desktop entry and the AppStream metainfo pass the freedesktop validators (installed by .ci/run)."""

import shutil
import subprocess

import pytest

from tests.packaging.envs import CHECKOUT

DESKTOP = CHECKOUT / "assets" / "desktop"


def _validate(tool: str, *args: str):
    if not shutil.which(tool):
        pytest.skip(f"{tool} is not installed (Debian: apt-get install "
                    f"{'desktop-file-utils' if tool.startswith('desktop') else 'appstream'}); .ci/run installs it")
    return subprocess.run([tool, *args], capture_output=True, text=True, timeout=60)


def test_the_desktop_entry_is_valid():
    out = _validate("desktop-file-validate", str(DESKTOP / "io.github.kerasstudio.KerasStudio.desktop"))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "error" not in out.stdout.lower()


def test_the_metainfo_is_valid():
    metainfo = DESKTOP / "io.github.kerasstudio.KerasStudio.metainfo.xml"
    out = _validate("appstreamcli", "validate", "--no-net", str(metainfo))
    assert out.returncode == 0, out.stdout + out.stderr


def test_every_icon_size_the_desktop_entry_installs_exists_at_its_size():
    from PIL import Image

    from studio.desktop import PNG_SIZES

    for size in PNG_SIZES:
        with Image.open(CHECKOUT / "assets" / "icons" / f"keras-studio-{size}.png") as image:
            assert image.size == (size, size)


def test_the_metainfo_names_this_version_as_its_latest_release():
    import xml.etree.ElementTree as ET

    from studio import __version__

    release = ET.parse(DESKTOP / "io.github.kerasstudio.KerasStudio.metainfo.xml").find("releases/release")
    assert release.get("version") == __version__
