"""The binomial likelihood of counts known only to lie at or below a bound.

A count suppressed below 10 says ``y <= 9``. Its log-likelihood is
``log P(y <= c | n, p)``, which in the linear predictor ``eta = logit(p)`` is
``A_c(eta) - n log(1 + e^eta)`` with ``A_c(eta) = log sum_{k<=c} C(n,k) e^{k eta}``:
the log-partition function of the binomial truncated at ``c``. Its derivatives
are the truncated distribution's cumulants, so the score, the observed
information and the information's slope of a censored cell are::

    score  = E[y | y <= c] - n p
    weight = n p (1 - p) - Var(y | y <= c)
    slope  = n p (1 - p) (1 - 2p) - kappa3(y | y <= c)

(``kappa3`` the third central moment). For an observed count the same three are
``y - n p``, ``n p (1 - p)`` and ``n p (1 - p)(1 - 2p)``. The fitting kernels use
these in place of the observed count's, so a suppressed cell enters with the
information it has: the binomial distribution is log-concave, truncation
shrinks its variance, and the weight stays positive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

__all__ = ["CellTerms", "Censoring", "cell_terms"]

# Smallest weight of a censored cell, relative to that of an observed count.
WEIGHT_FLOOR = 1e-10


@dataclass(frozen=True)
class CellTerms:
    """Per cell: log-likelihood, score, weight (observed information) and its slope in eta."""

    loglik: np.ndarray
    score: np.ndarray
    weight: np.ndarray
    slope: np.ndarray


@dataclass(frozen=True)
class Censoring:
    """Which cells are censored (``y <= bound``), with the constants their likelihood needs.

    ``index`` are positions in the cell arrays; ``bound`` the largest count each
    may have (``0 <= bound < n``: a bound of ``n`` or more carries no information
    and must be left out by the caller); ``n`` their trials. ``lchoose`` holds
    ``log C(n, k)`` for ``k = 0 .. max(bound)``, minus infinity above a cell's bound.
    """

    index: np.ndarray
    bound: np.ndarray
    n: np.ndarray
    lchoose: np.ndarray

    @classmethod
    def of(cls, bound: np.ndarray, n: np.ndarray) -> Censoring:
        """From a per-cell bound array with NaN for observed cells."""
        bound = np.asarray(bound, dtype=float)
        index = np.flatnonzero(np.isfinite(bound))
        cut = bound[index].astype(int)
        trials = np.asarray(n, float)[index]
        k = np.arange(int(cut.max(initial=0)) + 1, dtype=float)[None, :]
        t = trials[:, None]
        with np.errstate(invalid="ignore"):
            lchoose = special.gammaln(t + 1) - special.gammaln(k + 1) - special.gammaln(t - k + 1)
        lchoose = np.where(k <= cut[:, None], lchoose, -np.inf)
        return cls(index=index, bound=cut, n=trials, lchoose=lchoose)

    @property
    def empty(self) -> bool:
        return self.index.size == 0

    def moments(self, eta: np.ndarray) -> tuple[np.ndarray, ...]:
        """``log P(y <= c)``, and the truncated mean, variance and third central moment."""
        k = np.arange(self.lchoose.shape[1], dtype=float)
        log_p = -np.logaddexp(0.0, -eta)[:, None]
        log_q = -np.logaddexp(0.0, eta)[:, None]
        # log C(n,k) + k log p + (n - k) log q, as n log q + k logit(p) (-inf above the bound)
        logpmf = self.lchoose + k[None, :] * (log_p - log_q) + self.n[:, None] * log_q
        top = logpmf.max(axis=1, keepdims=True)
        pmf = np.exp(logpmf - top)
        total = pmf.sum(axis=1)
        loglik = top[:, 0] + np.log(total)
        pmf = pmf / total[:, None]
        mean = pmf @ k
        centred = k[None, :] - mean[:, None]
        var = np.sum(pmf * centred**2, axis=1)
        third = np.sum(pmf * centred**3, axis=1)
        return loglik, mean, var, third


def cell_terms(
    eta: np.ndarray,
    y: np.ndarray,
    n: np.ndarray,
    lchoose: np.ndarray,
    censoring: Censoring | None = None,
) -> CellTerms:
    """Log-likelihood, score, weight and slope of binomial cells at ``eta`` (see above).

    ``lchoose`` is ``log C(n, y)`` of the observed cells (ignored where censored).

    Twelve in care of 100 observed, and "fewer than 10" where 11.9 are expected:

    >>> eta = np.array([-2.0, -2.0])
    >>> cut = Censoring.of(np.array([np.nan, 9.0]), np.array([100.0, 100.0]))
    >>> t = cell_terms(eta, np.array([12.0, 9.0]), np.array([100.0, 100.0]), np.zeros(2), cut)
    >>> [round(float(v), 3) for v in t.score], [round(float(v), 3) for v in t.weight]
    ([0.08, -4.147], [10.499, 8.738])
    """
    log_p = -np.logaddexp(0.0, -eta)
    log_q = -np.logaddexp(0.0, eta)
    p = np.exp(log_p)
    weight = n * p * (1.0 - p)
    loglik = lchoose + y * log_p + (n - y) * log_q
    score = y - n * p
    slope = weight * (1.0 - 2.0 * p)
    if censoring is not None and not censoring.empty:
        i = censoring.index
        loglik = loglik.copy()
        c_loglik, mean, var, third = censoring.moments(eta[i])
        loglik[i] = c_loglik
        score = score.copy()
        score[i] = mean - n[i] * p[i]
        slope = slope.copy()
        slope[i] = slope[i] - third
        weight = weight.copy()
        # Where the bound is far above the expected count, "at most c" says almost
        # nothing and the difference cancels to rounding: keep it a sliver positive.
        weight[i] = np.maximum(weight[i] - var, WEIGHT_FLOOR * weight[i] + np.finfo(float).tiny)
    return CellTerms(loglik=loglik, score=score, weight=weight, slope=slope)
