"""The censored binomial likelihood inside the GLMM kernel, against independent computations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, special, stats

from bluezones.errors import ModelError
from bluezones.model._censoring import Censoring, cell_terms
from bluezones.model._glmm import _Laplace, fit_glmm
from bluezones.model._irls import fit_irls

BELOW = 10


def _data(seed: int = 4, areas: int = 40, years: int = 5) -> dict[str, np.ndarray]:
    """Small areas, so that many counts fall below 10 and are suppressed."""
    rng = np.random.default_rng(seed)
    area = np.repeat(np.arange(areas), years)
    x = rng.normal(size=areas * years)
    n = rng.integers(40, 400, size=areas * years).astype(float)
    b = rng.normal(0.0, 0.3, size=areas)[area]
    y = rng.binomial(n.astype(int), special.expit(-2.6 + 0.4 * x + b)).astype(float)
    bound = np.where(y < BELOW, BELOW - 1.0, np.nan)
    return {
        "y": np.where(np.isnan(bound), y, BELOW - 1.0),
        "n": n,
        "x": x,
        "area": area,
        "bound": bound,
    }


def _censored_loglik(eta: np.ndarray, y: np.ndarray, n: np.ndarray, bound: np.ndarray) -> float:
    """Independent: scipy's binomial pmf and cdf."""
    p = special.expit(eta)
    cut = np.isfinite(bound)
    observed = stats.binom.logpmf(y[~cut], n[~cut], p[~cut]).sum()
    censored = stats.binom.logcdf(bound[cut], n[cut], p[cut]).sum()
    return float(observed + censored)


def test_cell_terms_are_the_derivatives_of_the_censored_loglik() -> None:
    d = _data()
    eta = -2.6 + 0.4 * d["x"]
    lchoose = special.gammaln(d["n"] + 1) - special.gammaln(d["y"] + 1)
    lchoose -= special.gammaln(d["n"] - d["y"] + 1)
    cut = Censoring.of(d["bound"], d["n"])
    assert 0.2 < cut.index.size / d["y"].size < 0.8
    terms = cell_terms(eta, d["y"], d["n"], lchoose, cut)
    assert terms.loglik.sum() == pytest.approx(_censored_loglik(eta, d["y"], d["n"], d["bound"]))
    h = 1e-5
    up = cell_terms(eta + h, d["y"], d["n"], lchoose, cut)
    down = cell_terms(eta - h, d["y"], d["n"], lchoose, cut)
    np.testing.assert_allclose(terms.score, (up.loglik - down.loglik) / (2 * h), atol=1e-5)
    np.testing.assert_allclose(terms.weight, -(up.score - down.score) / (2 * h), atol=1e-5)
    np.testing.assert_allclose(terms.slope, (up.weight - down.weight) / (2 * h), atol=1e-5)
    # Censoring loses information: a censored cell's weight is below the observed one's.
    full = d["n"] * special.expit(eta) * (1 - special.expit(eta))
    assert np.all(terms.weight[cut.index] < full[cut.index])
    assert np.all(terms.weight > 0)


def test_kernel_gradient_with_censored_cells_equals_finite_differences() -> None:
    d = _data()
    X = np.column_stack([np.ones_like(d["x"]), d["x"]])
    lap = _Laplace(
        d["y"],
        d["n"],
        X,
        np.zeros_like(d["x"]),
        [d["area"]],
        [40],
        Censoring.of(d["bound"], d["n"]),
    )
    params = np.array([0.25, -2.5, 0.35])
    _, grad = lap.value_and_gradient(params)
    h = 1e-6
    numeric = []
    for j in range(params.size):
        step = np.zeros_like(params)
        step[j] = h
        numeric.append(
            (lap.value_and_gradient(params + step)[0] - lap.value_and_gradient(params - step)[0])
            / (2 * h)
        )
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-5)


def _independent_laplace(params: np.ndarray, d: dict[str, np.ndarray]) -> float:
    """-2 log of the Laplace-approximated marginal likelihood, area by area, with scipy."""
    sigma, b0, b1 = params
    total = 0.0
    for a in np.unique(d["area"]):
        rows = d["area"] == a
        eta0 = b0 + b1 * d["x"][rows]

        def loglik(b: float, eta0=eta0, rows=rows) -> float:
            return _censored_loglik(eta0 + b, d["y"][rows], d["n"][rows], d["bound"][rows])

        def penalised(b: float, loglik=loglik) -> float:
            return -loglik(b) + 0.5 * b * b / sigma**2

        mode = optimize.minimize_scalar(
            penalised, bounds=(-3, 3), method="bounded", options={"xatol": 1e-10}
        ).x
        h = 1e-4
        info = -(loglik(mode + h) - 2 * loglik(mode) + loglik(mode - h)) / h**2
        total += 2 * penalised(mode) + np.log(1 + sigma**2 * info)
    return total


def test_censored_glmm_maximises_the_independent_laplace_likelihood() -> None:
    d = _data()
    X = np.column_stack([np.ones_like(d["x"]), d["x"]])
    fit = fit_glmm(d["y"], d["n"], X, {"area": d["area"]}, censored=d["bound"])
    ours = np.array([fit.theta[0], *fit.beta])
    assert _independent_laplace(ours, d) == pytest.approx(fit.laplace_deviance, abs=1e-4)
    # No nearby parameters fit better by the independent computation.
    best = optimize.minimize(
        lambda v: _independent_laplace(v, d),
        ours,
        method="Nelder-Mead",
        options={"xatol": 1e-5, "fatol": 1e-7},
    )
    np.testing.assert_allclose(best.x, ours, atol=2e-3)
    assert best.fun >= fit.laplace_deviance - 1e-4


def test_censoring_removes_the_bias_of_dropping_suppressed_counts() -> None:
    """Over 30 replicates the censored fit finds the true intercept; dropping does not."""
    estimates = {"censored": [], "dropped": []}
    for seed in range(30):
        d = _data(seed=seed, areas=60, years=4)
        X = np.column_stack([np.ones_like(d["x"]), d["x"]])
        g = {"area": d["area"]}
        estimates["censored"].append(fit_glmm(d["y"], d["n"], X, g, censored=d["bound"]).beta[0])
        keep = np.isnan(d["bound"])
        dropped = fit_glmm(d["y"][keep], d["n"][keep], X[keep], {"area": d["area"][keep]})
        estimates["dropped"].append(dropped.beta[0])
    censored, dropped = (np.array(estimates[k]) for k in ("censored", "dropped"))
    se = censored.std(ddof=1) / np.sqrt(censored.size)
    assert abs(censored.mean() - (-2.6)) < 3 * se
    assert dropped.mean() - (-2.6) > 5 * se  # dropping keeps the lucky high years


def test_censoring_bounds_are_checked() -> None:
    d = _data()
    X = np.column_stack([np.ones_like(d["x"]), d["x"]])
    bad = d["bound"].copy()
    bad[0] = d["n"][0]
    with pytest.raises(ModelError, match="cell 0: censoring bound"):
        fit_glmm(d["y"], d["n"], X, {"area": d["area"]}, censored=bad)
    with pytest.raises(ModelError, match="one bound per cell"):
        fit_glmm(d["y"], d["n"], X, {"area": d["area"]}, censored=d["bound"][:-1])


def test_irls_with_censored_cells_maximises_the_censored_likelihood() -> None:
    d = _data()
    X = np.column_stack([np.ones_like(d["x"]), d["x"]])
    cut = Censoring.of(d["bound"], d["n"])
    result = fit_irls(X, d["y"], d["n"], "binomial", censoring=cut)
    assert result.converged

    def negative(beta: np.ndarray) -> float:
        return -_censored_loglik(X @ beta, d["y"], d["n"], d["bound"])

    best = optimize.minimize(
        negative,
        np.array([-2.0, 0.0]),
        method="Nelder-Mead",
        options={"xatol": 1e-9, "fatol": 1e-11},
    )
    np.testing.assert_allclose(result.beta, best.x, atol=1e-5)
    # The covariance is the inverse observed information: scipy's Hessian of the same.
    h = 1e-4
    hess = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            e_i, e_j = np.eye(2)[i] * h, np.eye(2)[j] * h
            hess[i, j] = (
                negative(result.beta + e_i + e_j)
                - negative(result.beta + e_i - e_j)
                - negative(result.beta - e_i + e_j)
                + negative(result.beta - e_i - e_j)
            ) / (4 * h * h)
    np.testing.assert_allclose(result.xtwx_inv, np.linalg.inv(hess), rtol=1e-4)


def _merged(seed: int = 6, areas: int = 300) -> dict[str, np.ndarray]:
    """Merged areas: a suppressed small part beside an observed large one."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=areas)
    small = rng.integers(50, 400, areas).astype(float)
    large = rng.integers(400, 3000, areas).astype(float)
    p = special.expit(-3.5 + 0.4 * x)
    y_small = rng.binomial(small.astype(int), p)
    y_large = rng.binomial(large.astype(int), p)
    hidden = y_small < BELOW
    y = (y_small + y_large).astype(float)
    return {
        "x": x,
        "n": small + large,
        "y": y,
        "lower": np.where(hidden, y_large, np.nan),
        "upper": np.where(hidden, y_large + BELOW - 1.0, np.nan),
    }


def test_interval_terms_are_the_derivatives_of_the_interval_loglik() -> None:
    d = _merged()
    eta = -3.5 + 0.4 * d["x"]
    cut = Censoring.of(d["upper"], d["n"], d["lower"])
    assert cut.lchoose.shape[1] == BELOW  # the grid spans the width, not the counts
    terms = cell_terms(eta, d["y"], d["n"], np.zeros_like(eta), cut)
    i = cut.index
    p = special.expit(eta[i])
    expected = np.log(
        stats.binom.cdf(d["upper"][i], d["n"][i], p)
        - stats.binom.cdf(d["lower"][i] - 1, d["n"][i], p)
    )
    np.testing.assert_allclose(terms.loglik[i], expected, rtol=1e-9)
    h = 1e-5
    up = cell_terms(eta + h, d["y"], d["n"], np.zeros_like(eta), cut)
    down = cell_terms(eta - h, d["y"], d["n"], np.zeros_like(eta), cut)
    np.testing.assert_allclose(terms.score[i], ((up.loglik - down.loglik) / (2 * h))[i], atol=1e-5)
    np.testing.assert_allclose(terms.weight[i], (-(up.score - down.score) / (2 * h))[i], atol=1e-5)


def test_merged_areas_read_as_fewer_than_ten_are_biased_low_and_intervals_are_not() -> None:
    """A suppressed small part of a merged area: its interval keeps the large part's count."""
    d = _merged()
    X = np.column_stack([np.ones_like(d["x"]), d["x"]])
    full = fit_irls(X, d["y"], d["n"], "binomial")
    interval = fit_irls(
        X, d["y"], d["n"], "binomial", censoring=Censoring.of(d["upper"], d["n"], d["lower"])
    )
    as_small = fit_irls(
        X,
        d["y"],
        d["n"],
        "binomial",
        censoring=Censoring.of(np.where(np.isnan(d["upper"]), np.nan, 9.0), d["n"]),
    )
    se = float(np.sqrt(full.xtwx_inv[0, 0]))
    assert abs(interval.beta[0] - full.beta[0]) < 0.5 * se
    assert full.beta[0] - as_small.beta[0] > 10 * se


def test_the_loglik_alone_equals_the_one_with_the_moments() -> None:
    d = _merged()
    cut = Censoring.of(d["upper"], d["n"], d["lower"])
    eta = (-3.5 + 0.4 * d["x"])[cut.index]
    np.testing.assert_array_equal(cut.loglik(eta), cut.moments(eta)[0])


def test_expected_sums_to_what_the_cells_hold_with_censored_ones_at_their_expectation() -> None:
    """The score equation of the intercept: observed counts plus, for censored cells,
    their expectation given the interval, sum to the fitted expected counts."""
    d = _merged()
    X = np.column_stack([np.ones_like(d["x"]), d["x"]])
    cut = Censoring.of(d["upper"], d["n"], d["lower"])
    fit = fit_irls(X, d["y"], d["n"], "binomial", censoring=cut)
    held = d["y"].copy()
    held[cut.index] = cut.moments(special.logit(fit.mu[cut.index] / d["n"][cut.index]))[1]
    assert held.sum() == pytest.approx(fit.mu.sum(), rel=1e-9)
    assert (held * d["x"]).sum() == pytest.approx((fit.mu * d["x"]).sum(), rel=1e-7)
