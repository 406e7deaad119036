"""What people expect of a program's command line: --version, and a --help that shows the app's own options
beside the subcommands."""

import subprocess
import sys

from studio import __version__
from tests.packaging.envs import CHECKOUT


def studio(*args):
    return subprocess.run([sys.executable, "-m", "studio", *args], cwd=CHECKOUT, capture_output=True, text=True,
                          timeout=120)


def test_help_lists_the_app_options_and_the_subcommands():
    out = studio("--help")
    assert out.returncode == 0, out.stderr
    for option in ("SPEC", "--preset NAME", "--run RUN_DIR", "--screenshot FILE", "--size WxH", "--version",
                   "--install-desktop", "--uninstall-desktop"):
        assert option in out.stdout, option
    for command in ("train", "check", "devices", "evaluate", "export"):
        assert f"\n  {command} " in out.stdout, command
    assert studio("-h").stdout == out.stdout


def test_version_names_keras_and_the_installed_backends():
    out = studio("--version")
    assert out.returncode == 0
    assert out.stdout.startswith(f"keras-studio {__version__} (keras ")


def test_a_preset_is_named_like_a_file_and_a_wrong_name_lists_the_presets():
    assert studio("check", "optimization_lab").returncode == 0
    out = studio("check", "optimisation_lab")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.startswith("error: there is no file or preset named `optimisation_lab`; the presets are: ")
    assert "optimization_lab" in out.stderr
