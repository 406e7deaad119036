"""`bash packaging/dev.sh app` when Qt cannot open a window on a Linux desktop (issue 20, item 16): Qt's own
message names one library (often the wrong one) and aborts; the script then says which system libraries the xcb
plugin lacks and the apt line that installs them. Driven with a stand-in environment: a `keras-studio` that fails
as Qt does, and an `ldd` that reports what a bare desktop lacks."""

import hashlib
import os
import subprocess
import textwrap

from tests.packaging.envs import CHECKOUT

SCRIPT = CHECKOUT / "packaging" / "dev.sh"
QT_ABORT = textwrap.dedent("""\
    qt.qpa.plugin: From 6.5.0, xcb-cursor0 or libxcb-cursor0 is needed to load the Qt xcb platform plugin.
    qt.qpa.plugin: Could not load the Qt platform plugin "xcb" in "" even though it was found.
    This application failed to start because no Qt platform plugin could be initialized.""")


def _venv(tmp_path, app_body: str):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")
    scripts = {"python": f'#!/bin/sh\necho "{plugin}"\n', "keras-studio": f"#!/bin/sh\n{app_body}\n"}
    for name, body in scripts.items():
        (venv / "bin" / name).write_text(body)
        (venv / "bin" / name).chmod(0o755)
    digest = hashlib.sha1((CHECKOUT / "pyproject.toml").read_bytes()).hexdigest()[:12]
    (venv / f".installed-{digest}").touch()  # set up already: nothing is installed
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "ldd").write_text("#!/bin/sh\necho '\tlibxcb-icccm.so.4 => not found'\n"
                               "echo '\tlibxcb-keysyms.so.1 => not found'\n"
                               "echo '\tlibxkbcommon-x11.so.0 => not found'\n"
                               "echo '\tlibxcb-cursor.so.0 => /lib/libxcb-cursor.so.0 (0x1)'\n")
    (tools / "ldd").chmod(0o755)
    env = {**os.environ, "KERAS_STUDIO_VENV": str(venv), "PATH": f"{tools}:/usr/bin:/bin"}
    return env


def _app(env):
    return subprocess.run(["bash", str(SCRIPT), "app"], capture_output=True, text=True, timeout=60, env=env,
                          stdin=subprocess.DEVNULL)


def test_when_qt_cannot_start_the_script_names_the_missing_libraries_and_the_apt_line(tmp_path):
    out = _app(_venv(tmp_path, f"cat >&2 <<'X'\n{QT_ABORT}\nX\nexit 134"))
    assert out.returncode == 134
    assert 'Could not load the Qt platform plugin "xcb"' in out.stderr  # Qt's own words still show
    assert "Missing: libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0" in out.stderr
    apt = next(line for line in out.stderr.splitlines() if "apt-get install" in line)
    for deb in ("libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0", "libxkbcommon-x11-0"):
        assert deb in apt.split()


def test_an_app_that_starts_or_fails_otherwise_gets_no_hint(tmp_path):
    out = _app(_venv(tmp_path, "echo fine; exit 0"))
    assert out.returncode == 0 and out.stdout.strip() == "fine" and "apt-get" not in out.stderr
    out = _app(_venv(tmp_path / "b", "echo 'bad spec' >&2; exit 2"))
    assert out.returncode == 2 and "bad spec" in out.stderr and "apt-get" not in out.stderr
