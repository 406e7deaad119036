"""Seed-noise statistics on made-up numbers: spreads, Welch's interval and its verdict, mean curves with bands."""

from __future__ import annotations

import math

import pytest
from studio.core.seed_stats import (LARGER, WITHIN, band, final_and_best, lower_is_better, spread, t_quantile,
                                    welch)


def test_spread_is_mean_and_sample_std_leaving_out_a_diverged_seed():
    s = spread([1.0, 2.0, 3.0, float("nan")])
    assert (s.n, s.mean, s.low, s.high) == (3, 2.0, 1.0, 3.0)
    assert s.std == pytest.approx(1.0)  # n − 1 in the denominator
    assert s.text() == "2 ± 1"
    assert spread([5.0]).std == 0.0 and spread([]).n == 0 and spread([]).text() == "—"


# scipy.stats.t.ppf(p, df), written down: importing scipy.stats costs the suite a second or more
T_TABLE = [(0.975, 1, 12.706204736174694), (0.975, 2, 4.302652729749462), (0.975, 2.6317748356633652,
           3.4497948048385787), (0.975, 4, 2.7764451051977934), (0.975, 10, 2.228138851986274),
           (0.995, 7.5, 3.421422688124044), (0.9, 30, 1.3104150253913955), (0.975, 1e6, 1.959966356814107)]


@pytest.mark.parametrize(("p", "df", "expected"), T_TABLE)
def test_t_quantile_matches_scipy(p, df, expected):
    assert t_quantile(p, df) == pytest.approx(expected, rel=1e-9)


def test_welch_interval():
    a, b = [0.61, 0.58, 0.66, 0.63], [0.41, 0.52, 0.38]
    v = welch(a, b)
    # scipy.stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert v.difference == pytest.approx(sum(b) / 3 - sum(a) / 4)
    assert v.df == pytest.approx(2.6317748356633652)
    assert (v.low, v.high) == (pytest.approx(-0.34121354006018123), pytest.approx(-0.025453126606485382))
    assert v.larger and v.words == LARGER
    assert v.text().startswith("-0.183, ") and "95 % interval [" in v.text() and v.text().endswith(LARGER)


def test_overlapping_arms_are_within_seed_noise():
    v = welch([0.50, 0.62, 0.55], [0.58, 0.49, 0.60])
    assert v.low < 0 < v.high and not v.larger and v.words == WITHIN


def test_identical_runs_differ_by_exactly_nothing():
    v = welch([0.3, 0.3, 0.3], [0.3, 0.3, 0.3])
    assert (v.difference, v.low, v.high, v.larger) == (0.0, 0.0, 0.0, False)
    assert welch([0.3, 0.3], [0.5, 0.5]).larger  # no noise at all: any difference is real


def test_too_few_seeds_are_not_judged():
    v = welch([0.3], [0.5, 0.6])
    assert not v.larger and "needs at least 2 finished seeds per arm (has 1 and 2)" in v.words
    with pytest.raises(ValueError, match="confidence"):
        welch([1, 2], [3, 4], confidence=95)


def test_a_wider_confidence_gives_a_wider_interval():
    a, b = [1.0, 1.2, 0.9], [1.3, 1.5, 1.4]
    narrow, wide = welch(a, b, 0.8), welch(a, b, 0.99)
    assert wide.low < narrow.low < narrow.high < wide.high


def test_band_over_curves_of_different_lengths():
    b = band([[3.0, 2.0, 1.0], [5.0, 4.0], [4.0, float("nan"), 2.0]])
    assert b.epochs == [1.0, 2.0, 3.0]
    assert b.mean == [4.0, 3.0, 1.5] and b.count == [3, 2, 2]
    assert b.edges("minmax") == ([3.0, 2.0, 1.0], [5.0, 4.0, 2.0])
    lo, hi = b.edges("std")
    assert lo[0] == pytest.approx(3.0) and hi[0] == pytest.approx(5.0)
    assert band([[1.0], [3.0]], epochs=[7]).epochs == [7.0]
    with pytest.raises(ValueError, match="minmax"):
        b.edges("iqr")


def test_final_and_best_follow_the_metric_direction():
    assert final_and_best([0.9, 0.4, 0.5, float("nan")], "val_loss") == (0.5, 0.4)
    assert final_and_best([0.5, 0.9, 0.8], "accuracy") == (0.8, 0.9)
    assert all(math.isnan(x) for x in final_and_best([], "loss"))
    assert lower_is_better("val_mae") and not lower_is_better("val_auc")
