"""Seed noise: how far the same spec's result moves when only the seed changes, and whether two arms differ by more.

Each arm of a comparison is trained with several seeds; a figure (the final or best value of a metric) gives one
number per seed. `spread` sums an arm up (mean ± sample standard deviation, min, max); `welch` gives the difference
of two arms' means with Welch's t interval (no equal-variance assumption, the usual test for a few runs each): when
the interval holds 0 the difference is "within seed noise", else "larger than seed noise". `band` turns the runs'
per-epoch curves into a mean curve with a min–max and ± std band. Plain numbers in, plain numbers out: no Qt, no keras.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

CONFIDENCE = 0.95
LARGER, WITHIN = "larger than seed noise", "within seed noise"
LOWER_IS_BETTER = ("loss", "mae", "mse", "error", "crossentropy", "hinge", "seconds")


def lower_is_better(metric: str) -> bool:
    """A loss or an error shrinks as the model gets better; accuracy, AUC, precision … grow."""
    return any(word in metric.lower() for word in LOWER_IS_BETTER)


def _finite(values: Sequence[float]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(v)]


@dataclass(frozen=True)
class Spread:
    """One arm's figure over its seeds."""

    n: int
    mean: float
    std: float  # sample standard deviation (n − 1); 0 for a single run
    low: float
    high: float

    def text(self, digits: int = 4) -> str:
        if self.n == 0:
            return "—"
        return f"{self.mean:.{digits}g} ± {self.std:.2g}"


def spread(values: Sequence[float]) -> Spread:
    """Mean ± std, min and max of the finite values (a diverged seed's NaN is left out, and n says so)."""
    xs = _finite(values)
    if not xs:
        return Spread(0, math.nan, math.nan, math.nan, math.nan)
    mean = math.fsum(xs) / len(xs)
    var = math.fsum((x - mean) ** 2 for x in xs) / (len(xs) - 1) if len(xs) > 1 else 0.0
    return Spread(len(xs), mean, math.sqrt(var), min(xs), max(xs))


@dataclass(frozen=True)
class Verdict:
    """mean(b) − mean(a) with its interval; `larger` when the interval leaves 0 out."""

    difference: float
    low: float
    high: float
    confidence: float
    df: float
    larger: bool
    reason: str = ""  # why there is no interval (too few seeds), else empty

    @property
    def words(self) -> str:
        if self.reason:
            return self.reason
        return LARGER if self.larger else WITHIN

    def text(self, digits: int = 3) -> str:
        """"+0.412, 95 % interval [+0.301, +0.523]: larger than seed noise"."""
        if self.reason:
            return self.reason
        pct = f"{self.confidence * 100:g} %"
        return (f"{self.difference:+.{digits}g}, {pct} interval [{self.low:+.{digits}g}, {self.high:+.{digits}g}]: "
                f"{self.words}")


def _betacf(a: float, b: float, x: float) -> float:
    """The continued fraction of the regularised incomplete beta function (Lentz's method)."""
    tiny, qab, qap, qam = 1e-300, a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1 + aa * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0 or x >= 1:
        return 0.0 if x <= 0 else 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1 - front * _betacf(b, a, 1 - x) / b


def t_cdf(t: float, df: float) -> float:
    """Student's t distribution's CDF for any real df > 0."""
    tail = 0.5 * _betainc(df / 2, 0.5, df / (df + t * t))
    return 1 - tail if t > 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The t distribution's p-quantile (0.5 < p < 1), by bisection on its CDF: a few microseconds, where importing
    scipy.stats for it would take a second or more."""
    if math.isinf(df):
        from statistics import NormalDist

        return NormalDist().inv_cdf(p)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2
    for _ in range(200):
        mid = (low + high) / 2
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
        if high - low < 1e-12 * max(1.0, high):
            break
    return (low + high) / 2


def welch(a: Sequence[float], b: Sequence[float], confidence: float = CONFIDENCE) -> Verdict:
    """Welch's t interval for mean(b) − mean(a). Needs two finite values per arm; with none of them varying the
    interval is the difference itself (identical runs differ by exactly 0, which is within seed noise)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie between 0 and 1, received {confidence}")
    sa, sb = spread(a), spread(b)
    if sa.n < 2 or sb.n < 2:
        d = sb.mean - sa.mean if sa.n and sb.n else math.nan
        return Verdict(d, math.nan, math.nan, confidence, math.nan, False,
                       f"not judged: needs at least 2 finished seeds per arm (has {sa.n} and {sb.n})")
    d = sb.mean - sa.mean
    va, vb = sa.std ** 2 / sa.n, sb.std ** 2 / sb.n
    se = math.sqrt(va + vb)
    if se == 0:
        return Verdict(d, d, d, confidence, math.inf, d != 0)
    df = (va + vb) ** 2 / (va ** 2 / (sa.n - 1) + vb ** 2 / (sb.n - 1))  # Welch–Satterthwaite
    half = t_quantile((1 + confidence) / 2, df) * se
    low, high = d - half, d + half
    return Verdict(d, low, high, confidence, df, low > 0 or high < 0)


@dataclass(frozen=True)
class Band:
    """Per-epoch mean of several runs' curves with its min–max and ± std edges; `count` runs reached each epoch."""

    epochs: list[float]
    mean: list[float]
    std: list[float]
    low: list[float]
    high: list[float]
    count: list[int]

    def edges(self, kind: str = "minmax") -> tuple[list[float], list[float]]:
        """The band's lower and upper curve: "minmax" or "std" (mean ± one standard deviation)."""
        if kind == "std":
            return ([m - s for m, s in zip(self.mean, self.std, strict=True)],
                    [m + s for m, s in zip(self.mean, self.std, strict=True)])
        if kind != "minmax":
            raise ValueError(f"band kind must be 'minmax' or 'std', received {kind!r}")
        return list(self.low), list(self.high)


def band(curves: Sequence[Sequence[float]], epochs: Sequence[float] | None = None) -> Band:
    """Mean, std, min and max at each epoch over the curves that reached it (runs stopped early end sooner;
    an epoch's NaN is left out of that epoch)."""
    length = max((len(c) for c in curves), default=0)
    out: dict[str, list] = {k: [] for k in ("epochs", "mean", "std", "low", "high", "count")}
    for i in range(length):
        s = spread([c[i] for c in curves if i < len(c)])
        if s.n == 0:
            continue
        out["epochs"].append(float(epochs[i]) if epochs is not None and i < len(epochs) else float(i + 1))
        for key, value in (("mean", s.mean), ("std", s.std), ("low", s.low), ("high", s.high), ("count", s.n)):
            out[key].append(value)
    return Band(**out)


def final_and_best(curve: Sequence[float], metric: str) -> tuple[float, float]:
    """The last finite value of a run's metric and its best over the epochs (NaN, NaN for none)."""
    xs = _finite(curve)
    if not xs:
        return math.nan, math.nan
    return xs[-1], (min(xs) if lower_is_better(metric) else max(xs))
