"""The default model: a binomial (logit) or Poisson (log) GLM on cells, with year effects.

Overdispersion is estimated as Pearson's chi-square over the residual degrees
of freedom (the quasi-likelihood dispersion, McCullagh & Nelder 1989, §4.5);
standard errors are multiplied by its square root. With ``scale='X2'``
statsmodels reports the same numbers, which the tests check to 1e-8.

Cells with a censoring bound (a suppressed count, :mod:`bluezones.model.censored`)
enter with the likelihood of their interval ("at most 9"); having no observed count they
are left out of Pearson's chi-square and its degrees of freedom.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bluezones.errors import ModelError
from bluezones.model import _irls
from bluezones.model._censoring import Censoring
from bluezones.model.cells import censored_bounds_of, check_cells, offset_of
from bluezones.model.design import build_design
from bluezones.model.fitted import FittedModel
from bluezones.model.spec import ModelSpec

__all__ = ["fit_glm"]

# Above this condition number of the standardised design the estimates are unstable.
CONDITION_WARNING = 1e3
# Correlation between two covariates above which a collinearity warning is given.
CORRELATION_WARNING = 0.95
# Relative size of a singular value below which the design counts as rank-deficient.
RANK_TOLERANCE = 1e-10


def fit_glm(cells: pd.DataFrame, spec: ModelSpec) -> FittedModel:
    """Fit the fixed-effects model of ``spec`` to the usable cells.

    Raises
    ------
    ModelError
        With fewer usable cells than parameters, a singular design (naming the
        columns that are linear combinations of others), or invalid cells.
    """
    check_cells(cells)
    use = cells["usable"].to_numpy(bool)
    X_all, state = build_design(cells, spec)
    X = X_all[use]
    y = cells.loc[use, "y"].to_numpy(float)
    n = cells.loc[use, "n"].to_numpy(float)
    names = state.names
    if len(y) <= X.shape[1]:
        raise ModelError(
            f"Only {len(y)} usable cells for {X.shape[1]} parameters.",
            hint="Use more areas or years, or fewer covariates.",
        )
    _check_rank(X, names)
    offset = offset_of(cells)[use]
    censoring = _censoring(cells, use, n, spec.family)
    result = _irls.fit_irls(X, y, n, spec.family, offset, censoring)
    warnings = _warnings(result, X, names)
    observed = np.ones(len(y), dtype=bool)
    if censoring is not None:
        observed[censoring.index] = False
    df_resid = int(observed.sum()) - X.shape[1]
    if df_resid <= 0:
        raise ModelError(
            f"Only {int(observed.sum())} cells with an observed count for {X.shape[1]} parameters.",
            hint="Use more areas or years, or fewer covariates.",
        )
    residual = (y - result.mu)[observed]
    variance = _irls.variance(result.mu, n, spec.family)[observed]
    pearson = float((residual**2 / variance).sum())
    dispersion = pearson / df_resid
    null = _irls.fit_irls(np.ones((len(y), 1)), y, n, spec.family, offset, censoring)
    loglik = _irls.loglik(y, result.mu, n, spec.family, censoring)
    stats = {
        "n_cells": len(cells),
        "n_used": int(use.sum()),
        "n_parameters": X.shape[1],
        "df_resid": df_resid,
        "deviance": result.deviance,
        "null_deviance": null.deviance,
        "pearson_chi2": pearson,
        "loglik": loglik,
        "null_loglik": _irls.loglik(y, null.mu, n, spec.family, censoring),
        "aic": 2 * X.shape[1] - 2 * loglik,
        "iterations": result.iterations,
        "converged": result.converged,
        "censored_cells": 0 if censoring is None else int(censoring.index.size),
    }
    return FittedModel(
        spec=spec,
        design=state,
        beta=result.beta,
        cov=result.xtwx_inv * dispersion,
        dispersion=dispersion,
        scaled=True,
        stats=stats,
        warnings=tuple(warnings),
    )


def _censoring(
    cells: pd.DataFrame, use: np.ndarray, n: np.ndarray, family: str
) -> Censoring | None:
    """The usable cells' censoring, if any (binomial models only)."""
    lower, bound = (b[use] for b in censored_bounds_of(cells))
    if not np.isfinite(bound).any():
        return None
    if family != "binomial":
        raise ModelError(
            "Censored (suppressed) counts are supported in binomial models only.",
            hint="Use family='binomial', or leave suppressed cells out.",
        )
    return Censoring.of(bound, n, lower)


def _check_rank(X: np.ndarray, names: list[str]) -> None:
    """A singular design is an error naming the columns involved."""
    _, s, vt = np.linalg.svd(X / np.maximum(np.abs(X).max(axis=0), 1e-300), full_matrices=False)
    small = s < RANK_TOLERANCE * s[0]
    if not small.any():
        return
    null_vector = vt[np.argmax(small)]
    involved = [names[i] for i in np.flatnonzero(np.abs(null_vector) > 1e-6)]
    raise ModelError(
        f"The design is singular: {', '.join(involved)} are linearly dependent.",
        hint="Drop one of these covariates (or a year without data).",
    )


def _warnings(result: _irls.IRLSResult, X: np.ndarray, names: list[str]) -> list[str]:
    out = []
    if not result.converged:
        out.append(f"not converged after {result.iterations} iterations")
    if result.separated.any():
        out.append(
            f"separation: {int(result.separated.sum())} cells have a fitted rate of 0 or 1; "
            "estimates for the covariates that separate them are not reliable"
        )
    cov = X[:, 1:]
    if cov.shape[1] > 1:
        nonconstant = cov.std(axis=0) > 0
        corr = np.corrcoef(cov[:, nonconstant], rowvar=False)
        iu = np.triu_indices_from(corr, k=1)
        cols = [n for n, keep in zip(names[1:], nonconstant, strict=True) if keep]
        for i, j in zip(*iu, strict=True):
            if abs(corr[i, j]) > CORRELATION_WARNING:
                out.append(
                    f"collinearity: {cols[i]} and {cols[j]} correlate {corr[i, j]:.3f}; "
                    "their separate effects are poorly determined"
                )
    condition = np.linalg.cond(X)
    if condition > CONDITION_WARNING and not any("collinearity" in w for w in out):
        out.append(f"ill-conditioned design (condition number {condition:.3g})")
    return out
