"""What the coach's cards ask of the window: select the blocks a finding names, open the field of a setting it
names, and fork a run with one of its fixes. Kept out of the window, which only assembles (`connect(window)`).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from studio.core.coach.diagnosis import Fix
from studio.core.coach.fixes import forked_spec
from studio.core.runs import SPEC_FILE, read_json
from studio.core.spec import SpecError, parse_spec
from studio.ui import setting_fields
from studio.ui.coach_panel import model_file

if TYPE_CHECKING:
    from studio.ui.main_window import MainWindow


def connect(window: MainWindow) -> None:
    links = window.results.links
    links.where_is = partial(setting_fields.where_is, window.setup_tabs)
    links.training = lambda: window.bridge.running
    links.pick_blocks.connect(partial(pick_blocks, window))
    links.show_setting.connect(partial(show_setting, window))
    links.fork.connect(partial(fork_run, window))
    links.message.connect(lambda text: window.statusBar().showMessage(text, 8000))


def pick_blocks(window: MainWindow, ids: list[str]) -> None:
    """Select these blocks in the graph (brought forward), the layer list and the inspector."""
    window.model_tabs.setCurrentWidget(window.graph)
    window.graph.select(ids)
    window.editor.select(ids)
    window.inspector.show_block(ids[-1] if ids else None)
    window.results.set_selection(ids)


def show_setting(window: MainWindow, path: str) -> None:
    """Open the setup tab that edits this spec path and flash its field."""
    window.docks["Setup"].show()
    window.docks["Setup"].raise_()
    if setting_fields.show_field(window.setup_tabs, path) is None:
        window.show_message(f"No setup panel has a field for {path}")


def fork_run(window: MainWindow, run_dir: str, fix: Fix) -> None:
    """Train a new run from this run's own spec with the fix applied, from its weights where the fix keeps them
    (the project is not changed: Apply does that)."""
    if window.bridge.running:
        window.show_message("Wait for the training to end (or stop it) to fork a run")
        return
    base = read_json(Path(run_dir) / SPEC_FILE)
    if not isinstance(base, dict):
        window.show_message(f"{Path(run_dir).name} has no readable {SPEC_FILE} to fork")
        return
    try:
        spec = parse_spec(forked_spec(base, fix, model_file(run_dir)))
    except SpecError as exc:
        window.show_message(f"Cannot fork {Path(run_dir).name} with “{fix.label}”: {exc}")
        return
    window.start_training(spec)
