"""Small-area shrinkage: empirical Bayes relative risks with posterior probabilities.

Model (Clayton & Kaldor 1987, Biometrics 43:671): the observed count of area
*i* is ``O_i ~ Poisson(E_i θ_i)`` with relative risk ``θ_i ~ Gamma(shape=α,
rate=α/m)`` (mean ``m``, variance ``m²/α``). Marginally ``O_i`` is negative
binomial (NB2 with mean ``m E_i`` and dispersion ``1/α``), whose likelihood
gives ``m`` and ``α`` by maximum likelihood. The posterior of ``θ_i`` is
``Gamma(α + O_i, α/m + E_i)``: a small area's ratio is pulled towards ``m``,
a large area's hardly moves. We report the posterior mean, an equal-tailed
credible interval and the posterior probabilities ``P(θ_i < 1)`` and
``P(θ_i > 1)`` — "how sure are we that this area is below expectation".

When the data show no extra variation (``α → ∞``), every area is shrunk all
the way to ``m``; the result says so in ``heterogeneity``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from bluezones.errors import DetectError

__all__ = ["ShrinkageResult", "poisson_gamma"]

# Above this shape the gamma prior is a spike: no heterogeneity left to estimate.
MAX_SHAPE = 1e8
MIN_SHAPE = 1e-3


@dataclass(frozen=True)
class ShrinkageResult:
    table: pd.DataFrame
    mean: float  # m: the prior mean relative risk
    shape: float  # α: the prior shape; the prior SD of θ is m / sqrt(α)

    @property
    def heterogeneity(self) -> float:
        """Prior standard deviation of the relative risks (0: none beyond chance)."""
        return self.mean / np.sqrt(self.shape)


def poisson_gamma(
    observed: np.ndarray | pd.Series,
    expected: np.ndarray | pd.Series,
    *,
    labels: pd.Index | None = None,
    level: float = 0.95,
    fix_mean: bool = False,
) -> ShrinkageResult:
    """Empirical Bayes relative risks of areas given observed and expected counts.

    Parameters
    ----------
    observed, expected
        Counts per area; ``expected`` > 0.
    labels
        Area labels for the result's index and error messages.
    level
        Level of the credible interval.
    fix_mean
        Fix the prior mean at 1 (the expected counts already sum to the
        observed, as indirect standardisation ensures) instead of estimating it.

    Examples
    --------
    >>> r = poisson_gamma([3, 40, 400], [10.0, 40.0, 300.0])
    >>> bool(r.table["posterior_mean"].iloc[0] > 3 / 10)  # the small area is pulled up
    True
    """
    o = np.asarray(observed, dtype=float)
    e = np.asarray(expected, dtype=float)
    labels = pd.RangeIndex(len(o)) if labels is None else pd.Index(labels)
    _check(o, e, labels)
    m, alpha = _fit(o, e, fix_mean)
    shape, rate = alpha + o, alpha / m + e
    post = stats.gamma(shape, scale=1 / rate)
    tail = (1 - level) / 2
    table = pd.DataFrame(
        {
            "observed": o,
            "expected": e,
            "ratio": o / e,
            "posterior_mean": shape / rate,
            "posterior_low": post.ppf(tail),
            "posterior_high": post.ppf(1 - tail),
            "p_below": post.cdf(1.0),
            "p_above": post.sf(1.0),
        },
        index=labels,
    )
    return ShrinkageResult(table, m, alpha)


def _check(o: np.ndarray, e: np.ndarray, labels: pd.Index) -> None:
    for name, values in (("observed", o), ("expected", e)):
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            raise DetectError(
                f"The {name} count of area {labels[int(np.argmax(bad))]} is {values[bad][0]}.",
                hint="Counts must be finite and not negative; leave suppressed areas out.",
            )
    if (e == 0).any():
        raise DetectError(
            f"Area {labels[int(np.argmax(e == 0))]} has an expected count of 0.",
            hint="An area without young people at risk cannot be judged; leave it out.",
        )


def _fit(o: np.ndarray, e: np.ndarray, fix_mean: bool) -> tuple[float, float]:
    """Maximum-likelihood prior mean and shape from the negative-binomial marginal."""
    m0 = o.sum() / e.sum()
    # Method-of-moments start: var(O/E) beyond Poisson, over m0².
    extra = np.average((o / e - m0) ** 2, weights=e) - m0 / e.mean()
    a0 = np.clip(m0**2 / extra, 0.1, 1e6) if extra > 0 else 1e6

    if fix_mean:
        # One parameter: a bounded search on log(alpha) is exact and fast.
        res1 = optimize.minimize_scalar(
            lambda log_a: -_nb_loglik(o, e, 1.0, np.exp(log_a)),
            bounds=(np.log(MIN_SHAPE), np.log(MAX_SHAPE)),
            method="bounded",
            options={"xatol": 1e-10},
        )
        return 1.0, min(float(np.exp(res1.x)), MAX_SHAPE)

    def nll(params: np.ndarray) -> float:
        return -_nb_loglik(o, e, np.exp(params[1]), np.exp(params[0]))

    options = {"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000}
    res = optimize.minimize(
        nll, np.array([np.log(a0), np.log(m0)]), method="Nelder-Mead", options=options
    )
    return float(np.exp(res.x[1])), min(float(np.exp(res.x[0])), MAX_SHAPE)


def _nb_loglik(o: np.ndarray, e: np.ndarray, m: float, alpha: float) -> float:
    """Log-likelihood of O_i ~ NB(mean m E_i, shape alpha)."""
    mu = m * e
    return float(
        (
            special.gammaln(o + alpha)
            - special.gammaln(alpha)
            - special.gammaln(o + 1)
            + alpha * np.log(alpha / (alpha + mu))
            + special.xlogy(o, mu / (alpha + mu))
        ).sum()
    )
