"""The binomial likelihood of counts known only to lie between two bounds.

A count suppressed below 10 says ``y <= 9``; a merged gemeente whose small part
was suppressed and whose other part counted 25 says ``25 <= y <= 34``. The
log-likelihood of ``a <= y <= c`` is ``log P(a <= y <= c | n, p)``, which in the
linear predictor ``eta = logit(p)`` is ``A(eta) - n log(1 + e^eta)`` with
``A(eta) = log sum_{a<=k<=c} C(n,k) e^{k eta}``: the log-partition function of
the binomial truncated to ``[a, c]``. Its derivatives are the truncated
distribution's cumulants, so the score, the observed information and the
information's slope of a censored cell are::

    score  = E[y | a <= y <= c] - n p
    weight = n p (1 - p) - Var(y | a <= y <= c)
    slope  = n p (1 - p) (1 - 2p) - kappa3(y | a <= y <= c)

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

__all__ = ["CellTerms", "Censoring", "cell_loglik", "cell_terms"]

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
    """Which cells are censored (``lower <= y <= bound``), with what their likelihood needs.

    ``index`` are positions in the cell arrays; ``bound`` the largest count each
    may have and ``lower`` the smallest (``0 <= lower <= bound < n``: a bound of
    ``n`` or more carries no information and must be left out by the caller);
    ``n`` their trials. ``lchoose`` holds ``log C(n, lower + j)`` for
    ``j = 0 .. max(bound - lower)``, minus infinity above a cell's bound: the grid
    spans only the width of the intervals, however large their counts.
    """

    index: np.ndarray
    bound: np.ndarray
    lower: np.ndarray
    n: np.ndarray
    lchoose: np.ndarray

    @classmethod
    def of(cls, bound: np.ndarray, n: np.ndarray, lower: np.ndarray | None = None) -> Censoring:
        """From per-cell bound arrays with NaN for observed cells (``lower`` default 0)."""
        bound = np.asarray(bound, dtype=float)
        index = np.flatnonzero(np.isfinite(bound))
        cut = bound[index].astype(int)
        low = np.zeros_like(cut) if lower is None else np.asarray(lower, float)[index]
        low = np.nan_to_num(low, nan=0.0).astype(int)
        trials = np.asarray(n, float)[index]
        width = cut - low
        j = np.arange(int(width.max(initial=0)) + 1)[None, :]
        k = (low[:, None] + j).astype(float)
        t = trials[:, None]
        with np.errstate(invalid="ignore"):
            lchoose = special.gammaln(t + 1) - special.gammaln(k + 1) - special.gammaln(t - k + 1)
        lchoose = np.where(j <= width[:, None], lchoose, -np.inf)
        return cls(index=index, bound=cut, lower=low, n=trials, lchoose=lchoose)

    @property
    def empty(self) -> bool:
        return self.index.size == 0

    def loglik(self, eta: np.ndarray) -> np.ndarray:
        """``log P(lower <= y <= bound)`` alone: the line searches need no moments."""
        return self._logpmf(eta)[1]

    def _logpmf(self, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unnormalised log-probabilities on the grid, and their log-sum."""
        j = np.arange(self.lchoose.shape[1], dtype=float)
        log_p = -np.logaddexp(0.0, -eta)[:, None]
        log_q = -np.logaddexp(0.0, eta)[:, None]
        # log C(n,k) + k log p + (n - k) log q, as n log q + k logit(p) (-inf above the bound)
        k = self.lower[:, None] + j[None, :]
        logpmf = self.lchoose + k * (log_p - log_q) + self.n[:, None] * log_q
        top = logpmf.max(axis=1, keepdims=True)
        return logpmf - top, top[:, 0] + np.log(np.exp(logpmf - top).sum(axis=1))

    def moments(self, eta: np.ndarray) -> tuple[np.ndarray, ...]:
        """``log P(lower <= y <= bound)``, and the truncated mean, variance and third moment."""
        j = np.arange(self.lchoose.shape[1], dtype=float)
        shifted, loglik = self._logpmf(eta)
        pmf = np.exp(shifted)
        pmf = pmf / pmf.sum(axis=1, keepdims=True)
        # Raw moments of the offset j from the lower bound (a grid of at most a few
        # dozen), then the central ones: no cancellation worth the name at that size.
        offset, raw2, raw3 = (pmf @ j**power for power in (1, 2, 3))
        var = np.maximum(raw2 - offset**2, 0.0)
        third = raw3 - 3 * offset * raw2 + 2 * offset**3
        return loglik, self.lower + offset, var, third


def cell_loglik(
    eta: np.ndarray,
    y: np.ndarray,
    n: np.ndarray,
    lchoose: np.ndarray,
    censoring: Censoring | None = None,
) -> np.ndarray:
    """The log-likelihood of every cell at ``eta``: :func:`cell_terms` without the rest."""
    loglik = lchoose + y * -np.logaddexp(0.0, -eta) + (n - y) * -np.logaddexp(0.0, eta)
    if censoring is not None and not censoring.empty:
        loglik[censoring.index] = censoring.loglik(eta[censoring.index])
    return loglik


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
