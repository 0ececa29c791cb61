"""Funnel control limits against the published formulas, recomputed independently."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bluezones.detect import (
    CONTROL_LIMITS,
    DetectError,
    funnel_cqc,
    funnel_curves,
    funnel_proportion,
    funnel_rate,
    funnel_ratio,
    funnel_shmi,
)
from bluezones.errors import DataError

# Two-sided normal quantiles written out (Spiegelhalter 2005: "2 and 3 sigma" limits).
Z95 = 1.959963984540054
Z998 = 3.090232306167813


# --------------------------------------------------------------------------- proportions


def test_normal_proportion_limits_hand_example() -> None:
    # p0 = 0.1, n = 100: s = sqrt(0.1 * 0.9 / 100) = 0.03.
    res = funnel_proportion([10], [100], target=0.1, scale="normal")
    row = res.table.iloc[0]
    assert row["lower_95"] == pytest.approx(0.1 - Z95 * 0.03, abs=1e-12)  # 0.041201
    assert row["upper_95"] == pytest.approx(0.1 + Z95 * 0.03, abs=1e-12)  # 0.158799
    assert row["lower_99.8"] == pytest.approx(0.1 - Z998 * 0.03, abs=1e-12)  # 0.007293
    assert row["upper_99.8"] == pytest.approx(0.1 + Z998 * 0.03, abs=1e-12)  # 0.192707
    assert row["lower_95"] == pytest.approx(0.041201, abs=1e-6)


def test_normal_proportion_limits_equal_formula_for_many_areas() -> None:
    n = np.array([20, 55, 120, 800, 5000])
    x = np.array([3, 9, 10, 70, 520])
    p0 = x.sum() / n.sum()
    res = funnel_proportion(x, n, scale="normal", levels=[0.9, 0.99])
    assert res.target == pytest.approx(p0)
    for level in (0.9, 0.99):
        z = stats.norm.ppf(1 - (1 - level) / 2)
        half = z * np.sqrt(p0 * (1 - p0) / n)
        tag = f"{100 * level:g}"
        np.testing.assert_allclose(res.table[f"lower_{tag}"], np.clip(p0 - half, 0, 1))
        np.testing.assert_allclose(res.table[f"upper_{tag}"], np.clip(p0 + half, 0, 1))
    np.testing.assert_allclose(res.table["z"], (x / n - p0) / np.sqrt(p0 * (1 - p0) / n))


def _interpolated_quantile(cdf_at: np.ndarray, support: np.ndarray, p: float) -> float:
    """Where the CDF, linear between integers (knot at -1 with F = 0), reaches p."""
    return float(np.interp(p, np.concatenate([[0.0], cdf_at]), np.concatenate([[-1], support])))


@pytest.mark.parametrize("p0", [0.03, 0.1, 0.35])
@pytest.mark.parametrize("level", [0.95, 0.998, 0.9])
def test_exact_binomial_limits_follow_spiegelhalter_appendix(p0: float, level: float) -> None:
    # S05 A.1.1: (r_p - alpha) / n is the p-point of the linearly interpolated CDF.
    n = np.array([5, 12, 40, 150, 1000])
    res = funnel_proportion(np.zeros(n.size), n, target=p0, scale="exact", levels=[level])
    q = 1 - (1 - level) / 2
    tag = f"{100 * level:g}"
    for i, size in enumerate(n):
        k = np.arange(size + 1)
        cdf = stats.binom.cdf(k, size, p0)
        lo = max(_interpolated_quantile(cdf, k, 1 - q) / size, 0.0)
        hi = min(_interpolated_quantile(cdf, k, q) / size, 1.0)
        assert res.table[f"lower_{tag}"].iloc[i] == pytest.approx(lo, abs=1e-9)
        assert res.table[f"upper_{tag}"].iloc[i] == pytest.approx(hi, abs=1e-9)


def test_exact_binomial_limits_hand_example() -> None:
    # n = 100, p0 = 0.1, 95%. Upper: r = 16 is the smallest r with F(r) >= 0.975
    # (F(15) = 0.960109, F(16) = 0.979401), alpha = (0.979401 - 0.975) / P(16)
    # = 0.004401 / 0.019292 = 0.22813, limit (16 - 0.22813) / 100 = 0.157719.
    # Lower: F(4) = 0.023711 < 0.025 <= F(5) = 0.057577, alpha = 0.032577 / 0.033866
    # = 0.96194, limit (5 - 0.96194) / 100 = 0.040381.
    res = funnel_proportion([10], [100], target=0.1, scale="exact", levels=[0.95])
    assert res.table["upper_95"].iloc[0] == pytest.approx(0.157719, abs=2e-6)
    assert res.table["lower_95"].iloc[0] == pytest.approx(0.040381, abs=2e-6)


def test_exact_poisson_limits_hand_example() -> None:
    # E = 10, 99.8% lower: F(1) = 0.000499 < 0.001 <= F(2) = 0.002769, P(2) = 0.002270,
    # alpha = 0.001769 / 0.002270 = 0.77947, limit (2 - 0.77947) / 10 = 0.122053.
    res = funnel_ratio([0], [10.0], scale="exact", levels=[0.998])
    assert res.table["lower_99.8"].iloc[0] == pytest.approx(0.122053, abs=2e-6)
    assert bool(res.table["low_99.8"].iloc[0])  # O = 0 with E = 10 is a low outlier


def test_arcsine_limits_follow_funnelplotr() -> None:
    # FunnelPlotR calculate_limits, data_type "PR":
    # sin(asin(sqrt(p0)) -/+ z sqrt(1 / (4 n) + tau2))^2, clamped to [0, 1].
    n = np.array([4, 30, 300])
    x = np.array([1, 5, 40])
    res = funnel_proportion(x, n, scale="arcsine")
    p0 = x.sum() / n.sum()
    centre = np.arcsin(np.sqrt(p0))
    s = 1 / (2 * np.sqrt(n))
    lower = np.sin(np.maximum(centre - Z998 * s, 0)) ** 2
    upper = np.sin(np.minimum(centre + Z998 * s, np.pi / 2)) ** 2
    np.testing.assert_allclose(res.table["lower_99.8"], lower)
    np.testing.assert_allclose(res.table["upper_99.8"], upper)
    assert res.table["lower_99.8"].iloc[0] == 0.0  # the branch past 0 is not mirrored back
    np.testing.assert_allclose(res.table["z"], (np.arcsin(np.sqrt(x / n)) - centre) / s)


# --------------------------------------------------------------------------- ratios


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_exact_poisson_limits_follow_spiegelhalter_appendix(level: float) -> None:
    e = np.array([0.7, 3.2, 10.0, 48.5, 400.0])
    res = funnel_ratio(np.zeros(e.size), e, scale="exact", levels=[level])
    q = 1 - (1 - level) / 2
    tag = f"{100 * level:g}"
    for i, mu in enumerate(e):
        k = np.arange(0, int(mu + 20 * np.sqrt(mu) + 30))
        cdf = stats.poisson.cdf(k, mu)
        lo = max(_interpolated_quantile(cdf, k, 1 - q), 0.0) / mu
        hi = _interpolated_quantile(cdf, k, q) / mu
        assert res.table[f"lower_{tag}"].iloc[i] == pytest.approx(lo, abs=1e-9)
        assert res.table[f"upper_{tag}"].iloc[i] == pytest.approx(hi, abs=1e-9)


def test_chisq_limits_equal_funnelplotr_unadjusted_formula() -> None:
    # FunnelPlotR: qchisq(0.975, 2E, lower.tail = FALSE) / 2 / E and
    #              qchisq(0.025, 2(E + 1), lower.tail = FALSE) / 2 / E  (99.8%: 0.999/0.001).
    e = np.array([1.1, 5.0, 20.0, 333.3])
    res = funnel_ratio(np.ones(e.size), e, scale="chisq")
    t = res.table
    np.testing.assert_allclose(t["lower_95"], stats.chi2.isf(0.975, 2 * e) / 2 / e)
    np.testing.assert_allclose(t["upper_95"], stats.chi2.isf(0.025, 2 * (e + 1)) / 2 / e)
    np.testing.assert_allclose(t["lower_99.8"], stats.chi2.isf(0.999, 2 * e) / 2 / e)
    np.testing.assert_allclose(t["upper_99.8"], stats.chi2.isf(0.001, 2 * (e + 1)) / 2 / e)


def test_normal_ratio_limits_and_z() -> None:
    o, e = np.array([3, 30, 120]), np.array([10.0, 25.0, 100.0])
    res = funnel_ratio(o, e, scale="normal")
    np.testing.assert_allclose(res.table["z"], (o - e) / np.sqrt(e))
    np.testing.assert_allclose(res.table["upper_95"], 1 + Z95 / np.sqrt(e))
    np.testing.assert_allclose(res.table["lower_99.8"], np.maximum(1 - Z998 / np.sqrt(e), 0))


OBS = np.array([12, 45, 60, 80, 95, 130, 150, 210, 260, 300, 390, 480])
EXP = np.array([20.0, 40.0, 70.0, 75.0, 110.0, 120.0, 180.0, 200.0, 230.0, 320.0, 350.0, 500.0])


def test_shmi_variant_z_and_limits_follow_funnelplotr() -> None:
    res = funnel_shmi(OBS, EXP)
    t, tau2 = res.table, res.dispersion.tau2
    # transformed_zscore: Uzscore = sqrt(E) * log(O / E)
    np.testing.assert_allclose(t["z"], np.sqrt(EXP) * np.log(OBS / EXP))
    assert tau2 > 0  # this data set is overdispersed
    # calculate_limits (SHMI): exp(-/+ 1.959964 * sqrt(1 / E + tau2))
    np.testing.assert_allclose(t["lower_95"], np.exp(-Z95 * np.sqrt(1 / EXP + tau2)))
    np.testing.assert_allclose(t["upper_99.8"], np.exp(Z998 * np.sqrt(1 / EXP + tau2)))
    # OD_adjust_func: Wazscore = log(rr) / sqrt(1 / E + tau2)
    np.testing.assert_allclose(t["z_adjusted"], np.log(OBS / EXP) / np.sqrt(1 / EXP + tau2))


def test_cqc_variant_z_and_limits_follow_funnelplotr() -> None:
    res = funnel_cqc(OBS, EXP)
    t, tau2 = res.table, res.dispersion.tau2
    # Uzscore_CQC = 2 (sqrt(O) - sqrt(E))
    np.testing.assert_allclose(t["z"], 2 * (np.sqrt(OBS) - np.sqrt(EXP)))
    assert tau2 > 0
    # OD95LCL = (1 - 1.959964 sqrt((1 / (2 sqrt(E)))^2 + tau2))^2 (FunnelPlotR <= 0.3, #33)
    s2 = (1 / (2 * np.sqrt(EXP))) ** 2
    np.testing.assert_allclose(t["lower_95"], (1 - Z95 * np.sqrt(s2 + tau2)) ** 2)
    np.testing.assert_allclose(t["upper_99.8"], (1 + Z998 * np.sqrt(s2 + tau2)) ** 2)
    np.testing.assert_allclose(t["z_adjusted"], (np.sqrt(OBS / EXP) - 1) / np.sqrt(s2 + tau2))


# --------------------------------------------------------------------------- rates


def test_rate_limits_hand_example() -> None:
    # r0 = 0.02 per person-year, T = 1000: E = 20, s(rate) = sqrt(r0 / T) = 0.004472136.
    res = funnel_rate([5], [1000.0], target=0.02, scale="normal")
    row = res.table.iloc[0]
    assert row["indicator"] == pytest.approx(0.005)
    assert row["expected"] == pytest.approx(20.0)
    assert row["lower_95"] == pytest.approx(0.02 - Z95 * 0.004472136, abs=1e-9)
    assert row["upper_95"] == pytest.approx(0.02 + Z95 * 0.004472136, abs=1e-9)
    assert bool(row["low_95"]) and not bool(row["high_95"])


@pytest.mark.parametrize("scale", ["exact", "chisq", "normal", "log", "sqrt"])
def test_rate_equals_ratio_with_expected_from_pooled_rate(scale: str) -> None:
    o = np.array([3, 15, 40, 7, 90])
    t = np.array([900.0, 2500.0, 5200.0, 1700.0, 9800.0])
    r0 = o.sum() / t.sum()
    rate = funnel_rate(o, t, scale=scale)  # type: ignore[arg-type]
    ratio = funnel_ratio(o, r0 * t, scale=scale)  # type: ignore[arg-type]
    assert rate.target == pytest.approx(r0)
    for col in ["lower_95", "upper_95", "lower_99.8", "upper_99.8"]:
        np.testing.assert_allclose(rate.table[col], ratio.table[col] * r0)
    np.testing.assert_allclose(rate.table["z"], ratio.table["z"])
    assert (rate.table["low_95"] == ratio.table["low_95"]).all()


# --------------------------------------------------------------------------- flags, levels


def test_flags_are_strictly_outside_the_limits() -> None:
    o, e = np.array([0, 2, 10, 19, 40, 80]), np.full(6, 10.0)
    res = funnel_ratio(o, e, scale="exact")
    t = res.table
    for tag in ("95", "99.8"):
        np.testing.assert_array_equal(t[f"low_{tag}"], t["indicator"] < t[f"lower_{tag}"])
        np.testing.assert_array_equal(t[f"high_{tag}"], t["indicator"] > t[f"upper_{tag}"])
    assert t["high_99.8"].tolist() == [False, False, False, False, True, True]
    assert t["low_95"].tolist() == [True, True, False, False, False, False]
    assert res.flagged().index.tolist() == [0, 4, 5]  # widest level by default
    assert res.flagged(0.95).index.tolist() == [0, 1, 3, 4, 5]
    assert res.levels == CONTROL_LIMITS


def test_any_levels_are_sorted_and_named() -> None:
    res = funnel_ratio([5, 9], [6.0, 7.0], scale="sqrt", levels=[0.99, 0.5, 0.9999])
    assert res.levels == (0.5, 0.99, 0.9999)
    for tag in ("50", "99", "99.99"):
        assert {f"lower_{tag}", f"upper_{tag}", f"low_{tag}", f"high_{tag}"} <= set(res.table)
    t = res.table
    assert (t["lower_99.99"] < t["lower_99"]).all() and (t["lower_99"] < t["lower_50"]).all()


def test_labels_come_from_series_or_argument() -> None:
    o = pd.Series([4, 8], index=["GM0014", "GM0034"])
    e = pd.Series([5.0, 6.0], index=["GM0014", "GM0034"])
    assert funnel_ratio(o, e).table.index.tolist() == ["GM0014", "GM0034"]
    assert funnel_ratio([4, 8], [5.0, 6.0], labels=["a", "b"]).table.index.tolist() == ["a", "b"]
    with pytest.raises(DataError, match="different indexes"):
        funnel_ratio(o, e.iloc[::-1])


# --------------------------------------------------------------------------- curves


@pytest.mark.parametrize(
    "make",
    [
        lambda: funnel_proportion([3, 10, 40], [20, 90, 400], scale="exact"),
        lambda: funnel_proportion([3, 10, 40], [20, 90, 400], scale="arcsine"),
        lambda: funnel_ratio(OBS, EXP, scale="exact"),
        lambda: funnel_cqc(OBS, EXP),
        lambda: funnel_shmi(OBS, EXP),
        lambda: funnel_ratio(OBS, EXP, scale="normal", overdispersion="multiplicative"),
        lambda: funnel_rate(OBS, EXP * 50, scale="sqrt", overdispersion="additive"),
    ],
)
def test_curves_pass_through_the_area_limits(make) -> None:  # type: ignore[no-untyped-def]
    res = make()
    column = {"proportion": "n", "ratio": "expected", "rate": "person_time"}[res.kind]
    curves = funnel_curves(res, precision=res.table[column])
    order = np.argsort(res.table[column].to_numpy(), kind="stable")
    for col in ["lower_95", "upper_95", "lower_99.8", "upper_99.8"]:
        np.testing.assert_allclose(curves[col], res.table[col].to_numpy()[order], rtol=1e-12)
    assert (curves["target"] == res.target).all()


def test_default_curve_grid_spans_the_data_and_narrows() -> None:
    res = funnel_cqc(OBS, EXP)
    curves = funnel_curves(res, n_points=50)
    assert len(curves) == 50
    assert curves["expected"].iloc[0] == pytest.approx(EXP.min())
    assert curves["expected"].iloc[-1] == pytest.approx(EXP.max())
    assert (np.diff(curves["upper_95"]) < 0).all() and (np.diff(curves["lower_95"]) > 0).all()


# --------------------------------------------------------------------------- errors


def test_zero_expected_is_an_error_naming_the_area() -> None:
    e = pd.Series([3.0, 0.0], index=["WK036300", "WK036301"])
    o = pd.Series([1, 0], index=e.index)
    with pytest.raises(DataError, match="expected must be greater than zero") as info:
        funnel_ratio(o, e)
    assert info.value.context["area"] == "WK036301"
    with pytest.raises(DataError, match="n must be greater than zero") as info:
        funnel_proportion([0, 1], [5, 0])
    assert info.value.context["row"] == 1


def test_negative_and_missing_counts_are_errors() -> None:
    with pytest.raises(DataError, match="negative"):
        funnel_ratio([3, -1], [2.0, 2.0])
    with pytest.raises(DataError, match="missing"):
        funnel_rate([3, np.nan], [2.0, 2.0])
    with pytest.raises(DataError, match="exceed"):
        funnel_proportion([3, 6], [5, 5])


def test_bad_options_are_refused() -> None:
    with pytest.raises(DetectError, match="normal-type scale"):
        funnel_ratio([3, 4], [2.0, 5.0], scale="exact", overdispersion="additive")
    with pytest.raises(DetectError, match="choose one of"):
        funnel_ratio([3, 4], [2.0, 5.0], scale="arcsine")  # type: ignore[arg-type]
    with pytest.raises(DetectError, match="between 0 and 1"):
        funnel_ratio([3, 4], [2.0, 5.0], levels=[95])
    with pytest.raises(DetectError, match="trim_fraction"):
        funnel_cqc([3, 4], [2.0, 5.0], trim_fraction=0.5)
    with pytest.raises(DataError, match="whole-number"):
        funnel_proportion([1, 2], [10.5, 20], scale="exact")
    with pytest.raises(DetectError, match="strictly between 0 and 1"):
        funnel_proportion([0, 0], [10, 20])
