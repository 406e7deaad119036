"""`keras-studio [SPEC] [--screenshot FILE] [--preset NAME] [--run RUN_DIR] [--size WxH]`: open the window
(or render it to a PNG and exit). Only Qt and the core are imported here: no backend, so the window opens at once."""

from __future__ import annotations

import argparse
import os
import sys
from typing import cast
from pathlib import Path


MAX_SIDE = 10_000  # a 100000x100000 window would need 40 GB of pixels


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
        if not (200 <= w <= MAX_SIDE and 200 <= h <= MAX_SIDE):
            raise ValueError
        return w, h
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT between 200x200 and {MAX_SIDE}x{MAX_SIDE}, "
                                         f"e.g. 1440x900; received {text[:40]!r}") from None


def _screenshot_problem(path: str) -> str | None:
    """Why the screenshot cannot be written to `path`, found before the window is built."""
    target = Path(path).expanduser()
    if target.suffix.lower() not in (".png", ".jpg", ".jpeg", ".bmp"):
        return f"--screenshot {path}: give a .png (or .jpg, .bmp) file name"
    if target.is_dir():
        return f"--screenshot {path}: is a folder; give a file name such as {target / 'window.png'}"
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                return f"--screenshot {path}: {parent} is a file, not a folder"
            if not os.access(parent, os.W_OK | os.X_OK):
                return f"--screenshot {path}: cannot write in {parent} (permission denied)"
            break
    return None


def app_parser() -> argparse.ArgumentParser:
    """The app's own options; `keras-studio --help` shows them beside the subcommands (studio/__main__.py)."""
    p = argparse.ArgumentParser(prog="keras-studio", description="Keras Studio: build and train Keras networks.")
    p.add_argument("spec", nargs="?", metavar="SPEC", help="a run spec (JSON) to open")
    p.add_argument("--preset", metavar="NAME", help="open a preset (a file name in presets/, without .json)")
    p.add_argument("--run", metavar="RUN_DIR", help="show a finished run's curves and evaluation")
    p.add_argument("--screenshot", metavar="FILE", help="render the window to a PNG and exit")
    p.add_argument("--size", type=_size, default=None, metavar="WxH", help="window size, e.g. 1440x900")
    return p


def parse_args(argv: list[str]) -> argparse.Namespace:
    return app_parser().parse_args(argv)


def _identity(app) -> None:
    """Version, icon and the desktop entry's name: Wayland finds the window's icon through the latter."""
    from PySide6.QtGui import QIcon

    from studio import __version__
    from studio.core.resources import icon_path
    from studio.desktop import APP_ID, PNG_SIZES

    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    icon = QIcon(str(icon_path("svg")))
    for size in PNG_SIZES:
        icon.addFile(str(icon_path("png", size)))
    app.setWindowIcon(icon)


def open_past_run(window, run_dir: str | Path, model: bool = True) -> str | None:
    """What `--run RUN_DIR` shows: the run's model on the canvas (`model`) and its curves and results; the
    problem to tell instead (None when shown). A damaged run directory is told, never a traceback."""
    from studio.core.run_files import display, read_object
    from studio.core.runs import SPEC_FILE
    from studio.core.spec import SpecError

    run_dir = Path(run_dir)
    if not (run_dir / "events.jsonl").is_file():
        return f"{display(str(run_dir))} is not a run directory (it has no events.jsonl); pass a folder under runs/"
    problems: list[str] = []
    spec = read_object(run_dir / SPEC_FILE, problems)
    if model and spec:
        try:
            window.doc.load_dict(spec, None)  # a past run shows the model it trained, not an empty canvas
        except SpecError as exc:
            problems.append(f"its spec.json is not a valid run spec ({exc.problems[0] if exc.problems else exc})")
    window.show_run(str(run_dir))
    if problems:
        window.show_message(f"{display(run_dir.name)}: {'; '.join(problems)}")
    return None


def launch(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.screenshot and (problem := _screenshot_problem(args.screenshot)):
        print(f"error: {problem}", file=sys.stderr)
        return 1
    if args.screenshot and "QT_QPA_PLATFORM" not in os.environ and not os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no screen
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = cast(QApplication | None, QApplication.instance()) or QApplication(sys.argv[:1])
    app.setApplicationName("Keras Studio")
    app.setOrganizationName("KerasStudio")
    app.setApplicationDisplayName("Keras Studio")
    _identity(app)

    from studio.core.presets import load_preset
    from studio.core.spec import SpecError
    from studio.ui.main_window import MainWindow

    window = MainWindow(probe_devices=not args.screenshot)
    if args.size:
        window.resize(*args.size)
    elif not args.screenshot:
        window.restore_layout()
    problem = None
    try:
        if args.preset:
            spec = load_preset(args.preset)
            window.doc.load_dict(spec.to_dict(), None)
        elif args.spec:
            window.doc.open(args.spec)
    except SpecError as exc:
        problem = "\n".join(exc.problems)
    if args.run and not problem:
        problem = open_past_run(window, args.run, model=not (args.preset or args.spec))
    if args.screenshot:
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            window.shutdown()
            return 1
        from studio.ui import screenshot

        window.show()
        try:
            path = screenshot.take(window, args.screenshot)
        except OSError as exc:
            print(f"error: cannot write the screenshot {args.screenshot}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        finally:
            window.shutdown()
            window.close()
        print(f"wrote {path}")
        return 0
    from studio.ui import errors

    errors.install(window)
    window.show()
    if problem:
        QMessageBox.warning(window, "Keras Studio", f"Cannot open the file:\n\n{problem}")
    elif not args.spec and not args.preset:
        window.offer_recovery()
    return app.exec()
