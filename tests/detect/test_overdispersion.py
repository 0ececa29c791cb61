"""Overdispersion: trimming, phi and DerSimonian-Laird tau2 against direct implementations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from bluezones.detect import DetectError, funnel_cqc, funnel_proportion, funnel_ratio, funnel_shmi

# A fixed, clearly overdispersed data set (observed, expected).
OBS = np.array([12, 45, 60, 80, 95, 130, 150, 210, 260, 300, 390, 480, 33, 71, 18, 250])
EXP = np.array(
    [20.0, 40.0, 70.0, 75.0, 110.0, 120.0, 180.0, 200.0, 230.0, 320.0, 350.0, 500.0, 30.0, 90.0,
     25.0, 190.0]
)  # fmt: skip


def _type7(values: np.ndarray, p: float) -> float:
    """R quantile(type = 7), written out: x[j] + (h - j)(x[j+1] - x[j]), h = (n - 1) p."""
    x = np.sort(values)
    h = (x.size - 1) * p
    j = math.floor(h)
    return float(x[j] + (h - j) * (x[min(j + 1, x.size - 1)] - x[j]))


def _dl_reference(phi: float, s: np.ndarray) -> float:
    """Spiegelhalter et al. (2012) / FunnelPlotR tau_func, written out."""
    w = 1 / s**2
    i = len(w)
    if i * phi < i - 1:
        return 0.0
    return max(0.0, (i * phi - (i - 1)) / (w.sum() - (w**2).sum() / w.sum()))


def test_cqc_phi_and_tau2_equal_a_direct_implementation() -> None:
    z = 2 * (np.sqrt(OBS) - np.sqrt(EXP))
    lo, hi = _type7(z, 0.1), _type7(z, 0.9)
    phi = float(np.mean(np.clip(z, lo, hi) ** 2))
    tau2 = _dl_reference(phi, 1 / (2 * np.sqrt(EXP)))
    res = funnel_cqc(OBS, EXP)
    assert phi > 1
    assert res.dispersion.phi == pytest.approx(phi, rel=1e-12)
    assert res.dispersion.tau2 == pytest.approx(tau2, rel=1e-12)
    assert res.dispersion.n_used == OBS.size
    assert res.dispersion.adjusted
    np.testing.assert_array_equal(res.table["trimmed"], (z < lo) | (z > hi))


def test_shmi_phi_and_tau2_use_only_the_areas_left_after_truncation() -> None:
    z = np.sqrt(EXP) * np.log(OBS / EXP)
    k = 10  # 1 / 0.10
    sp = np.floor(stats.rankdata(z) * k / (z.size + 1))
    keep = (sp > 0) & (sp < k - 1)
    phi = float(np.mean(z[keep] ** 2))
    tau2 = _dl_reference(phi, 1 / np.sqrt(EXP[keep]))
    res = funnel_shmi(OBS, EXP)
    assert res.dispersion.n_used == keep.sum() < OBS.size
    assert res.dispersion.phi == pytest.approx(phi, rel=1e-12)
    assert res.dispersion.tau2 == pytest.approx(tau2, rel=1e-12)
    np.testing.assert_array_equal(res.table["trimmed"], ~keep)


def test_tau2_is_zero_without_overdispersion() -> None:
    # Observed close to expected: every |z| < 1, so phi < 1 and tau2 must be 0.
    e = np.array([50.0, 80.0, 120.0, 200.0, 310.0, 400.0, 650.0, 900.0])
    o = np.round(e + 0.5 * np.sqrt(e) * np.array([1, -1, 0.5, -0.5, 0.2, -0.8, 0.9, 0]))
    res = funnel_cqc(o, e)
    assert res.dispersion.phi is not None and res.dispersion.phi < 1
    assert res.dispersion.tau2 == 0.0
    assert not res.dispersion.adjusted
    plain = funnel_ratio(o, e, scale="sqrt")  # no adjustment at all
    np.testing.assert_allclose(res.table["upper_95"], plain.table["upper_95"])


def test_multiplicative_limits_scale_by_sqrt_phi_only_when_phi_exceeds_one() -> None:
    res = funnel_ratio(OBS, EXP, scale="normal", overdispersion="multiplicative")
    phi = res.dispersion.phi
    assert phi is not None and phi > 1
    half = 1.959963984540054 * np.sqrt(phi) / np.sqrt(EXP)
    np.testing.assert_allclose(res.table["upper_95"], 1 + half)
    np.testing.assert_allclose(res.table["z_adjusted"], res.table["z"] / np.sqrt(phi))
    # Under-dispersed data (phi < 1): limits are not narrowed.
    e = np.array([100.0, 200.0, 300.0, 400.0, 500.0, 600.0])
    o = e + np.array([1, -1, 2, -2, 1, 0])
    under = funnel_ratio(o, e, scale="normal", overdispersion="multiplicative")
    assert under.dispersion.phi is not None and under.dispersion.phi < 1
    np.testing.assert_allclose(under.table["upper_95"], 1 + 1.959963984540054 / np.sqrt(e))


def test_multiplicative_proportion_limits_follow_spiegelhalter() -> None:
    # S05 section 5: p0 +/- z sqrt(phi p0 (1 - p0) / n).
    n = np.array([40, 80, 150, 300, 600, 900, 1500, 2500, 60, 220])
    x = np.array([2, 15, 12, 60, 45, 120, 120, 300, 10, 20])
    res = funnel_proportion(x, n, overdispersion="multiplicative")  # scale -> normal
    assert res.scale == "normal"
    p0, phi = res.target, res.dispersion.phi
    assert phi is not None and phi > 1
    upper = p0 + 3.090232306167813 * np.sqrt(phi * p0 * (1 - p0) / n)
    np.testing.assert_allclose(res.table["upper_99.8"], np.minimum(upper, 1))


@pytest.mark.parametrize("size", [100, 101, 250])
def test_winsorising_clamps_exactly_the_expected_share(size: int) -> None:
    rng = np.random.default_rng(7)
    e = rng.uniform(50, 500, size)
    o = rng.poisson(e)
    z = 2 * (np.sqrt(o) - np.sqrt(e))
    lo, hi = _type7(z, 0.1), _type7(z, 0.9)
    res = funnel_cqc(o, e, overdispersion="none")
    trimmed = res.table["trimmed"].to_numpy()
    # Values strictly beyond a type-7 quantile: ceil((size - 1) * 0.1) per tail.
    per_tail = math.ceil((size - 1) * 0.1 - 1e-12)
    assert (z < lo).sum() == per_tail and (z > hi).sum() == per_tail
    assert trimmed.sum() == 2 * per_tail
    phi = np.mean(np.clip(z, lo, hi) ** 2)
    assert res.dispersion.phi == pytest.approx(phi, rel=1e-12)


def test_truncation_drops_ten_percent_per_tail() -> None:
    rng = np.random.default_rng(8)
    e = rng.uniform(50, 500, 100)
    res = funnel_shmi(rng.poisson(e), e, overdispersion="none")
    assert res.dispersion.n_used == 80
    assert res.table["trimmed"].sum() == 20


def test_no_trimming_gives_the_plain_mean_of_z_squared() -> None:
    res = funnel_cqc(OBS, EXP, trim_fraction=0)
    z = 2 * (np.sqrt(OBS) - np.sqrt(EXP))
    assert res.dispersion.phi == pytest.approx(np.mean(z**2))
    assert not res.table["trimmed"].any()


def test_shmi_zero_counts() -> None:
    # One zero among many: z = -inf is truncated away and phi is finite.
    rng = np.random.default_rng(3)
    e = rng.uniform(5, 60, 40)
    o = rng.poisson(e)
    o[0] = 0
    res = funnel_shmi(o, e)
    assert res.dispersion.phi is not None and np.isfinite(res.dispersion.phi)
    assert res.table["z"].iloc[0] == -np.inf
    assert bool(res.table["trimmed"].iloc[0])
    # Too many zeros for 10% truncation: refused with advice, not an infinite phi.
    o[:10] = 0
    with pytest.raises(DetectError, match="z = -inf"):
        funnel_shmi(o, e)
    assert funnel_shmi(o, e, overdispersion="none").dispersion.phi is None
    assert funnel_cqc(o, e).dispersion.phi is not None  # sqrt(0) is fine


def test_too_few_areas_for_overdispersion() -> None:
    with pytest.raises(DetectError, match="too few areas"):
        funnel_cqc([3], [2.0])
