"""The top-level `keras-studio --help` (the app's options and the subcommands together) and `--version`."""

from __future__ import annotations

import argparse
import importlib

from studio import __version__


class _Recorder:
    """Stands in for argparse's subparsers to collect each subcommand's one-line help."""

    def __init__(self):
        self.helps: dict[str, str] = {}

    def add_parser(self, name: str, **kwargs) -> argparse.ArgumentParser:
        self.helps[name] = kwargs.get("help", "")
        return argparse.ArgumentParser(prog=name)


def help_text() -> str:
    from studio.cli import COMMANDS
    from studio.ui.launch import app_parser  # argparse only: no Qt is imported for --help

    parser = app_parser()
    parser.usage = "keras-studio [SPEC] [--preset NAME] [--run RUN_DIR] [--screenshot FILE] [--size WxH]\n" \
                   "       keras-studio COMMAND [options]   (keras-studio COMMAND --help for its options)"
    parser.add_argument("--version", action="store_true", help="print the version and the installed backends")
    parser.add_argument("--install-desktop", action="store_true",
                        help="add Keras Studio to this user's application menu (Linux)")
    parser.add_argument("--uninstall-desktop", action="store_true", help="remove that menu entry and its icons")
    recorder = _Recorder()
    for module in COMMANDS.values():
        importlib.import_module(module).add_parser(recorder)
    width = max(map(len, recorder.helps))
    commands = "\n".join(f"  {name:<{width}}  {text}" for name, text in recorder.helps.items())
    return parser.format_help() + f"\ncommands (run headless):\n{commands}\n"


def print_help() -> None:
    print(help_text(), end="")


def version_line() -> str:
    from studio.jobs.devices import backend_versions

    installed = ", ".join(f"{name} {version}" for name, version in backend_versions().items())
    return f"keras-studio {__version__} ({installed or 'no backend installed'})"
