# ruff: noqa: N806 -- matrix names (X, Z, A, R) follow Bates et al. (2015)
"""Linear mixed model with random intercepts, fitted by REML as ``lme4::lmer``.

The private kernel behind SCP's kind of model: a share (in %) per wijk with
random intercepts for gemeente and jeugdzorgregio::

    y_i = x_i' beta + sum_k b_{k, g_k(i)} + e_i,
    b_{k, j} ~ N(0, sigma_k^2),  e_i ~ N(0, sigma^2)

Following Bates et al. (2015, JSS 67(1), section 3) the random effects are
``b = Lambda u`` with ``Lambda = diag(theta_k)`` per term and
``theta_k = sigma_k / sigma``. For given ``theta`` the penalised least-squares
problem ``min ||y - X beta - Z Lambda u||^2 + ||u||^2`` is solved by a blocked
Cholesky decomposition, and the profiled REML criterion::

    d(theta) = log|L_Z|^2 + log|R_X|^2 + (n - p) (1 + log(2 pi r^2 / (n - p)))

is minimised over ``theta >= 0``. It exists because statsmodels (which also
fits such models) is only a development dependency, and because SCP's model
needs nested or crossed terms, which lme4's formulation handles uniformly.
The random-effects dimension here is a few hundred, so dense algebra is fine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.linalg as sla
import scipy.optimize as so
import scipy.sparse as sp

from bluezones.errors import ModelError

__all__ = ["LMMResult", "fit_lmm"]

# Start of every theta_k = sigma_k / sigma (lme4 starts at 1 too).
THETA_START = 1.0
OPTIMIZER_GTOL = 1e-9
OPTIMIZER_FTOL = 1e-15
OPTIMIZER_MAX_ITERATIONS = 500


@dataclass(frozen=True)
class LMMResult:
    """A fitted linear random-intercept model.

    Attributes
    ----------
    beta, vcov
        Fixed effects and their covariance (``sigma^2 (R_X' R_X)^-1``).
    sigma
        Residual standard deviation.
    sd
        Random-intercept standard deviation per term.
    ranef, levels
        Per term: the BLUPs (conditional modes) per level and the level labels.
    reml
        The REML criterion at the optimum (lme4's ``REMLcrit()``).
    """

    beta: np.ndarray
    vcov: np.ndarray
    sigma: float
    sd: dict[str, float]
    ranef: dict[str, np.ndarray]
    levels: dict[str, np.ndarray]
    reml: float
    converged: bool

    def predict(self, X: np.ndarray, groups: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        """Fixed part ``X beta`` plus the BLUPs of the terms in ``groups``.

        A level not seen in the fit gets a random effect of zero.
        """
        out = np.asarray(X, dtype=float) @ self.beta
        for name, labels in (groups or {}).items():
            levels = self.levels[name]
            labels = np.asarray(labels)
            pos = np.clip(np.searchsorted(levels, labels), 0, levels.size - 1)
            known = levels[pos] == labels
            out = out + np.where(known, self.ranef[name][pos], 0.0)
        return out


def fit_lmm(y: np.ndarray, X: np.ndarray, groups: Mapping[str, np.ndarray]) -> LMMResult:
    """Fit ``y ~ X + (1 | g_1) + ... + (1 | g_K)`` by REML.

    Parameters
    ----------
    y
        Response per row, finite.
    X
        Fixed-effects design with intercept column, full column rank.
    groups
        Term name -> group label per row (nested or crossed terms).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> g = np.repeat(np.arange(30), 10)
    >>> y = 5 + rng.normal(0, 1, 30)[g] + rng.normal(0, 0.5, 300)
    >>> fit = fit_lmm(y, np.ones((300, 1)), {"g": g})
    >>> round(fit.sigma, 1), round(fit.sd["g"], 1)
    (0.5, 0.9)
    """
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    if not (np.isfinite(y).all() and np.isfinite(X).all()):
        raise ModelError(
            "The linear mixed model got a missing response or covariate.",
            hint="Drop or impute missing values before fitting.",
        )
    names = list(groups)
    blocks, levels = [], []
    for name in names:
        lv, code = np.unique(np.asarray(groups[name]), return_inverse=True)
        if lv.size < 2:
            raise ModelError(
                f"Grouping factor {name!r} has only one level.",
                hint="Drop this term: a random intercept needs at least two groups.",
                column=name,
            )
        ones = np.ones(y.size)
        blocks.append(sp.csr_array((ones, (np.arange(y.size), code)), shape=(y.size, lv.size)))
        levels.append(lv)
    Z = sp.hstack(blocks, format="csr")
    term_of = np.concatenate([np.full(lv.size, k) for k, lv in enumerate(levels)])
    pls = _Pls(y, X, Z, term_of)
    res = so.minimize(
        pls.criterion,
        np.full(len(names), THETA_START),
        method="L-BFGS-B",
        bounds=[(0.0, None)] * len(names),
        options={
            "ftol": OPTIMIZER_FTOL,
            "gtol": OPTIMIZER_GTOL,
            "maxiter": OPTIMIZER_MAX_ITERATIONS,
        },
    )
    theta = np.asarray(res.x)
    sol = pls.solve(theta)
    n, p = X.shape
    sigma2 = sol.r2 / (n - p)
    b = theta[term_of] * sol.u
    starts = np.cumsum([0, *(lv.size for lv in levels)])
    return LMMResult(
        beta=sol.beta,
        vcov=sigma2 * sol.rx_inv @ sol.rx_inv.T,
        sigma=float(np.sqrt(sigma2)),
        sd={name: float(theta[k] * np.sqrt(sigma2)) for k, name in enumerate(names)},
        ranef={name: b[starts[k] : starts[k + 1]] for k, name in enumerate(names)},
        levels=dict(zip(names, levels, strict=True)),
        reml=float(res.fun),
        converged=bool(res.success),
    )


class _Pls:
    """Penalised least squares for given theta (Bates et al. 2015, eqs. 13-19)."""

    def __init__(self, y: np.ndarray, X: np.ndarray, Z: sp.csr_array, term_of: np.ndarray) -> None:
        self.y, self.X, self.term_of = y, X, term_of
        self.ZtZ = (Z.T @ Z).toarray()
        self.ZtX, self.Zty = Z.T @ X, Z.T @ y
        self.XtX, self.Xty, self.yty = X.T @ X, X.T @ y, float(y @ y)

    def solve(self, theta: np.ndarray) -> _Solution:
        lam = theta[self.term_of]
        A = lam[:, None] * self.ZtZ * lam[None, :] + np.eye(lam.size)
        L = sla.cholesky(A, lower=True)
        r_zx = sla.solve_triangular(L, lam[:, None] * self.ZtX, lower=True)
        c_u = sla.solve_triangular(L, lam * self.Zty, lower=True)
        R_X = sla.cholesky(self.XtX - r_zx.T @ r_zx, lower=False)
        c_b = sla.solve_triangular(R_X, self.Xty - r_zx.T @ c_u, trans="T", lower=False)
        beta = sla.solve_triangular(R_X, c_b, lower=False)
        u = sla.solve_triangular(L, c_u - r_zx @ beta, trans="T", lower=True)
        # ||y - X beta - Z Lambda u||^2 + ||u||^2 = y'y - c_u'c_u - c_b'c_b
        r2 = self.yty - float(c_u @ c_u) - float(c_b @ c_b)
        return _Solution(
            beta=beta,
            u=u,
            r2=r2,
            logdet=2.0 * float(np.log(np.diag(L)).sum() + np.log(np.abs(np.diag(R_X))).sum()),
            rx_inv=sla.solve_triangular(R_X, np.eye(R_X.shape[0]), lower=False),
        )

    def criterion(self, theta: np.ndarray) -> float:
        sol = self.solve(theta)
        dof = self.y.size - self.X.shape[1]
        return sol.logdet + dof * (1.0 + float(np.log(2.0 * np.pi * sol.r2 / dof)))


class _Solution(NamedTuple):
    beta: np.ndarray
    u: np.ndarray
    r2: float  # penalised residual sum of squares
    logdet: float  # log|L_Z|^2 + log|R_X|^2
    rx_inv: np.ndarray
