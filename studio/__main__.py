"""`python -m studio` / `keras-studio`: no arguments (or only GUI options) open the app; a subcommand runs
headless (train, check, devices, …)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    try:
        code = _main(argv)
        if sys.stdout is not None:  # None under pythonw (the Windows GUI entry point)
            sys.stdout.flush()  # here, where a closed pipe can still be caught, not at interpreter exit
        return code
    except BrokenPipeError:  # `keras-studio … | head`: the reader has all it wanted (Python's SIGPIPE advice)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from studio.cli import COMMANDS, run_cli

    if argv and argv[0] in ("-h", "--help"):
        from studio.cli.usage import print_help

        print_help()
        return 0
    if argv and argv[0] == "--version":
        from studio.cli.usage import version_line

        print(version_line())
        return 0
    if argv and argv[0] in ("--install-desktop", "--uninstall-desktop"):
        from studio import desktop

        return desktop.main("install" if argv[0] == "--install-desktop" else "uninstall")
    if argv and argv[0] in COMMANDS:
        return run_cli(argv)
    from studio.ui.launch import launch

    return launch(argv)


if __name__ == "__main__":
    sys.exit(main())
