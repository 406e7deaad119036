"""Several finished runs on the same plots, one colour per run: training per epoch solid, validation dashed.
This is how the optimizer-comparison presets are read (train all four, then compare their curves)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt

from studio.core.run_names import legend_labels
from studio.core.runs import SPEC_FILE, read_json, read_metrics, read_run
from studio.ui import theme
from studio.ui.plots import PlotsPanel

SKIP = ("epoch", "learning_rate", "seconds")


def short_labels(titles: list[str]) -> list[str]:
    """Titles without the words they all start with ("Optimizer comparison: Adam" → "Adam")."""
    if len(titles) < 2:
        return titles
    prefix = os.path.commonprefix(titles)
    cut = max(prefix.rfind(": ") + 2 if ": " in prefix else 0, prefix.rfind(" ") + 1 if " " in prefix else 0)
    short = [t[cut:].strip() for t in titles]
    return short if all(short) else titles


def compare_runs(panel: PlotsPanel, run_dirs: Sequence[str | Path]) -> list[str]:
    """Draw the runs' per-epoch curves on `panel`; returns the titles drawn (runs without epochs are left out)."""
    runs, specs = [], []
    for d in run_dirs:
        cols = read_metrics(d)
        if cols.get("epoch"):
            info = read_run(Path(d))
            runs.append(((info.title if info else Path(d).name) or Path(d).name, cols))
            specs.append(read_json(Path(d) / SPEC_FILE, {}) or {})
    if not runs:
        return []
    names: list[str] = []
    for _title, cols in runs:
        names += [k for k in cols if k not in SKIP and not k.startswith("val_") and k not in names]
    names.sort(key=lambda n: n != "loss")  # loss first, then the metrics in the order the runs give them
    # runs are told apart by the settings their specs differ in ("sgd, lr 0.01" against "adam, lr 0.001");
    # runs with the same settings by their titles
    labels = legend_labels(specs, short_labels([t for t, _c in runs]))
    panel.epochs = 0
    panel.setup(names)
    colors = theme.colors().series
    for p in panel.plots.values():
        p.legend.clear()  # the live curves' entries: nothing of theirs is drawn here
    # the legend goes where the curves are not: a rising metric leaves its lower right free, loss its upper right
    legend_plot = next((n for n in names if n != "loss"), names[0])
    for i, ((_title, cols), label) in enumerate(zip(runs, labels, strict=True)):
        color = colors[i % len(colors)]
        x = cols["epoch"]
        for name, p in panel.plots.items():
            if name in cols:  # the metric, or the learning rate on its own plot
                curve = p.plot.plot(x, cols[name], pen=pg.mkPen(color, width=2))
                if name == legend_plot:
                    p.legend.addItem(curve, label)
            if f"val_{name}" in cols:
                p.plot.plot(x, cols[f"val_{name}"], pen=pg.mkPen(color, width=1.5, style=Qt.PenStyle.DashLine))
    lr = [v for _t, cols in runs for v in cols.get("learning_rate", []) if v == v]
    if lr and "learning_rate" in panel.plots:  # from zero up, as in the live plot
        panel.plots["learning_rate"].plot.setYRange(0, max(lr) * 1.15 or 1.0, padding=0)
    first = next(iter(panel.plots.values()))
    first.plot.setTitle(f"{first.name}  (dashed: validation)")
    right = max(max(cols["epoch"]) for _t, cols in runs)
    first.plot.setXRange(0, right, padding=0.02)
    return [t for t, _c in runs]
