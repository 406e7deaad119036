"""Placeholder until the desktop app lands: say so instead of failing."""

from __future__ import annotations


def launch(argv: list[str]) -> int:
    print("The Keras Studio window is not part of this build yet; use `keras-studio train|check|devices`.")
    return 0
