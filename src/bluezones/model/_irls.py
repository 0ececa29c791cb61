"""Iteratively reweighted least squares for binomial (logit) and Poisson (log) GLMs.

The private kernel behind :func:`bluezones.model.glm.fit_glm`. It works on
arrays and knows nothing of areas or years. Each step solves the weighted
least-squares problem by a QR decomposition of ``sqrt(W) X`` (stable where
``X'WX`` is ill-conditioned); iteration stops when the deviance changes by less
than ``TOLERANCE`` relative, which puts coefficients within about 1e-10 of the
optimum (statsmodels' default stops at 1e-8).

Binomial cells may be censored (a count known only to lie between two bounds,
:mod:`bluezones.model._censoring`): they enter with the score and observed
information of ``P(lower <= y <= bound)``, so each step is a Newton step on the
censored likelihood, and the deviance counts ``-2 log P(lower <= y <= bound)``
for them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from bluezones.model._censoring import Censoring, cell_terms

__all__ = ["IRLSResult", "deviance", "fit_irls", "loglik", "variance"]

TOLERANCE = 1e-13
MAX_ITERATIONS = 100
STEP_HALVINGS = 30
# A fitted probability this close to 0 or 1 in a cell at its bound signals separation.
SEPARATION_EPS = 1e-8


@dataclass(frozen=True)
class IRLSResult:
    beta: np.ndarray
    xtwx_inv: np.ndarray  # (X'WX)^-1 at the optimum: the unscaled covariance
    mu: np.ndarray  # fitted counts
    deviance: float
    iterations: int
    converged: bool
    separated: np.ndarray  # cells whose fitted probability hit 0 or 1


def fit_irls(
    X: np.ndarray,
    y: np.ndarray,
    n: np.ndarray,
    family: str,
    offset: np.ndarray | None = None,
    censoring: Censoring | None = None,
) -> IRLSResult:
    """Fit ``y ~ family(n, g^-1(X beta + offset))`` by IRLS.

    For ``binomial`` ``y`` counts successes out of ``n`` with a logit link; for
    ``poisson`` ``n`` is the exposure and enters as ``log(n)`` in the offset.
    ``censoring`` (binomial only) marks the cells known only within bounds.
    """
    if censoring is not None and censoring.empty:
        censoring = None
    offset = np.zeros(len(y)) if offset is None else offset
    if family == "poisson":
        offset = offset + np.log(n)
    eta = _start(y, n, family)
    dev_old = np.inf
    beta = np.zeros(X.shape[1])
    converged = False
    it = 0
    for it in range(1, MAX_ITERATIONS + 1):
        mu, w, z = _working(eta, y, n, offset, family, censoring)
        previous, beta = beta, _wls(X, w, z)
        eta = X @ beta + offset
        dev = deviance(y, _mean(eta, n, family), n, family, censoring)
        for _ in range(STEP_HALVINGS if it > 1 else 0):
            # A step that worsens the fit overshot (far from the optimum): halve it.
            if np.isfinite(dev) and dev <= dev_old * (1 + TOLERANCE):
                break
            beta = (beta + previous) / 2
            eta = X @ beta + offset
            dev = deviance(y, _mean(eta, n, family), n, family, censoring)
        if abs(dev - dev_old) <= TOLERANCE * (abs(dev) + 0.1):
            converged = True
            break
        dev_old = dev
    mu, w, _ = _working(eta, y, n, offset, family, censoring)
    sqrt_w_x = X * np.sqrt(w)[:, None]
    xtwx_inv = np.linalg.pinv(sqrt_w_x.T @ sqrt_w_x)
    p = mu / n if family == "binomial" else np.full(len(y), 0.5)
    at_bound = ((y == 0) & (p < SEPARATION_EPS)) | ((y == n) & (p > 1 - SEPARATION_EPS))
    if censoring is not None:
        at_bound[censoring.index] = False  # a count known only within bounds is no separation
    return IRLSResult(beta, xtwx_inv, mu, float(dev), it, converged, at_bound)


def _start(y: np.ndarray, n: np.ndarray, family: str) -> np.ndarray:
    if family == "binomial":
        p = (y + 0.5) / (n + 1.0)
        return special.logit(p)
    return np.log((y + 0.5) / n) + np.log(n)


def _mean(eta: np.ndarray, n: np.ndarray, family: str) -> np.ndarray:
    if family == "binomial":
        return n * special.expit(eta)
    return np.exp(eta)


def _working(
    eta: np.ndarray,
    y: np.ndarray,
    n: np.ndarray,
    offset: np.ndarray,
    family: str,
    censoring: Censoring | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fitted mean, IRLS weights and working response (without the offset)."""
    mu = _mean(eta, n, family)
    if censoring is not None:
        terms = cell_terms(eta, y, n, np.zeros_like(y), censoring)
        w = np.maximum(terms.weight, np.finfo(float).tiny)
        return mu, w, eta - offset + terms.score / w
    if family == "binomial":
        p = mu / n
        w = np.maximum(n * p * (1 - p), np.finfo(float).tiny)
    else:
        w = np.maximum(mu, np.finfo(float).tiny)
    z = eta - offset + (y - mu) / w
    return mu, w, z


def _wls(X: np.ndarray, w: np.ndarray, z: np.ndarray) -> np.ndarray:
    sw = np.sqrt(w)
    q, r = np.linalg.qr(X * sw[:, None])
    return np.linalg.solve(r, q.T @ (z * sw))


def variance(mu: np.ndarray, n: np.ndarray, family: str) -> np.ndarray:
    """Variance function of each cell's count under the family."""
    if family == "binomial":
        return mu * (1 - mu / n)
    return mu


def deviance(
    y: np.ndarray,
    mu: np.ndarray,
    n: np.ndarray,
    family: str,
    censoring: Censoring | None = None,
) -> float:
    """Residual deviance, with 0·log 0 = 0; a censored cell adds ``-2 log P(its interval)``."""
    term = special.xlogy(y, y) - special.xlogy(y, mu)
    if family == "binomial":
        term += special.xlogy(n - y, n - y) - special.xlogy(n - y, n - mu)
    else:
        term -= y - mu
    if censoring is not None:
        i = censoring.index
        term[i] = -censoring.loglik(special.logit(mu[i] / n[i]))
    return float(2 * term.sum())


def loglik(
    y: np.ndarray,
    mu: np.ndarray,
    n: np.ndarray,
    family: str,
    censoring: Censoring | None = None,
) -> float:
    """Full log-likelihood, including the binomial coefficients / factorials."""
    if family == "binomial":
        p = mu / n
        comb = special.gammaln(n + 1) - special.gammaln(y + 1) - special.gammaln(n - y + 1)
        cell = comb + special.xlogy(y, p) + special.xlog1py(n - y, -p)
        if censoring is not None:
            i = censoring.index
            cell[i] = censoring.loglik(special.logit(p[i]))
        return float(cell.sum())
    return float((special.xlogy(y, mu) - mu - special.gammaln(y + 1)).sum())
