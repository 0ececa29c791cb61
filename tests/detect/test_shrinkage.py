"""Empirical Bayes shrinkage (Poisson-gamma) against statsmodels and its own theory."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from bluezones.detect.shrinkage import poisson_gamma
from bluezones.errors import DetectError


def simulate(seed: int, areas: int = 300, shape: float = 8.0, mean: float = 1.1):
    rng = np.random.default_rng(seed)
    e = rng.lognormal(3, 1, areas)
    theta = rng.gamma(shape, mean / shape, areas)
    return rng.poisson(e * theta).astype(float), e, theta


def test_prior_equals_statsmodels_negative_binomial() -> None:
    o, e, _ = simulate(1)
    ours = poisson_gamma(o, e)
    ref = sm.NegativeBinomial(o, np.ones((len(o), 1)), exposure=e).fit(
        disp=0, method="newton", maxiter=200, tol=1e-12
    )
    assert ours.mean == pytest.approx(np.exp(ref.params[0]), rel=1e-6)
    assert 1 / ours.shape == pytest.approx(ref.params[1], rel=1e-5)


def test_posterior_is_the_conjugate_gamma() -> None:
    o, e, _ = simulate(2, areas=50)
    r = poisson_gamma(o, e)
    a, b = r.shape + o, r.shape / r.mean + e
    np.testing.assert_allclose(r.table["posterior_mean"], a / b, rtol=1e-12)
    from scipy import stats

    np.testing.assert_allclose(r.table["p_below"], stats.gamma.cdf(1, a, scale=1 / b), rtol=1e-12)
    np.testing.assert_allclose(r.table["p_below"] + r.table["p_above"], 1, rtol=1e-12)


def test_small_areas_are_shrunk_more() -> None:
    r = poisson_gamma([2.0, 200.0, 100.0, 120.0, 90.0], [10.0, 1000.0, 100.0, 100.0, 100.0])
    t = r.table
    # Both areas have O/E = 0.2; the small one moves much further towards the mean.
    assert t["ratio"][0] == t["ratio"][1] == 0.2
    assert t["posterior_mean"][0] - 0.2 > 5 * (t["posterior_mean"][1] - 0.2)


def test_credible_intervals_cover_the_truth() -> None:
    """Under the model, 95% intervals hold the true relative risk about 95% of the time."""
    hits = total = 0
    for seed in range(20):
        o, e, theta = simulate(100 + seed)
        t = poisson_gamma(o, e).table
        hits += int(((t["posterior_low"] <= theta) & (theta <= t["posterior_high"])).sum())
        total += len(theta)
    assert 0.93 < hits / total < 0.97


def test_no_extra_variation_shrinks_to_the_mean() -> None:
    rng = np.random.default_rng(4)
    e = rng.lognormal(3, 1, 400)
    o = rng.poisson(e).astype(float)
    r = poisson_gamma(o, e)
    assert r.heterogeneity < 0.05
    assert r.table["posterior_mean"].std() < 0.05


def test_fixed_mean() -> None:
    o, e, _ = simulate(5, mean=1.0)
    assert poisson_gamma(o, e, fix_mean=True).mean == 1.0


@pytest.mark.parametrize(
    ("o", "e", "message"),
    [([1.0, -1.0], [1.0, 1.0], "observed count of area b"), ([1.0, 2.0], [1.0, 0.0], "(?i)area b")],
)
def test_bad_counts_name_the_area(o, e, message) -> None:
    with pytest.raises(DetectError, match=message):
        poisson_gamma(o, e, labels=["a", "b"])


def test_fixed_mean_shape_maximises_the_likelihood() -> None:
    """With the mean fixed at 1 the shape is the 1-D maximum of the NB likelihood."""
    from scipy import special

    o, e, _ = simulate(6, mean=1.0)
    alpha = poisson_gamma(o, e, fix_mean=True).shape

    def loglik(a: float) -> float:
        return float(
            (
                special.gammaln(o + a)
                - special.gammaln(a)
                + a * np.log(a / (a + e))
                + special.xlogy(o, e / (a + e))
            ).sum()
        )

    for factor in (0.98, 1.02):
        assert loglik(alpha) > loglik(alpha * factor)
