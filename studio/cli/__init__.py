"""The command line: each subcommand lives in its own module with `add_parser(subparsers)` and `run(args)`."""

from __future__ import annotations

import argparse
import importlib
import sys

from studio import __version__

# subcommand name → module under studio.cli
COMMANDS = {
    "train": "studio.cli.train",
    "check": "studio.cli.check",
    "devices": "studio.cli.devices",
    "evaluate": "studio.cli.evaluate",
    "export": "studio.cli.export",
    "runs": "studio.cli.runs",
    "sweep": "studio.cli.sweep",
    "shootout": "studio.cli.shootout",
    "inspect": "studio.cli.inspect",  # what a run recorded inside its model
    "attach": "studio.cli.attach",  # follow a run on a Ray cluster again
    "coach": "studio.cli.coach",  # what went wrong in a run, with spec changes that would help
    "optimizer-template": "studio.cli.optimizer_template",  # a custom optimizer's .py file to start from
    "compare": "studio.cli.compare",  # specs trained with several seeds each: a difference or seed noise?
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="keras-studio",
        description="Build, train, evaluate and export Keras 3 networks. Without a command, opens the app.")
    parser.add_argument("--version", action="version", version=f"keras-studio {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS.values():
        importlib.import_module(module).add_parser(sub)
    return parser


def run_cli(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if not args.command:
        build_parser().print_help()
        return 2
    try:
        return int(importlib.import_module(COMMANDS[args.command]).run(args) or 0)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
