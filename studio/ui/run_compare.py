"""Several finished runs on the same plots, one colour per arm: training per epoch solid, validation dashed.
This is how the optimizer-comparison presets are read (train all four, then compare their curves).

Runs of the same spec that differ only in their seed are one arm: drawn as the mean curve with a band (min–max
over the seeds, or ± one std), so a difference between arms can be read against the seed noise.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt

from studio.core.run_names import legend_labels
from studio.core.runs import SPEC_FILE, read_json, read_metrics, read_run
from studio.core.seed_stats import band
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


def seed_groups(specs: Sequence[dict]) -> list[list[int]]:
    """Indices of runs grouped into arms: runs whose specs are the same but for their seed (and title), each with a
    seed of its own, are one arm; every other run is an arm of its own."""
    def essence(spec: dict) -> str | None:
        training = spec.get("training") or {}
        if training.get("seed") is None:
            return None  # a run without a seed of record is no seed replicate of anything
        data = {k: v for k, v in spec.items() if k != "meta"}
        data["training"] = {k: v for k, v in training.items() if k != "seed"}
        return json.dumps(data, sort_keys=True)

    groups: dict[str, list[int]] = {}
    out: list[list[int]] = []
    for i, spec in enumerate(specs):
        key = essence(spec)
        group = groups.get(key) if key is not None else None
        seeds = {(specs[j].get("training") or {}).get("seed") for j in group} if group else set()
        if group is not None and spec["training"]["seed"] not in seeds:
            group.append(i)
            continue
        out.append([i])
        if key is not None and key not in groups:
            groups[key] = out[-1]
    return out


def _without_seed(spec: dict) -> dict:
    return {**spec, "training": {k: v for k, v in (spec.get("training") or {}).items() if k != "seed"}}


def draw_band(plot: pg.PlotItem, x: Sequence[float], curves: Sequence[Sequence[float]], color: str,
              kind: str = "minmax", dashed: bool = False) -> pg.PlotDataItem:
    """The mean of `curves` as a line over a translucent band (min–max or ± std); returns the mean's line."""
    b = band(curves, x)
    low, high = b.edges(kind)
    edge = pg.mkPen(None)
    lo, hi = plot.plot(b.epochs, low, pen=edge), plot.plot(b.epochs, high, pen=edge)
    fill = pg.FillBetweenItem(lo, hi, brush=pg.mkBrush(color + ("28" if dashed else "44")))
    fill.setZValue(-10)  # under every line
    plot.addItem(fill)
    style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
    return plot.plot(b.epochs, b.mean, pen=pg.mkPen(color, width=1.5 if dashed else 2, style=style))


def compare_runs(panel: PlotsPanel, run_dirs: Sequence[str | Path], labels: Sequence[str] | None = None,
                 arms: Sequence[Sequence[int]] | None = None, kind: str = "minmax") -> list[str]:
    """Draw the runs' per-epoch curves on `panel`, one colour per arm (seed replicates as a mean with a band);
    returns the arms' labels (runs without epochs are left out). `arms` groups the runs by index where the caller
    knows them (a seed comparison), with `labels` one per arm; else runs are grouped by their specs."""
    runs: list[tuple[str, dict[str, list[float]]]] = []
    specs: list[dict] = []
    index: dict[int, int] = {}
    for n, d in enumerate(run_dirs):
        cols = read_metrics(d)
        if cols.get("epoch"):
            info = read_run(Path(d))
            index[n] = len(runs)
            runs.append(((info.title if info else Path(d).name) or Path(d).name, cols))
            specs.append(read_json(Path(d) / SPEC_FILE, {}) or {})
    if not runs:
        return []
    if arms is None:
        groups = seed_groups(specs)
    else:
        groups = [[index[n] for n in arm if n in index] for arm in arms]
    keep = [i for i, g in enumerate(groups) if g]
    groups = [groups[i] for i in keep]
    names: list[str] = []
    for _title, cols in runs:
        names += [k for k in cols if k not in SKIP and not k.startswith("val_") and k not in names]
    names.sort(key=lambda n: n != "loss")  # loss first, then the metrics in the order the runs give them
    if labels is not None:
        arm_labels = [labels[i] for i in keep]
    else:
        # runs are told apart by the settings their specs differ in ("sgd, lr 0.01" against "adam, lr 0.001");
        # runs with the same settings by their titles
        # arms over several seeds are not told apart by the seed of their first runs
        banded = any(len(g) > 1 for g in groups)
        named = [_without_seed(specs[g[0]]) if banded else specs[g[0]] for g in groups]
        arm_labels = legend_labels(named, short_labels([runs[g[0]][0] for g in groups]))
    band_name = {"minmax": "min–max", "std": "± std"}[kind]
    arm_labels = [f"{label} ({len(g)} seeds, band {band_name})" if len(g) > 1 else label
                  for label, g in zip(arm_labels, groups, strict=True)]
    panel.epochs = 0
    panel.setup(names)
    colors = theme.colors().series
    for p in panel.plots.values():
        p.legend.clear()  # the live curves' entries: nothing of theirs is drawn here
    # the legend goes where the curves are not: a rising metric leaves its lower right free, loss its upper right
    legend_plot = next((n for n in names if n != "loss"), names[0])
    for i, (group, label) in enumerate(zip(groups, arm_labels, strict=True)):
        color = colors[i % len(colors)]
        members = [runs[j][1] for j in group]
        x = max((cols["epoch"] for cols in members), key=len)
        for name, p in panel.plots.items():
            for key, dashed in ((name, False), (f"val_{name}", True)):
                have = [cols[key] for cols in members if key in cols]
                if not have or (name == "learning_rate" and dashed):
                    continue
                if len(have) > 1:
                    curve = draw_band(p.plot, x, have, color, kind, dashed)
                else:
                    one = next(cols for cols in members if key in cols)
                    style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
                    curve = p.plot.plot(one["epoch"], one[key], pen=pg.mkPen(color, width=1.5 if dashed else 2,
                                                                             style=style))
                if name == legend_plot and not dashed:
                    p.legend.addItem(curve, label)
    lr = [v for _t, cols in runs for v in cols.get("learning_rate", []) if v == v]
    if lr and "learning_rate" in panel.plots:  # from zero up, as in the live plot
        panel.plots["learning_rate"].plot.setYRange(0, max(lr) * 1.15 or 1.0, padding=0)
    first = next(iter(panel.plots.values()))
    first.plot.setTitle(f"{first.name}  (dashed: validation)")  # a longer title widens its column of plots
    right = max(max(cols["epoch"]) for _t, cols in runs)
    first.plot.setXRange(0, right, padding=0.02)
    return arm_labels
