"""`keras-studio --install-desktop` / `--uninstall-desktop`: the menu entry, icons and AppStream metainfo for
the current user (XDG: $XDG_DATA_HOME, ~/.local/share by default). No Qt, no backend: plain file copies."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from studio.core.resources import assets_dir

APP_ID = "io.github.kerasstudio.KerasStudio"
ICON_NAME = "keras-studio"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def _targets(home: Path) -> list[Path]:
    """Every file the install writes, so the uninstall removes exactly those."""
    icons = home / "icons" / "hicolor"
    return [home / "applications" / f"{APP_ID}.desktop", home / "metainfo" / f"{APP_ID}.metainfo.xml",
            icons / "scalable" / "apps" / f"{ICON_NAME}.svg",
            *(icons / f"{s}x{s}" / "apps" / f"{ICON_NAME}.png" for s in PNG_SIZES)]


def launcher_command() -> str:
    """How the menu starts this installation: its own keras-studio script, else this Python with -m studio."""
    script = Path(sys.executable).parent / ("keras-studio.exe" if os.name == "nt" else "keras-studio")
    exe = [str(script)] if script.is_file() else [sys.executable, "-m", "studio"]
    return " ".join(f'"{part}"' if " " in part else part for part in exe)


def _entry(template: str, command: str) -> str:
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            line = f"Exec={command} %f"
        elif line.startswith("TryExec="):
            continue  # the absolute Exec already names the program; TryExec would search PATH for it
        lines.append(line)
    return "\n".join(lines) + "\n"


def install(home: Path | None = None) -> list[Path]:
    home = home or data_home()
    assets = assets_dir()
    desktop, metainfo, svg, *pngs = _targets(home)
    for path in _targets(home):
        path.parent.mkdir(parents=True, exist_ok=True)
    desktop.write_text(_entry((assets / "desktop" / desktop.name).read_text(encoding="utf-8"), launcher_command()),
                       encoding="utf-8")
    shutil.copyfile(assets / "desktop" / metainfo.name, metainfo)
    shutil.copyfile(assets / "icons" / "keras-studio.svg", svg)
    for size, png in zip(PNG_SIZES, pngs, strict=True):
        shutil.copyfile(assets / "icons" / f"keras-studio-{size}.png", png)
    _refresh(home)
    return _targets(home)


def uninstall(home: Path | None = None) -> list[Path]:
    home = home or data_home()
    removed = [p for p in _targets(home) if p.exists()]
    for path in removed:
        path.unlink()
    _refresh(home)
    return removed


def _refresh(home: Path) -> None:
    """Tell the desktop's caches, where their tools exist; the files work without them (at the next login)."""
    for tool, arg in (("update-desktop-database", home / "applications"),
                      ("gtk-update-icon-cache", home / "icons" / "hicolor")):
        if shutil.which(tool) and arg.is_dir():
            args = [tool, "-q", str(arg)] if tool == "update-desktop-database" else [tool, "-q", "-t", str(arg)]
            subprocess.run(args,
                           capture_output=True, check=False)


def main(action: str) -> int:
    if sys.platform != "linux" and not sys.platform.startswith("freebsd"):
        print("error: desktop entries are a Linux (freedesktop) feature; on Windows and macOS start keras-studio-gui "
              "or make a shortcut to it", file=sys.stderr)
        return 1
    try:
        paths = install() if action == "install" else uninstall()
    except OSError as exc:
        print(f"error: cannot {action} the desktop entry: {exc}", file=sys.stderr)
        return 1
    if action == "install":
        print(f"installed the Keras Studio menu entry and icons under {data_home()} (it starts: {launcher_command()});"
              " remove them with: keras-studio --uninstall-desktop")
    else:
        print(f"removed {len(paths)} files of the Keras Studio desktop entry" if paths
              else "no Keras Studio desktop entry was installed")
    return 0
