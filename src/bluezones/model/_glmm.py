# ruff: noqa: N803, N806 -- matrix names (X, Z, H, F, K) follow Bates et al. (2015)
"""Binomial GLMM with random intercepts, fitted by Laplace approximation as ``lme4::glmer``.

The model, for cells ``i`` (for example wijk-years) and random-intercept terms
``k = 1..K`` (for example jeugdregio, gemeente and wijk, or area and area-by-year)::

    y_i ~ Binomial(n_i, p_i)
    logit(p_i) = x_i' beta + offset_i + sum_k b_{k, g_k(i)}
    b_{k, j} ~ N(0, sigma_k^2), independent

Following Bates et al. (2015, JSS 67(1)) the random effects are written
``b = Lambda_theta u`` with ``u ~ N(0, I)`` and ``Lambda_theta`` diagonal with
``theta_k = sigma_k`` on the columns of term ``k``. For given ``(theta, beta)``
penalised iteratively reweighted least squares (PIRLS) finds the conditional mode
``u_hat`` of ``-2 log p(y | u) + ||u||^2``, and the Laplace approximation of the
deviance (minus twice the log-likelihood) is::

    D(theta, beta) = -2 sum_i log Binom(y_i; n_i, p_i(u_hat)) + ||u_hat||^2
                     + log det(Lambda' Z' W Z Lambda + I)

with ``W = diag(n_i p_i (1 - p_i))`` at the mode. The first term includes the
binomial coefficients, so ``logLik = -D / 2`` matches lme4's ``logLik()`` (lme4's
``deviance()`` is the sum of squared deviance residuals instead; both are reported).

As glmer does by default, the fit runs in two stages: stage 1 minimises ``D`` over
``theta`` alone with ``beta`` updated inside PIRLS jointly with ``u`` (glmer's
``nAGQ = 0``); stage 2 minimises ``D(theta, beta)`` jointly (``nAGQ = 1``). Stage 2
uses L-BFGS-B with bounds ``theta >= 0`` and the exact gradient of ``D`` (implicit
differentiation through ``u_hat`` and the weights, which needs the selected
inverse of ``H = Lambda' Z' W Z Lambda + I``; see :mod:`._glmm_linalg`), then
Newton steps on a finite-difference Hessian of that gradient. The covariance of
``beta`` is, like glmer's ``vcov()``, twice the ``beta`` block of the inverse of
that Hessian of ``D`` over ``(theta, beta)``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.linalg as sla
import scipy.optimize as so
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.special import expit, gammaln

from bluezones.errors import ModelError
from bluezones.model._censoring import CellTerms, Censoring, cell_loglik, cell_terms
from bluezones.model._glmm_linalg import (
    MAX_DENSE_LEAF,
    Factor,
    entries,
    plan_elimination,
    slots_of,
)

__all__ = ["GLMMResult", "ModelError", "fit_glmm"]

# PIRLS takes a last full Newton step and stops once the Newton decrement
# g' H^{-1} g (in deviance units / 2) falls below this.
PIRLS_FULL_STEP = 1e-10
# Step halving accepts a step that raises the objective by no more than rounding.
ROUNDING_SLACK = 1e-13
PIRLS_MAX_ITERATIONS = 60
STEP_HALVINGS = 30
# Stage 2 (L-BFGS-B) tolerances: relative change of D and projected gradient.
OPTIMIZER_FTOL = 1e-15
OPTIMIZER_GTOL = 1e-7
OPTIMIZER_MAX_ITERATIONS = 2000
NEWTON_POLISH_STEPS = 3
# Central-difference step for the Hessian of D (lme4's deriv12 uses 1e-4 on D itself).
HESSIAN_STEP = 1e-5
# lme4: isSingular(tol = 1e-4); check.conv.grad tol 0.002 on the scaled gradient.
SINGULAR_TOLERANCE = 1e-4
GRADIENT_TOLERANCE = 2e-3
# Upper bound on theta (a random-effect sd on the logit scale) that keeps the
# optimiser's line searches away from absurd values; never binding in practice.
THETA_MAX = 100.0
# Stage 1 only finds starting values; above this sd (a factor of 150 between areas one
# sd apart) its optimiser's line searches made PIRLS crawl (thousands of step halvings
# at an sd of 75 with censored cells) without ever being near the optimum.
STAGE1_THETA_MAX = 5.0
# Below this sd a term is also tried at exactly zero (lme4's check.boundary idea).
BOUNDARY_PROBE = 1e-2
# Relative size of an eigenvalue that marks a design column as collinear.
RANK_TOLERANCE = 1e-10
# A separating direction must improve the LP objective by more than this.
SEPARATION_TOLERANCE = 1e-7

VcovMethod = Literal["hessian", "pirls"]


@dataclass(frozen=True)
class GLMMResult:
    """A fitted binomial random-intercept GLMM.

    Attributes
    ----------
    beta, vcov
        Fixed effects and their covariance (``vcov_method`` says how it was computed).
    theta
        Random-effect standard deviations ``sigma_k`` per term (lme4's ``theta``).
    ranef, ranef_sd, levels
        Per term: conditional modes ``b`` per level, their conditional standard
        deviations (lme4's ``ranef(condVar = TRUE)``, given ``theta`` and ``beta``)
        and the level labels in sorted order.
    ranef_sd_total
        Per term: standard deviations of the modes that also carry the
        uncertainty of ``beta`` (``diag(M V M')`` added, ``M = H^-1 Lambda'Z'WX``
        the sensitivity of the modes to ``beta``). Use these for intervals of
        area effects: the conditional ones alone are too narrow when a covariate's
        coefficient is uncertain.
    loglik, laplace_deviance, deviance, aic, bic
        ``loglik = -laplace_deviance / 2`` as lme4's ``logLik()``; ``deviance`` is
        lme4's ``deviance()``: the sum of squared deviance residuals at the modes.
    fitted, fitted_fixed
        Fitted probabilities per cell with random effects and without
        (``re.form = NA``).
    """

    beta: np.ndarray
    vcov: np.ndarray
    x_names: tuple[str, ...]
    term_names: tuple[str, ...]
    theta: np.ndarray
    ranef: dict[str, np.ndarray]
    ranef_sd: dict[str, np.ndarray]
    levels: dict[str, np.ndarray]
    loglik: float
    laplace_deviance: float
    deviance: float
    aic: float
    bic: float
    n_cells: int
    fitted: np.ndarray
    fitted_fixed: np.ndarray
    converged: bool
    singular: bool
    iterations: int
    evaluations: int
    seconds: float
    vcov_method: str
    warnings: tuple[str, ...] = ()
    gradient: np.ndarray = field(default_factory=lambda: np.zeros(0))
    ranef_sd_total: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def variance_components(self) -> dict[str, float]:
        """``sigma_k^2`` per term."""
        return {name: float(t) ** 2 for name, t in zip(self.term_names, self.theta, strict=True)}

    @property
    def std_errors(self) -> np.ndarray:
        return np.sqrt(np.diag(self.vcov))

    def predict(
        self,
        X: ArrayLike,
        groups: Mapping[str, ArrayLike] | None = None,
        offset: ArrayLike | None = None,
    ) -> np.ndarray:
        """Probabilities for new cells; without ``groups`` the fixed part only.

        Levels not seen in the fit get a random effect of zero (lme4's
        ``allow.new.levels = TRUE``); terms missing from ``groups`` count as zero.
        """
        X = np.asarray(X, dtype=float)
        eta = X @ self.beta
        if offset is not None:
            eta = eta + np.asarray(offset, dtype=float)
        for name, codes in (groups or {}).items():
            if name not in self.ranef:
                raise ModelError(
                    f"unknown random-effect term {name!r}",
                    hint=f"use one of {', '.join(self.term_names)}",
                )
            levels = self.levels[name]
            codes = np.asarray(codes)
            pos = np.clip(np.searchsorted(levels, codes), 0, levels.size - 1)
            known = levels[pos] == codes
            eta = eta + np.where(known, self.ranef[name][pos], 0.0)
        return np.asarray(expit(eta))


# --------------------------------------------------------------------------- validation


def _check_counts(y: ArrayLike, n: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y_arr = np.asarray(y, dtype=float).ravel()
    n_arr = np.asarray(n, dtype=float).ravel()
    if y_arr.shape != n_arr.shape:
        raise ModelError(
            f"y has {y_arr.size} cells but n has {n_arr.size}",
            hint="pass one successes count and one trials count per cell",
        )
    for name, arr in (("y", y_arr), ("n", n_arr)):
        bad = np.flatnonzero(~np.isfinite(arr) | (arr != np.round(arr)) | (arr < 0))
        if bad.size:
            raise ModelError(
                f"{name} must be a whole, non-negative count; cell {bad[0]} has {arr[bad[0]]}",
                hint="drop or correct missing and suppressed cells before fitting",
                row=int(bad[0]),
                column=name,
            )
    empty = np.flatnonzero(n_arr == 0)
    if empty.size:
        raise ModelError(
            f"{empty.size} cell(s) have n = 0 trials, the first is cell {empty[0]}",
            hint="drop cells without any youth (n = 0) before fitting",
            row=int(empty[0]),
            column="n",
        )
    over = np.flatnonzero(y_arr > n_arr)
    if over.size:
        i = over[0]
        raise ModelError(
            f"cell {i} has more successes than trials (y = {y_arr[i]:g} > n = {n_arr[i]:g})",
            hint="check that y counts youth in care and n all youth of the same cell",
            row=int(i),
            column="y",
        )
    return y_arr, n_arr


def _check_design(
    X: ArrayLike, cells: int, x_names: Sequence[str] | None
) -> tuple[np.ndarray, tuple[str, ...]]:
    X_arr = np.asarray(X, dtype=float)
    if X_arr.ndim == 1:
        X_arr = X_arr[:, None]
    if X_arr.ndim != 2 or X_arr.shape[0] != cells:
        raise ModelError(
            f"design X has shape {X_arr.shape} but there are {cells} cells",
            hint="pass a 2-D design with one row per cell (intercept column included)",
        )
    names = tuple(x_names) if x_names is not None else tuple(f"x{j}" for j in range(X_arr.shape[1]))
    if len(names) != X_arr.shape[1]:
        raise ModelError(
            f"{len(names)} column names for {X_arr.shape[1]} design columns",
            hint="give one name per column of X",
        )
    bad = np.argwhere(~np.isfinite(X_arr))
    if bad.size:
        i, j = bad[0]
        raise ModelError(
            f"design column {names[j]!r} has a missing or infinite value in cell {i}",
            hint="impute or drop cells with missing covariates",
            row=int(i),
            column=names[j],
        )
    _check_rank(X_arr, names)
    return X_arr, names


def _check_rank(X: np.ndarray, names: tuple[str, ...]) -> None:
    """Raise naming the columns that are linear combinations of earlier ones."""
    scale = np.sqrt(np.sum(X**2, axis=0))
    zero = np.flatnonzero(scale == 0)
    if zero.size:
        raise ModelError(
            f"design column(s) {', '.join(repr(names[j]) for j in zero)} are all zero",
            hint="drop them from the design",
            column=names[zero[0]],
        )
    Xs = X / scale
    kept: list[int] = []
    for j in range(X.shape[1]):
        trial = [*kept, j]
        s = np.linalg.svd(Xs[:, trial], compute_uv=False)
        if s[-1] <= RANK_TOLERANCE**0.5 * s[0]:
            coef, *_ = np.linalg.lstsq(Xs[:, kept], Xs[:, j], rcond=None)
            partners = [names[kept[i]] for i in np.flatnonzero(np.abs(coef) > 1e-8)]
            raise ModelError(
                f"design column {names[j]!r} is collinear with "
                f"{', '.join(repr(p) for p in partners) or 'earlier columns'}",
                hint=f"drop {names[j]!r} (or one of its partners) or merge categories",
                column=names[j],
            )
        kept.append(j)


def _check_offset(offset: ArrayLike | None, cells: int) -> np.ndarray:
    if offset is None:
        return np.zeros(cells)
    off = np.asarray(offset, dtype=float).ravel()
    if off.shape != (cells,) or not np.all(np.isfinite(off)):
        raise ModelError(
            "offset must be a finite number per cell",
            hint="pass an offset of the same length as y, without missing values",
            column="offset",
        )
    return off


def _check_groups(
    groups: Mapping[str, ArrayLike], cells: int
) -> tuple[tuple[str, ...], list[np.ndarray], list[np.ndarray]]:
    if not groups:
        raise ModelError(
            "no random-intercept terms given",
            hint="pass at least one grouping factor, or fit a GLM instead",
        )
    names, codes, levels = [], [], []
    for name, values in groups.items():
        arr = np.asarray(values).ravel()
        if arr.size != cells:
            raise ModelError(
                f"grouping factor {name!r} has {arr.size} values for {cells} cells",
                hint="give one group index per cell",
                column=name,
            )
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            raise ModelError(
                f"grouping factor {name!r} has missing values",
                hint="assign every cell to a group",
                column=name,
            )
        lv, code = np.unique(arr, return_inverse=True)
        if lv.size < 2:
            raise ModelError(
                f"grouping factor {name!r} has only one level",
                hint="drop this term: a random intercept needs at least two groups",
                column=name,
            )
        names.append(str(name))
        codes.append(code.astype(np.int64))
        levels.append(lv)
    return tuple(names), codes, levels


def _check_censored(
    censored: ArrayLike | None, censored_from: ArrayLike | None, n: np.ndarray
) -> Censoring | None:
    if censored is None:
        return None
    bound = _per_cell(censored, n, "censored")
    lower = (
        np.zeros_like(bound)
        if censored_from is None
        else _per_cell(censored_from, n, "censored_from")
    )
    lower = np.where(np.isfinite(bound), np.nan_to_num(lower, nan=0.0), np.nan)
    given = np.isfinite(bound)
    whole = (bound == np.round(bound)) & (lower == np.round(lower))
    bad = given & ((lower < 0) | (lower > bound) | (bound >= n) | ~whole)
    if bad.any():
        i = int(np.argmax(bad))
        raise ModelError(
            f"cell {i}: censoring bounds [{lower[i]:g}, {bound[i]:g}] are not whole numbers "
            f"with 0 <= lower <= upper < n = {n[i]:g}",
            hint="an upper bound of n or more carries no information: leave such cells out",
        )
    censoring = Censoring.of(bound, n, lower)
    return None if censoring.empty else censoring


def _check_start(
    start: tuple[ArrayLike, ArrayLike] | None, order: Sequence[int], columns: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """A start ``(theta, beta)`` in the fit's layout order, or None."""
    if start is None:
        return None
    theta = np.asarray(start[0], dtype=float).ravel()
    beta = np.asarray(start[1], dtype=float).ravel()
    if theta.size != len(order) or beta.size != columns:
        raise ModelError(
            f"start has {theta.size} sds and {beta.size} coefficients for a model with "
            f"{len(order)} and {columns}",
            hint="start from a fit of the same random-effect terms and design columns",
        )
    if not (np.all(np.isfinite(theta)) and np.all(theta >= 0) and np.all(np.isfinite(beta))):
        raise ModelError("start holds a negative or non-finite value", hint="refit without start")
    return np.minimum(theta[list(order)], THETA_MAX), beta


def _per_cell(values: ArrayLike, n: np.ndarray, name: str) -> np.ndarray:
    out = np.asarray(values, dtype=float).ravel()
    if out.size != n.size:
        raise ModelError(
            f"{name} has {out.size} values for {n.size} cells",
            hint="give one bound per cell, NaN where the count is observed",
        )
    return out


def _check_separation(y: np.ndarray, n: np.ndarray, X: np.ndarray, names: tuple[str, ...]) -> None:
    """Raise if some direction of beta makes the likelihood increase without bound.

    Such a direction ``d`` has ``x_i'd = 0`` on cells with ``0 < y < n``,
    ``x_i'd <= 0`` on cells with ``y = 0`` and ``>= 0`` on cells with ``y = n``,
    with at least one strict inequality (Konis 2007). Random intercepts are
    penalised, so they cannot stop the fixed effects from diverging along ``d``.
    """
    interior = (y > 0) & (y < n)
    sign = np.where(y == 0, -1.0, 1.0)
    bound = ~interior
    if not np.any(bound):
        return
    Xi = X[interior]
    if Xi.shape[0]:
        # Null space of the interior cells' rows, from the small p x p cross-product.
        evals, evecs = np.linalg.eigh(Xi.T @ Xi)
        null = evecs[:, evals <= RANK_TOLERANCE * max(float(evals[-1]), 1.0)]
    else:
        null = np.eye(X.shape[1])
    if null.shape[1] == 0:
        return
    A = (sign[bound, None] * X[bound]) @ null  # want A z >= 0, maximise sum
    res = so.linprog(
        -A.sum(axis=0),
        A_ub=-A,
        b_ub=np.zeros(A.shape[0]),
        bounds=[(-1.0, 1.0)] * null.shape[1],
        method="highs",
    )
    if res.status == 0 and -res.fun > SEPARATION_TOLERANCE:
        direction = null @ res.x
        involved = [names[j] for j in np.flatnonzero(np.abs(direction) > 1e-6)]
        cells_hit = np.flatnonzero(np.abs(X[bound] @ direction) > 1e-6)
        non_intercept = [c for c in involved if np.ptp(X[:, names.index(c)]) > 0] or involved
        raise ModelError(
            f"perfect separation in covariate(s) {', '.join(repr(c) for c in non_intercept)}: "
            f"they predict y = 0 or y = n exactly in {cells_hit.size} cell(s), so their "
            "coefficients diverge",
            hint="drop the covariate or merge its categories with a neighbouring one",
            column=non_intercept[0],
        )


# --------------------------------------------------------------------------- the kernel


class _Laplace:
    """Data, layout and warm-started PIRLS state for evaluating ``D(theta, beta)``.

    ``theta`` is held in the elimination plan's term order ("layout order").
    """

    def __init__(
        self,
        y: np.ndarray,
        n: np.ndarray,
        X: np.ndarray,
        offset: np.ndarray,
        codes: list[np.ndarray],
        sizes: list[int],
        censoring: Censoring | None = None,
    ) -> None:
        self.y, self.n, self.X, self.offset = y, n, X, offset
        self.censoring = censoring
        self.plan = plan_elimination(codes, sizes)
        if self.plan.leaf_size > MAX_DENSE_LEAF:
            raise ModelError(
                f"crossed random-intercept terms with {self.plan.leaf_size} levels in total "
                f"are too many for the dense part of the factorisation (at most {MAX_DENSE_LEAF})",
                hint="nest the smaller terms in the larger ones (e.g. area:year within area) "
                "or merge levels",
            )
        offsets = self.plan.offsets
        K = len(codes)
        self.cols = np.column_stack(
            [offsets[t] + codes[k] for t, k in enumerate(self.plan.order)]
        ).astype(np.int64)
        cells = y.size
        self.q = int(offsets[-1])
        self.K = K
        self._indptr = np.arange(0, K * cells + 1, K, dtype=np.int64)
        self._indices = self.cols.ravel()
        self.term_of_col = np.repeat(np.arange(K), self.plan.sizes)
        # Fixed sparsity pattern of H (Z'Z plus the identity) and, for every cell and
        # ordered pair of terms (a, b), the slot of H's data that cell adds to.
        Z = sp.csr_array((np.ones(K * cells), self._indices, self._indptr), shape=(cells, self.q))
        pattern = (Z.T @ Z).tocsr() + sp.eye_array(self.q, format="csr")
        pattern.sum_duplicates()
        pattern.sort_indices()
        self._pattern = pattern
        pairs_a = np.repeat(np.arange(K), K)
        pairs_b = np.tile(np.arange(K), K)
        self._pairs = (pairs_a, pairs_b)
        self._slots = slots_of(
            pattern, self.cols[:, pairs_a].ravel(), self.cols[:, pairs_b].ravel()
        )
        self._diag_slots = slots_of(pattern, np.arange(self.q), np.arange(self.q))
        self.lchoose = gammaln(n + 1) - gammaln(y + 1) - gammaln(n - y + 1)
        self.u = np.zeros(self.q)
        self.evaluations = 0

    # -- building blocks

    def zl(self, theta: np.ndarray) -> sp.csr_array:
        lam = theta[self.term_of_col]
        return sp.csr_array(
            (lam[self._indices], self._indices, self._indptr), shape=(self.y.size, self.q)
        )

    def factor(self, theta: np.ndarray, w: np.ndarray) -> Factor:
        pairs_a, pairs_b = self._pairs
        contrib = w[:, None] * (theta[pairs_a] * theta[pairs_b])[None, :]
        data = np.bincount(self._slots, weights=contrib.ravel(), minlength=self._pattern.nnz)
        data[self._diag_slots] += 1.0
        H = sp.csr_array(
            (data, self._pattern.indices, self._pattern.indptr), shape=(self.q, self.q)
        )
        return Factor(H, self.plan)

    def terms(self, eta: np.ndarray) -> CellTerms:
        return cell_terms(eta, self.y, self.n, self.lchoose, self.censoring)

    def neg2loglik(self, eta: np.ndarray) -> float:
        return float(-2.0 * np.sum(cell_loglik(eta, self.y, self.n, self.lchoose, self.censoring)))

    # -- PIRLS

    def pirls(
        self, theta: np.ndarray, beta: np.ndarray, joint: bool
    ) -> tuple[np.ndarray, np.ndarray, Factor, bool]:
        """Conditional modes ``u`` (and ``beta`` if ``joint``) by damped Newton steps.

        Returns ``u``, ``beta``, the factor of ``H`` at the mode and whether the
        Newton decrement fell below ``PIRLS_TOLERANCE``.
        """
        ZL = self.zl(theta)
        X = self.X
        u = self.u.copy()
        beta = beta.copy()

        def penalised(u_: np.ndarray, beta_: np.ndarray) -> float:
            return self.neg2loglik(X @ beta_ + self.offset + ZL @ u_) + float(u_ @ u_)

        converged = False
        objective = penalised(u, beta)
        for _ in range(PIRLS_MAX_ITERATIONS):
            eta = X @ beta + self.offset + ZL @ u
            cell = self.terms(eta)
            w, r = cell.weight, cell.score
            grad_u = ZL.T @ r - u
            F = self.factor(theta, w)
            if joint:
                ZLWX = ZL.T @ (w[:, None] * X)
                HiZ = F.solve(ZLWX)
                grad_b = X.T @ r
                Hg = F.solve(grad_u)
                schur = X.T @ (w[:, None] * X) - ZLWX.T @ HiZ
                rhs = grad_b - ZLWX.T @ Hg
                try:
                    d_beta = sla.solve(schur, rhs, assume_a="pos")
                except sla.LinAlgError:
                    # beta nearly unidentified given u (huge theta): least squares.
                    d_beta = np.linalg.lstsq(schur, rhs, rcond=None)[0]
                d_u = Hg - HiZ @ d_beta
                decrement = float(grad_u @ d_u + grad_b @ d_beta)
            else:
                d_u = F.solve(grad_u)
                d_beta = np.zeros_like(beta)
                decrement = float(grad_u @ d_u)
            if decrement < PIRLS_FULL_STEP:
                # Inside the region of quadratic convergence: one full Newton step
                # leaves an error of order decrement^2, far below rounding.
                u = u + d_u
                beta = beta + d_beta
                converged = True
                break
            slack = ROUNDING_SLACK * max(1.0, abs(objective))
            step = 1.0
            for _ in range(STEP_HALVINGS):
                new = penalised(u + step * d_u, beta + step * d_beta)
                if new <= objective + slack:
                    break
                step /= 2.0
            else:
                break
            u = u + step * d_u
            beta = beta + step * d_beta
            objective = new
        if converged:
            eta = X @ beta + self.offset + ZL @ u
            F = self.factor(theta, self.terms(eta).weight)
            # Only a converged mode becomes the next evaluation's start: the optimisers
            # probe extreme theta (an sd of 75), where PIRLS may not converge and the
            # modes drift far; starting the next, sensible theta there can keep PIRLS
            # from reaching its mode within its iterations (seen with censored cells).
            self.u = u
        self.evaluations += 1
        return u, beta, F, converged

    def deviance(self, theta: np.ndarray, beta: np.ndarray, u: np.ndarray, F: Factor) -> float:
        eta = self.X @ beta + self.offset + self.zl(theta) @ u
        return self.neg2loglik(eta) + float(u @ u) + F.logdet

    # -- stage objectives

    def stage1(self, theta: np.ndarray, beta_start: np.ndarray) -> tuple[float, np.ndarray]:
        """The deviance at ``theta`` with ``beta`` profiled out, and that ``beta``.

        Where PIRLS does not converge the returned ``beta`` is ``beta_start``, so it
        does not become the start of the next evaluation (see :meth:`pirls`).
        """
        u, beta, F, converged = self.pirls(theta, beta_start, joint=True)
        return self.deviance(theta, beta, u, F), beta if converged else beta_start

    def value_and_gradient(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        """``D(theta, beta)`` and its exact gradient; ``params = (theta, beta)``."""
        theta, beta = params[: self.K], params[self.K :]
        u, _, F, _ = self.pirls(theta, beta, joint=False)  # F: H at the mode
        ZL = self.zl(theta)
        eta = self.X @ beta + self.offset + ZL @ u
        cell = self.terms(eta)
        w, r = cell.weight, cell.score
        value = float(-2.0 * np.sum(cell.loglik)) + float(u @ u) + F.logdet

        sigma = F.selected_inverse()
        cols = self.cols
        v = np.zeros((self.y.size, self.K))
        for a in range(self.K):
            for b in range(self.K):
                if theta[b] != 0.0:
                    v[:, a] += theta[b] * entries(sigma, cols[:, a], cols[:, b])
        h = v @ theta  # diag of Z Lambda H^-1 Lambda Z'
        c = cell.slope * h
        s = F.solve(ZL.T @ c)
        zls = ZL @ s
        grad_beta = self.X.T @ (-2.0 * r + c - w * zls)
        grad_theta = np.empty(self.K)
        for t in range(self.K):
            zu = u[cols[:, t]]
            grad_theta[t] = np.sum(
                -2.0 * r * zu + 2.0 * w * v[:, t] + c * zu + r * s[cols[:, t]] - zls * w * zu
            )
        return value, np.concatenate([grad_theta, grad_beta])


# --------------------------------------------------------------------------- optimisation


def _hessian(lap: _Laplace, params: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Central differences of the exact gradient over the free parameters, symmetrised."""
    idx = np.flatnonzero(free)
    u_center = lap.u.copy()
    Hs = np.empty((idx.size, idx.size))
    for row, j in enumerate(idx):
        grads = []
        for sign in (1.0, -1.0):
            x = params.copy()
            x[j] += sign * HESSIAN_STEP
            lap.u = u_center.copy()
            grads.append(lap.value_and_gradient(x)[1][idx])
        Hs[row] = (grads[0] - grads[1]) / (2.0 * HESSIAN_STEP)
    lap.u = u_center
    return (Hs + Hs.T) / 2.0


def _polish(
    lap: _Laplace, x: np.ndarray, free: np.ndarray, notes: list[str]
) -> tuple[np.ndarray, float, np.ndarray, np.ndarray, bool, float]:
    """Newton steps on a finite-difference Hessian, then lme4's convergence checks.

    Returns the parameters, deviance, gradient, Hessian (over the free
    parameters), whether it is positive definite and the scaled gradient.
    """
    K = lap.K
    value, grad = lap.value_and_gradient(x)
    hess = _hessian(lap, x, free)
    for _ in range(NEWTON_POLISH_STEPS):
        g = grad[free]
        try:
            step = -sla.solve(hess, g, assume_a="sym")
        except (sla.LinAlgError, ValueError):
            break
        trial = x.copy()
        trial[free] += step
        if np.any(trial[:K] < 0):
            break
        u_saved = lap.u.copy()
        t_value, t_grad = lap.value_and_gradient(trial)
        if t_value > value + 1e-9 * max(1.0, abs(value)):
            lap.u = u_saved
            break
        x, value, grad = trial, t_value, t_grad
        if np.max(np.abs(step)) < 1e-7:
            break
        hess = _hessian(lap, x, free)
    # Leave the PIRLS state at the optimum.
    value, grad = lap.value_and_gradient(x)

    g_free = grad[free]
    hess_ok = True
    try:
        chol = sla.cholesky(hess, lower=True)
        scaled = sla.cho_solve((chol, True), g_free)
        max_grad = float(np.max(np.minimum(np.abs(scaled), np.abs(g_free))))
    except sla.LinAlgError:
        hess_ok = False
        max_grad = float(np.max(np.abs(g_free)))
        notes.append(
            "Hessian of the deviance is not positive definite: the model is nearly "
            "unidentifiable; simplify the random-effect structure or rescale covariates"
        )
    if max_grad > GRADIENT_TOLERANCE:
        notes.append(
            f"model failed to converge: max|grad| = {max_grad:.3g} "
            f"(tolerance {GRADIENT_TOLERANCE}); rescale covariates or simplify the model"
        )
    return x, value, grad, hess, hess_ok, max_grad


def _minimise(lap: _Laplace, start: np.ndarray, fixed_zero: np.ndarray) -> so.OptimizeResult:
    bounds = [(0.0, 0.0) if fixed_zero[t] else (0.0, THETA_MAX) for t in range(lap.K)] + [
        (None, None)
    ] * (start.size - lap.K)
    x0 = start.copy()
    x0[: lap.K][fixed_zero] = 0.0
    return so.minimize(
        lap.value_and_gradient,
        x0,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={
            "ftol": OPTIMIZER_FTOL,
            "gtol": OPTIMIZER_GTOL,
            "maxiter": OPTIMIZER_MAX_ITERATIONS,
            "maxcor": 20,
        },
    )


def _fit(
    lap: _Laplace,
    vcov_method: VcovMethod,
    stage1: bool,
    start: tuple[np.ndarray, np.ndarray] | None = None,
    hold_sds: bool = False,
) -> dict[str, Any]:
    K, p = lap.K, lap.X.shape[1]
    notes: list[str] = []
    theta0 = np.ones(K)
    beta0 = np.zeros(p)
    iterations = 0
    if hold_sds and start is not None:
        return _with_sds_held(lap, *start)
    if start is not None:
        theta0, beta0 = start
    elif stage1:
        cache = {"beta": beta0}

        def objective(theta: np.ndarray) -> float:
            value, cache["beta"] = lap.stage1(theta, cache["beta"])
            return value

        res1 = so.minimize(
            objective,
            theta0,
            method="L-BFGS-B",
            bounds=[(0.0, STAGE1_THETA_MAX)] * K,
            options={"ftol": 1e-12, "maxiter": 200},
        )
        theta0 = res1.x
        _, beta0 = lap.stage1(theta0, cache["beta"])
        iterations += int(res1.nit)
    else:
        lap.u[:] = 0.0
        _, beta0 = lap.stage1(np.zeros(K), beta0)

    fixed_zero = np.zeros(K, dtype=bool)
    res = _minimise(lap, np.concatenate([theta0, beta0]), fixed_zero)
    iterations += int(res.nit)
    x, fx, ok = res.x, float(res.fun), bool(res.success)
    if not ok:
        notes.append(f"optimizer stopped early: {res.message}")

    # lme4's check.boundary: a tiny sigma is set to exactly zero if that fits no worse.
    for t in np.flatnonzero((x[:K] > 0) & (x[:K] < BOUNDARY_PROBE)):
        trial_zero = fixed_zero.copy()
        trial_zero[t] = True
        u_saved = lap.u.copy()
        alt = _minimise(lap, x, trial_zero)
        if alt.fun <= fx:
            x, fx, fixed_zero = alt.x, float(alt.fun), trial_zero
            iterations += int(alt.nit)
        else:
            lap.u = u_saved
    fixed_zero |= x[:K] == 0.0

    free = np.concatenate([~fixed_zero, np.ones(p, dtype=bool)])
    x, value, grad, hess, hess_ok, max_grad = _polish(lap, x, free, notes)

    theta, beta = x[:K], x[K:]
    u, _, F, pirls_ok = lap.pirls(theta, beta, joint=False)
    if not pirls_ok:
        notes.append("PIRLS did not reach its tolerance at the optimum")
    if vcov_method == "hessian" and hess_ok:
        inv = sla.inv(hess)
        nb = int(np.sum(~fixed_zero))
        vcov = 2.0 * inv[nb:, nb:]
        vcov = (vcov + vcov.T) / 2.0
    else:
        F, vcov = _pirls_vcov(lap, theta, beta, u)
        vcov_method = "pirls"
    return {
        "theta": theta,
        "beta": beta,
        "u": u,
        "factor": F,
        "value": value,
        "gradient": grad,
        "vcov": vcov,
        "vcov_method": vcov_method,
        "converged": ok and hess_ok and max_grad <= GRADIENT_TOLERANCE and pirls_ok,
        "iterations": iterations,
        "notes": notes,
    }


def _pirls_vcov(
    lap: _Laplace, theta: np.ndarray, beta: np.ndarray, u: np.ndarray
) -> tuple[Factor, np.ndarray]:
    """glmer's ``vcov(use.hessian = FALSE)``, with the factor of ``H`` at the modes."""
    ZL = lap.zl(theta)
    eta = lap.X @ beta + lap.offset + ZL @ u
    w = lap.terms(eta).weight
    F = lap.factor(theta, w)
    ZLWX = ZL.T @ (w[:, None] * lap.X)
    schur = lap.X.T @ (w[:, None] * lap.X) - ZLWX.T @ F.solve(ZLWX)
    vcov = sla.inv(schur)
    return F, (vcov + vcov.T) / 2.0


def _with_sds_held(lap: _Laplace, theta: np.ndarray, beta: np.ndarray) -> dict[str, Any]:
    """Coefficients and modes by joint PIRLS at fixed sds (glmer's ``nAGQ = 0`` step)."""
    u, beta, F, converged = lap.pirls(theta, beta, joint=True)
    value = lap.deviance(theta, beta, u, F)
    F, vcov = _pirls_vcov(lap, theta, beta, u)
    notes = [] if converged else ["PIRLS did not reach its tolerance at the held sds"]
    return {
        "theta": theta,
        "beta": beta,
        "u": u,
        "factor": F,
        "value": value,
        "gradient": np.full(theta.size + beta.size, np.nan),
        "vcov": vcov,
        "vcov_method": "pirls",
        "converged": converged,
        "iterations": 0,
        "notes": notes,
    }


# --------------------------------------------------------------------------- public API


def fit_glmm(
    y: ArrayLike,
    n: ArrayLike,
    X: ArrayLike,
    groups: Mapping[str, ArrayLike],
    *,
    offset: ArrayLike | None = None,
    x_names: Sequence[str] | None = None,
    vcov: VcovMethod = "hessian",
    stage1: bool = True,
    censored: ArrayLike | None = None,
    censored_from: ArrayLike | None = None,
    start: tuple[ArrayLike, ArrayLike] | None = None,
    hold_sds: bool = False,
) -> GLMMResult:
    """Fit a binomial random-intercept GLMM by the Laplace approximation, as ``glmer``.

    Parameters
    ----------
    y, n
        Successes and trials per cell (whole numbers, ``0 <= y <= n``, ``n > 0``).
    X
        Dense fixed-effects design, one row per cell, intercept column included.
    groups
        Random-intercept terms: name -> group label per cell (integers or strings).
        Terms may be nested (regio / gemeente / wijk, area / area-by-year) or crossed.
    offset
        Known part of the linear predictor per cell.
    x_names
        Names of the columns of ``X`` (used in messages and results).
    vcov
        ``"hessian"`` (glmer's default ``vcov()``: from the finite-difference Hessian
        of the Laplace deviance over ``(theta, beta)``) or ``"pirls"`` (glmer's
        ``vcov(use.hessian = FALSE)``: ``(X'WX - X'W Z Lambda H^{-1} Lambda Z'W X)^{-1}``).
    stage1
        Run glmer's ``nAGQ = 0`` stage for starting values (default, as glmer).
    censored, censored_from
        Per cell the largest and smallest count it may have where only that is
        known (a count suppressed below 10 has bounds 0 and 9), NaN where ``y`` is
        observed; ``censored_from`` defaults to 0. A censored cell enters with
        the likelihood ``P(lower <= y <= upper)`` (:mod:`._censoring`); its ``y`` is
        ignored. Bounds must satisfy ``0 <= lower <= upper < n``.
    start
        ``(theta, beta)`` of an earlier fit of a similar model (the same terms and
        columns) to start from, in place of stage 1: a refit after a small change
        of the data or offsets then takes a few optimiser steps.
    hold_sds
        Keep the sds of ``start`` and find only the coefficients and modes, by
        penalised IRLS (glmer's ``nAGQ = 0`` step) with ``vcov`` from PIRLS: a
        fraction of a second, for intermediate fits of which only the
        coefficients are used. Needs ``start``.

    Returns
    -------
    GLMMResult

    Raises
    ------
    ModelError
        For cells with ``n = 0`` or ``y > n``, a collinear design (naming the
        columns), perfect separation (naming the covariates), or a grouping factor
        with one level.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> g = np.repeat(np.arange(20), 5)
    >>> n = np.full(100, 50.0)
    >>> y = rng.binomial(50, 0.2, 100).astype(float)
    >>> fit = fit_glmm(y, n, np.ones((100, 1)), {"area": g}, x_names=["intercept"])
    >>> round(float(fit.beta[0]), 1)
    -1.4
    """
    started = time.perf_counter()
    y_arr, n_arr = _check_counts(y, n)
    cells = y_arr.size
    X_arr, names = _check_design(X, cells, x_names)
    off = _check_offset(offset, cells)
    term_names, codes, levels = _check_groups(groups, cells)
    censoring = _check_censored(censored, censored_from, n_arr)
    _check_separation(y_arr, n_arr, X_arr, names)

    lap = _Laplace(y_arr, n_arr, X_arr, off, codes, [lv.size for lv in levels], censoring)
    order = lap.plan.order
    if hold_sds and start is None:
        raise ModelError("hold_sds needs a start", hint="give start=(theta, beta) of a fit")
    out = _fit(lap, vcov, stage1, _check_start(start, order, X_arr.shape[1]), hold_sds)

    K = len(term_names)
    theta_input = np.empty(K)
    theta_input[list(order)] = out["theta"]
    cond_var = out["factor"].selected_inverse().diagonal()
    offsets = lap.plan.offsets
    ZL = lap.zl(out["theta"])
    eta_fixed = X_arr @ out["beta"] + off
    eta = eta_fixed + ZL @ out["u"]
    # The modes move with beta: du/dbeta = -H^-1 Lambda'Z'WX. Propagating beta's
    # covariance through it adds diag(M V M') to the conditional variances.
    at_mode = lap.terms(eta)
    w_mode = at_mode.weight
    sensitivity = out["factor"].solve(ZL.T @ (w_mode[:, None] * X_arr))
    beta_var = np.einsum("ij,jk,ik->i", sensitivity, out["vcov"], sensitivity)
    ranef, ranef_sd, ranef_sd_total = {}, {}, {}
    for t, k in enumerate(order):
        sl = slice(offsets[t], offsets[t + 1])
        lam = out["theta"][t]
        ranef[term_names[k]] = lam * out["u"][sl]
        ranef_sd[term_names[k]] = lam * np.sqrt(cond_var[sl])
        ranef_sd_total[term_names[k]] = lam * np.sqrt(cond_var[sl] + beta_var[sl])

    fitted = expit(eta)
    mu = n_arr * fitted
    with np.errstate(divide="ignore", invalid="ignore"):
        dev_resid = 2.0 * (
            np.where(y_arr > 0, y_arr * np.log(y_arr / mu), 0.0)
            + np.where(n_arr > y_arr, (n_arr - y_arr) * np.log((n_arr - y_arr) / (n_arr - mu)), 0.0)
        )
    if censoring is not None:
        # A censored cell's saturated likelihood is taken as 1: exact for "at most c" (a
        # rate of 0 makes it certain), an overstatement for an interval a <= y <= c.
        dev_resid[censoring.index] = -2.0 * at_mode.loglik[censoring.index]
    laplace = float(out["value"])
    df = X_arr.shape[1] + K
    notes = list(out["notes"])
    singular = bool(np.any(theta_input < SINGULAR_TOLERANCE))
    if singular:
        zero_terms = [term_names[k] for k in range(K) if theta_input[k] < SINGULAR_TOLERANCE]
        notes.append(
            f"boundary (singular) fit: sigma = 0 for {', '.join(zero_terms)}; "
            "the data show no variation between these groups beyond chance, "
            "consider dropping the term"
        )
    return GLMMResult(
        beta=out["beta"],
        vcov=out["vcov"],
        x_names=names,
        term_names=term_names,
        theta=theta_input,
        ranef=ranef,
        ranef_sd=ranef_sd,
        ranef_sd_total=ranef_sd_total,
        levels=dict(zip(term_names, levels, strict=True)),
        loglik=-laplace / 2.0,
        laplace_deviance=laplace,
        deviance=float(np.sum(dev_resid)),
        aic=laplace + 2.0 * df,
        bic=laplace + np.log(cells) * df,
        n_cells=cells,
        fitted=fitted,
        fitted_fixed=expit(eta_fixed),
        converged=bool(out["converged"]),
        singular=singular,
        iterations=int(out["iterations"]),
        evaluations=lap.evaluations,
        seconds=time.perf_counter() - started,
        vcov_method=out["vcov_method"],
        warnings=tuple(notes),
        gradient=out["gradient"],
    )
