"""Exact and score intervals against published values and independent scipy references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from bluezones.detect import (
    DetectError,
    poisson_interval,
    proportion_interval,
    rate_interval,
    ratio_interval,
)
from bluezones.errors import DataError

LEVELS = [0.8, 0.95, 0.99, 0.998]


# --------------------------------------------------------------------------- Poisson


@pytest.mark.parametrize("level", LEVELS)
def test_garwood_limits_invert_the_poisson_tail_probabilities(level: float) -> None:
    # Definition of the exact interval: P(X >= O | L) = a/2 and P(X <= O | U) = a/2,
    # solved here by root finding on the Poisson CDF, not by the chi-square identity.
    alpha = 1 - level
    counts = np.array([0, 1, 2, 3, 7, 10, 25, 100, 400])
    got = poisson_interval(counts, level)
    for o, lower, upper in zip(counts, got["lower"], got["upper"], strict=True):
        if o == 0:
            assert lower == 0.0
        else:
            ref = optimize.brentq(lambda m, o=o: stats.poisson.sf(o - 1, m) - alpha / 2, 1e-9, o)
            assert lower == pytest.approx(ref, rel=1e-9)
        ref_u = optimize.brentq(
            lambda m, o=o: stats.poisson.cdf(o, m) - alpha / 2, max(o, 1e-9), 10 * o + 50
        )
        assert upper == pytest.approx(ref_u, rel=1e-9)


def test_garwood_matches_published_table_values() -> None:
    # Classic exact 95% limits (e.g. Sahai & Khurshid 1993; Ulm 1990 tables).
    got = poisson_interval([0, 1, 2, 10]).round(4)
    assert got["lower"].tolist() == [0.0, 0.0253, 0.2422, 4.7954]
    assert got["upper"].tolist() == [3.6889, 5.5716, 7.2247, 18.3904]


@pytest.mark.parametrize("level", [0.9, 0.95, 0.998])
def test_exact_poisson_interval_coverage_is_at_least_nominal(level: float) -> None:
    # Coverage C(mu) = sum_k P(k | mu) 1{L(k) <= mu <= U(k)} over a fine grid of means.
    ks = np.arange(0, 400)
    iv = poisson_interval(ks, level)
    lower, upper = iv["lower"].to_numpy(), iv["upper"].to_numpy()
    for mu in np.concatenate([np.linspace(0.05, 5, 100), np.linspace(5, 150, 300)]):
        covered = (lower <= mu) & (mu <= upper)
        coverage = stats.poisson.pmf(ks, mu)[covered].sum()
        assert coverage >= level - 1e-9, (mu, coverage)


def test_ratio_interval_is_count_interval_over_expected() -> None:
    o, e = np.array([0, 3, 12, 40]), np.array([2.5, 4.0, 10.0, 55.5])
    got = ratio_interval(o, e, level=0.99)
    ref = poisson_interval(o, level=0.99)
    np.testing.assert_allclose(got["estimate"], o / e)
    np.testing.assert_allclose(got["lower"], ref["lower"] / e)
    np.testing.assert_allclose(got["upper"], ref["upper"] / e)


# --------------------------------------------------------------------------- Byar / rates


def _byar_reference(o: float, level: float) -> tuple[float, float]:
    z = stats.norm.ppf(1 - (1 - level) / 2)
    lower = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
    upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * np.sqrt(o + 1))) ** 3
    return lower, upper


def test_byar_lower_matches_published_phe_test_value() -> None:
    # Unit-test value of the Python port of PHEindicatormethods: byars_lower(100).
    got = rate_interval([100], [1.0], method="byar")
    assert got["lower"].iloc[0] == pytest.approx(81.36210549052788, rel=1e-12)
    # phe_rate(100, 10000, multiplier=100000) lower limit in the same suite.
    got = rate_interval([100], [10_000], multiplier=100_000)
    assert got["lower"].iloc[0] == pytest.approx(813.6210549052789, rel=1e-12)
    assert got["estimate"].iloc[0] == 1000.0


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_phe_rule_uses_exact_below_ten_and_byar_from_ten(level: float) -> None:
    o = np.array([0, 1, 9, 10, 11, 250])
    t = np.array([100.0, 200.0, 300.0, 400.0, 500.0, 600.0])
    got = rate_interval(o, t, level=level)  # method="phe"
    exact = poisson_interval(o, level)
    for i, count in enumerate(o):
        if count < 10:
            ref_l, ref_u = exact["lower"].iloc[i], exact["upper"].iloc[i]
        else:
            ref_l, ref_u = _byar_reference(count, level)
        assert got["lower"].iloc[i] == pytest.approx(ref_l / t[i], rel=1e-12)
        assert got["upper"].iloc[i] == pytest.approx(ref_u / t[i], rel=1e-12)


def test_byar_is_close_to_exact_from_ten_events() -> None:
    o = np.arange(10, 500)
    byar = rate_interval(o, np.ones(o.size), method="byar")
    exact = rate_interval(o, np.ones(o.size), method="exact")
    assert np.max(np.abs(byar["lower"] / exact["lower"] - 1)) < 2e-3
    assert np.max(np.abs(byar["upper"] / exact["upper"] - 1)) < 1e-4


def test_pure_byar_refuses_a_negative_lower_limit() -> None:
    with pytest.raises(DataError, match="negative lower limit") as info:
        rate_interval([5, 1], [10.0, 10.0], level=0.998, method="byar")
    assert info.value.context["row"] == 1


# --------------------------------------------------------------------------- proportions


# Newcombe (1998), Statistics in Medicine 17:857, Table II (methods 3 and 5), and the
# widely reproduced 0/10, 5/10, 10/10 examples; 95%, four decimals.
PUBLISHED = [
    # x, n, wilson (lower, upper), clopper-pearson (lower, upper)
    (0, 10, (0.0, 0.2775), (0.0, 0.3085)),
    (5, 10, (0.2366, 0.7634), (0.1871, 0.8129)),
    (10, 10, (0.7225, 1.0), (0.6915, 1.0)),
    (81, 263, (0.2553, 0.3662), (0.2527, 0.3676)),
    (15, 148, (0.0624, 0.1605), (0.0578, 0.1617)),
    (0, 20, (0.0, 0.1611), (0.0, 0.1684)),
    (1, 29, (0.0061, 0.1718), (0.0009, 0.1776)),
]


@pytest.mark.parametrize(("x", "n", "wilson", "cp"), PUBLISHED)
def test_proportion_intervals_match_published_values(
    x: int, n: int, wilson: tuple[float, float], cp: tuple[float, float]
) -> None:
    w = proportion_interval([x], [n], method="wilson").iloc[0]
    c = proportion_interval([x], [n], method="clopper-pearson").iloc[0]
    assert (round(w["lower"], 4), round(w["upper"], 4)) == wilson
    assert (round(c["lower"], 4), round(c["upper"], 4)) == cp


@pytest.mark.parametrize("level", LEVELS)
def test_proportion_intervals_match_scipy_references(level: float) -> None:
    x = np.array([0, 1, 3, 5, 17, 50, 99, 100])
    n = np.array([10, 10, 40, 10, 60, 100, 100, 100])
    wil = proportion_interval(x, n, level, method="wilson")
    cp = proportion_interval(x, n, level, method="clopper-pearson")
    a = 1 - level
    for i in range(x.size):
        ci = stats.binomtest(int(x[i]), int(n[i])).proportion_ci(level, method="wilson")
        assert wil["lower"].iloc[i] == pytest.approx(ci.low, abs=1e-12)
        assert wil["upper"].iloc[i] == pytest.approx(ci.high, abs=1e-12)
        # Clopper-Pearson from the beta quantiles, with the x = 0 / x = n conventions.
        ref_l = 0.0 if x[i] == 0 else stats.beta.ppf(a / 2, x[i], n[i] - x[i] + 1)
        ref_u = 1.0 if x[i] == n[i] else stats.beta.ppf(1 - a / 2, x[i] + 1, n[i] - x[i])
        assert cp["lower"].iloc[i] == pytest.approx(ref_l, abs=1e-12)
        assert cp["upper"].iloc[i] == pytest.approx(ref_u, abs=1e-12)


@pytest.mark.parametrize("method", ["wilson", "clopper-pearson"])
def test_edges_are_exact(method: str) -> None:
    got = proportion_interval([0, 7], [7, 7], method=method)  # type: ignore[arg-type]
    assert got["lower"].iloc[0] == 0.0  # not 1e-17
    assert got["upper"].iloc[1] == 1.0


def test_series_index_becomes_the_area_labels() -> None:
    x = pd.Series([3, 4], index=["GM0014", "GM0034"])
    n = pd.Series([30, 40], index=["GM0014", "GM0034"])
    got = proportion_interval(x, n)
    assert got.index.tolist() == ["GM0014", "GM0034"]


# --------------------------------------------------------------------------- errors


def test_missing_value_is_an_error_naming_the_area() -> None:
    x = pd.Series([3.0, np.nan, 5.0], index=["GM0014", "GM0034", "GM0037"])
    with pytest.raises(DataError, match="missing") as info:
        poisson_interval(x)
    assert info.value.context["area"] == "GM0034"
    assert info.value.context["row"] == 1
    assert info.value.hint


def test_zero_denominator_is_an_error_naming_the_area() -> None:
    with pytest.raises(DataError, match="greater than zero") as info:
        ratio_interval([1, 2], pd.Series([1.5, 0.0], index=["WK001", "WK002"]))
    assert info.value.context["area"] == "WK002"
    with pytest.raises(DataError, match="greater than zero"):
        proportion_interval([0], [0])


def test_negative_counts_and_impossible_proportions_are_errors() -> None:
    with pytest.raises(DataError, match="negative"):
        poisson_interval([1, -1])
    with pytest.raises(DataError, match="exceed"):
        proportion_interval([11], [10])
    with pytest.raises(DataError, match="numeric"):
        poisson_interval(["a", "b"])


@pytest.mark.parametrize("level", [0, 1, 95, -0.5])
def test_bad_level_is_refused(level: float) -> None:
    with pytest.raises(DetectError, match="between 0 and 1"):
        poisson_interval([1], level)


def test_unknown_method_is_refused() -> None:
    with pytest.raises(DetectError, match="choose one of"):
        proportion_interval([1], [2], method="wald")  # type: ignore[arg-type]
    with pytest.raises(DetectError, match="choose one of"):
        rate_interval([1], [2], method="normal")  # type: ignore[arg-type]
