"""The folders whose code the user trusts: the app asks once per project folder and remembers here.

A small JSON file in the user's config folder ($KERAS_STUDIO_CONFIG_DIR, else $XDG_CONFIG_HOME/keras-studio,
else ~/.config/keras-studio), written atomically, so a crash never leaves half a list. Qt-free, so the CLI
and the tests read the same store the app writes.
"""

from __future__ import annotations

import os
from pathlib import Path

from studio.core.runs import read_json, write_json_atomic

CONFIG_ENV = "KERAS_STUDIO_CONFIG_DIR"
FILE_NAME = "trusted-folders.json"


def config_dir() -> Path:
    if env := os.environ.get(CONFIG_ENV):
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "keras-studio"


def _key(folder: str | Path) -> str:
    return str(Path(folder).expanduser().resolve())


class TrustStore:
    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else config_dir() / FILE_NAME

    def folders(self) -> list[str]:
        data = read_json(self.path, {})  # a missing or broken file trusts nothing
        folders = data.get("folders") if isinstance(data, dict) else None
        return [f for f in folders if isinstance(f, str)] if isinstance(folders, list) else []

    def trusts(self, file: str | Path) -> bool:
        """Whether the code file `file` lies in a trusted folder (the folder itself, not its parents)."""
        return _key(Path(file).expanduser().resolve().parent) in self.folders()

    def trust(self, folder: str | Path) -> None:
        folders = self.folders()
        if (key := _key(folder)) not in folders:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_json_atomic(self.path, {"folders": [*folders, key]})

    def forget(self, folder: str | Path) -> None:
        key = _key(folder)
        if key in (folders := self.folders()):
            write_json_atomic(self.path, {"folders": [f for f in folders if f != key]})
