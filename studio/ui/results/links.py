"""What a result view may ask of the window around it, without knowing the window: pick blocks in the model,
show a setting where it is edited, start a run. The window connects the signals and sets `where_is`; a results
area without a window (a test of one view) leaves them unconnected and the requests do nothing."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal


class ResultLinks(QObject):
    pick_blocks = Signal(list)  # block ids: select them in the graph and the layer list
    show_setting = Signal(str)  # a spec path ("optimizer.learning_rate"): open its panel, flash its field
    fork = Signal(str, object)  # a run directory and a coach Fix: train a new run from that run's spec, fixed
    message = Signal(str)  # a line for the status bar (an edit refused, a setting no panel shows)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        # where a spec path is edited, in words ("Setup ▸ Optimizer"), or None where no field shows it
        self.where_is: Callable[[str], str | None] = lambda _path: None
        # whether a training is on now (one runs at a time: a fork waits for its end)
        self.training: Callable[[], bool] = lambda: False
