"""Presets: run specs shipped in presets/*.json, each with a title, a description and a thumbnail."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from studio.core.resources import presets_dir  # re-exported: callers ask presets for their folder
from studio.core.spec import RunSpec, SpecError, load_spec

__all__ = ["Preset", "list_presets", "load_preset", "presets_dir"]


@dataclass(frozen=True)
class Preset:
    name: str  # file stem, e.g. mnist_cnn
    path: Path
    title: str
    description: str
    teaches: str
    thumbnail: Path | None

    def load(self) -> RunSpec:
        return load_spec(self.path)


def list_presets(folder: Path | None = None) -> list[Preset]:
    folder = folder or presets_dir()
    out = []
    for path in sorted(folder.glob("*.json")):
        try:
            spec = load_spec(path)
        except SpecError:
            continue  # a broken preset is reported by the tests, not shown in the gallery
        thumb = (path.parent / spec.meta.thumbnail) if spec.meta.thumbnail else None
        out.append(Preset(path.stem, path, spec.meta.title, spec.meta.description, spec.meta.teaches,
                          thumb if thumb and thumb.exists() else None))
    return out


def load_preset(name: str, folder: Path | None = None) -> RunSpec:
    folder = folder or presets_dir()
    path = folder / f"{name}.json"
    if not path.exists():
        names = ", ".join(p.stem for p in sorted(folder.glob("*.json")))
        raise SpecError([f"no preset named `{name}`; the presets are: {names}"])
    return load_spec(path)
