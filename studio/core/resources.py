"""Where the files the app reads live: presets, their thumbnails, bundled data and icons.

An installed wheel carries them as the resource packages `studio.presets` and `studio.assets` (mapped from
the top-level presets/ and assets/ folders by pyproject.toml). A source checkout uses those folders
directly, so an edit to a preset shows at once. An environment variable overrides either.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import os
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[2]  # holds pyproject.toml when running from a source tree


def _folder(top: str, env: str) -> Path:
    override = os.environ.get(env)
    if override:
        return Path(override)
    if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / top).is_dir():
        return _CHECKOUT / top
    package = f"studio.{top}"
    spec = importlib.util.find_spec(package)
    if spec is not None:
        root = importlib.resources.files(package)
        if isinstance(root, Path):
            return root
        # a package without __init__.py is a namespace package: its (single) folder
        return Path(next(iter(spec.submodule_search_locations or ())))
    return _CHECKOUT / top  # neither: the caller reports the missing files by name


def presets_dir() -> Path:
    """The folder of preset specs (*.json) and their thumbnails/; KERAS_STUDIO_PRESETS overrides."""
    return _folder("presets", "KERAS_STUDIO_PRESETS")


def assets_dir() -> Path:
    """The folder of bundled assets: data/ (small datasets) and icons/; KERAS_STUDIO_ASSETS_ROOT overrides."""
    return _folder("assets", "KERAS_STUDIO_ASSETS_ROOT")


def data_dir() -> Path:
    """Bundled datasets (CO₂, sunspots); KERAS_STUDIO_ASSETS overrides (kept from earlier versions)."""
    override = os.environ.get("KERAS_STUDIO_ASSETS")
    return Path(override) if override else assets_dir() / "data"


def icon_path(kind: str = "svg", size: int = 256) -> Path:
    """The application icon: the scalable SVG, or a PNG of one of the shipped sizes."""
    icons = assets_dir() / "icons"
    return icons / ("keras-studio.svg" if kind == "svg" else f"keras-studio-{size}.png")
