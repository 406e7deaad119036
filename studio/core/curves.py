"""A run's training curves as numbers, without Qt: one `MetricSeries` per metric (training per batch, raw and
smoothed; training and validation per epoch; the learning rate), fed by the run's events live or read back from
its files, and where its loss became NaN or infinite. The live plots, Compare and anything else that draws a run
read the same state, and the smoothing is tested without a window.

What each kind of series holds:
- "raw": the metric over just the batches since the previous point (the engine sends `batch_<name>`, recovered
  from Keras' running means). Metrics that are no mean (precision, recall, AUC) have none, and neither do runs
  recorded before it existed, except for their loss.
- "smooth": a debiased exponential moving average of "raw", as TensorBoard draws it (the first points are not
  dragged towards zero), whose memory never spans more than a fifth of an epoch, so it does not lag the run when
  an epoch has only a few points.
- "epoch" and "val": Keras' figures for each whole epoch, at the epoch's end; "lr": the learning rate per epoch.
x is in epochs: batch `step` of epoch `e` (0-based) is e + step/steps, the end of epoch e is e + 1.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import NamedTuple

import numpy as np

from studio.core import events as ev
from studio.core.runs import read_events, read_metrics

SMOOTHING = 0.9  # weight of the past per point in the exponential moving average (TensorBoard's slider)
MEMORY = 0.2  # epochs: the smoothing's time constant never exceeds this, however few points an epoch has
METRIC_KINDS = ("raw", "smooth", "epoch", "val")
LR_KINDS = ("lr",)
LR = "learning_rate"
LABELS = {"raw": "train (batches)", "smooth": "train (smoothed)", "epoch": "train (epoch)", "val": "validation",
          "lr": "learning rate"}  # the legend's words, the same on every plot
NOT_METRICS = ("epoch", LR, "seconds")  # metrics.csv columns that are no metric of their own


def nice_ceil(x: float) -> float:
    """The smallest of 1, 2, 5 × 10^k that is ≥ x (x > 0)."""
    k = math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * 10 ** k >= x:
            return m * 10 ** k
    return 10 ** (k + 1)


class Series:
    """x/y points in buffers that double when full (amortised O(1) append, no Python lists)."""

    def __init__(self, capacity: int = 1024):
        self.x = np.empty(capacity)
        self.y = np.empty(capacity)
        self.n = 0

    def append(self, x: float, y: float) -> None:
        if self.n == len(self.x):
            self.x = np.concatenate([self.x, np.empty(len(self.x))])
            self.y = np.concatenate([self.y, np.empty(len(self.y))])
        self.x[self.n] = x
        self.y[self.n] = y
        self.n += 1

    def extend(self, xs: np.ndarray, ys: np.ndarray) -> None:
        need = self.n + len(xs)
        if need > len(self.x):
            size = max(need, 2 * len(self.x))
            self.x = np.concatenate([self.x[: self.n], np.empty(size - self.n)])
            self.y = np.concatenate([self.y[: self.n], np.empty(size - self.n)])
        self.x[self.n:need] = xs
        self.y[self.n:need] = ys
        self.n = need

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x[: self.n], self.y[: self.n]

    def nearest(self, x: float) -> tuple[float, float] | None:
        if not self.n:
            return None
        xs = self.x[: self.n]
        i = int(np.clip(np.searchsorted(xs, x), 1, self.n - 1)) if self.n > 1 else 0
        if self.n > 1 and abs(xs[i - 1] - x) < abs(xs[i] - x):
            i -= 1
        return float(xs[i]), float(self.y[i])


class Smoother:
    """Debiased EMA: dividing by the total weight given so far (TensorBoard's 1 - w^n) keeps the first points from
    being dragged towards zero; the weight of the past shrinks with the distance to the last point."""

    def __init__(self, smoothing: float = SMOOTHING, memory: float = MEMORY):
        self.smoothing, self.memory = smoothing, memory
        self._total, self._weight = 0.0, 0.0  # the weighted sum and its weight
        self._last: float | None = None  # the last point's x

    def __call__(self, x: float, y: float) -> float:
        keep = self.smoothing if self._last is None else min(self.smoothing, math.exp(-(x - self._last) / self.memory))
        self._total = keep * self._total + (1 - keep) * y
        self._weight = keep * self._weight + (1 - keep)
        self._last = x
        return self._total / self._weight


class MetricSeries:
    """One metric's series by kind; raw points feed the smoothed ones, non-finite values are left out (a curve
    cannot draw NaN, and the divergence marks where they began)."""

    def __init__(self, name: str, kinds: tuple[str, ...] = METRIC_KINDS):
        self.name = name
        self.series = {kind: Series() for kind in kinds}
        self._smooth = Smoother()

    def add(self, kind: str, x: float, y: float) -> None:
        if not math.isfinite(y):
            return
        self.series[kind].append(x, y)
        if kind == "raw" and "smooth" in self.series:
            self.series["smooth"].append(x, self._smooth(x, y))

    def readout(self, x: float) -> str:
        """The point of each series nearest to x, a line each ("validation: 0.25 @ 3.00")."""
        lines = []
        for kind, s in self.series.items():
            hit = s.nearest(x)
            if hit is not None:
                lines.append(f"{LABELS[kind]}: {hit[1]:.4g} @ {hit[0]:.2f}")
        return "\n".join(lines)


class Divergence(NamedTuple):
    """Where the loss became NaN or infinite: x in epochs, and the 1-based epoch and batch (0: at the epoch's end)."""

    x: float
    epoch: int
    batch: int

    def label(self) -> str:
        return "loss became NaN/inf\n" + f"epoch {self.epoch}" + (f", batch {self.batch}" if self.batch else "")


def flat_span(values: list[np.ndarray]) -> tuple[float, float] | None:
    """A y range from zero for curves that hold a single value so far (a run's first point, or its last before it
    diverged): autoscaled, it would be a band of ±0.5 whose tick labels all read alike ("30785.6 … 30786.2").
    None once the curves hold a spread of values."""
    ys = [y for y in values if len(y)]
    if not ys or sum(len(y) for y in ys) > 8:
        return None
    lo, hi = min(float(y.min()) for y in ys), max(float(y.max()) for y in ys)
    if hi - lo > 1e-6 * max(abs(lo), abs(hi), 1e-12):
        return None
    return min(0.0, lo * 1.15), max(0.0, hi * 1.15) or 1.0


class RunCurves:
    """Every curve of one run: `setup` names the metrics, then events (or a finished run's files) add points."""

    def __init__(self) -> None:
        self.metrics: dict[str, MetricSeries] = {}
        self.epochs = 0  # the run's planned epochs, when known
        self.diverged: Divergence | None = None
        self.setup(["loss"])

    def setup(self, metrics: list[str]) -> list[str]:
        """Fresh, empty series for `metrics` (the val_ ones are drawn with theirs) and the learning rate."""
        names = [m for m in metrics if not m.startswith("val_")] or ["loss"]
        self.metrics = {name: MetricSeries(name) for name in names}
        self.metrics[LR] = MetricSeries(LR, LR_KINDS)
        self.diverged = None
        return list(self.metrics)

    def on_started(self, e: ev.Started) -> None:
        self.epochs = e.epochs
        self.setup([m for m in e.metrics if m != "batch_loss"])

    def on_batch(self, e: ev.BatchEnd) -> bool:
        """Add a batch's points; True when its loss is the run's first NaN or infinity."""
        x = e.epoch + e.step / max(e.steps, 1)
        if not math.isfinite(e.logs.get("loss", 0.0)):
            return self._diverge(x, e.epoch + 1, e.step)
        for name, m in self.metrics.items():
            value = e.logs.get(f"batch_{name}")  # the batches' own value: Keras' running mean lags within an epoch
            if value is not None:
                m.add("raw", x, float(value))
        return False

    def on_epoch(self, e: ev.EpochEnd) -> bool:
        """Add an epoch's points; True when its loss is the run's first NaN or infinity."""
        x = e.epoch + 1.0
        if not math.isfinite(e.logs.get("loss", 0.0)):  # runs recorded before the engine stopped at the NaN batch
            return self._diverge(x, e.epoch + 1, 0)
        for name, m in self.metrics.items():
            if name == LR:
                m.add("lr", x, float(e.learning_rate))
                continue
            if name in e.logs:
                m.add("epoch", x, float(e.logs[name]))
            if f"val_{name}" in e.logs:
                m.add("val", x, float(e.logs[f"val_{name}"]))
        return False

    def _diverge(self, x: float, epoch: int, batch: int) -> bool:
        if self.diverged is not None:
            return False
        self.diverged = Divergence(x, epoch, batch)
        return True

    def last_x(self) -> float:
        """The furthest point of any curve or the divergence (the series are in x order), 0 when all are empty."""
        right = max((float(s.x[s.n - 1]) for m in self.metrics.values() for s in m.series.values() if s.n),
                    default=0.0)
        return max(right, self.diverged.x) if self.diverged else right

    def point_count(self) -> dict[str, int]:
        return {f"{name}.{kind}": s.n for name, m in self.metrics.items() for kind, s in m.series.items()}

    def load_run(self, run_dir: str | Path) -> bool:
        """A finished run's curves from its events (batches too), or from metrics.csv for runs that kept no events;
        False when it recorded no epoch."""
        events = [e for d in read_events(run_dir) if (e := ev.checked(d)) is not None]
        started = next((e for e in events if isinstance(e, ev.Started)), None)
        if started is not None:
            self.on_started(started)
            for e in events:
                if isinstance(e, ev.BatchEnd):
                    self.on_batch(e)
                elif isinstance(e, ev.EpochEnd):
                    self.on_epoch(e)
        else:
            cols = read_metrics(run_dir)
            if not cols.get("epoch"):
                return False
            self.setup([k for k in cols if k not in NOT_METRICS])
            for i, epoch in enumerate(cols["epoch"]):
                for name, m in self.metrics.items():
                    if name == LR and LR in cols:
                        m.add("lr", epoch, cols[LR][i])
                    elif name in cols:
                        m.add("epoch", epoch, cols[name][i])
                        if f"val_{name}" in cols:
                            m.add("val", epoch, cols[f"val_{name}"][i])
        self.epochs = 0  # a finished run is drawn whole, not up to a plan
        return True
