"""Suppressed numerators as censored counts, not as missing ones.

CBS (and the demo country) suppress a care count below a threshold (10): the
cell says "fewer than 10", not "unknown". Dropping such cells keeps only the
years in which a small area happened to reach 10, so its rate is estimated too
high: on the demo country this truncation bias alone puts a quarter of the
gemeenten' lasting protection effects outside their 95% intervals.

:func:`fit_censored` fits by the EM algorithm. The binomial log-likelihood is
linear in the count, so its expectation given "fewer than ``below``" is the
likelihood with the count replaced by ``E[y | y < below]`` under the current
fit (the area's random effect included); refitting with those values and
repeating converges to the maximum of the censored likelihood. Imputed counts
are rounded to whole young people (the binomial likelihood needs whole trials)
and never shown: the published tables keep the cell suppressed.

An imputed count carries less information than an observed one: the observed
information of a censored cell is ``n p (1 - p) - Var(y | y < below)``. The
lasting effects' standard deviations are widened accordingly (the missing
information principle, per area; see :func:`_widen`), so areas with many
suppressed years get honest intervals.

A suppressed cell whose expected count is far above the threshold
(``SUPPRESSION_IMPLAUSIBLE`` times) was suppressed for another reason (a small
denominator, a privacy rule of the source) and stays out of the fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import special, stats

from bluezones.model.cells import REASON_SUPPRESSED, offset_of
from bluezones.model.design import build_design
from bluezones.model.fitted import FittedModel
from bluezones.model.spec import ModelSpec

__all__ = ["IMPUTED", "SUPPRESSED_BELOW", "censored_moments", "fit_censored"]

#: CBS's threshold: counts below it are published as suppressed.
SUPPRESSED_BELOW = 10
#: EM refits at most; the imputed counts usually settle after two or three.
MAX_EM_FITS = 4
#: Expected counts above this multiple of the threshold make a suppression implausible.
SUPPRESSION_IMPLAUSIBLE = 3.0
#: Column marking the cells whose numerator was imputed.
IMPUTED = "imputed"


def censored_moments(n: np.ndarray, p: np.ndarray, bound: np.ndarray) -> np.ndarray:
    """``E[y | y <= bound]`` and ``Var(y | y <= bound)`` for ``y ~ Binomial(n, p)``.

    Returns an array of shape (2, cells).

    Eight expected, fewer than 10 seen: less than eight, and less spread than 7.4.

    >>> mean, var = censored_moments(np.array([100.0]), np.array([0.08]), np.array([9]))
    >>> round(float(mean[0]), 2), round(float(var[0]), 2)
    (6.7, 3.15)
    """
    k = np.arange(int(np.max(bound, initial=0)) + 1)[None, :]
    logpmf = stats.binom.logpmf(k, np.round(n)[:, None], p[:, None])
    logpmf = np.where(k <= bound[:, None], logpmf, -np.inf)
    logpmf = logpmf - logpmf.max(axis=1, keepdims=True)
    pmf = np.exp(logpmf)
    total = pmf.sum(axis=1)
    mean = (pmf * k).sum(axis=1) / total
    var = np.maximum((pmf * k**2).sum(axis=1) / total - mean**2, 0.0)
    return np.vstack([mean, var])


def fit_censored(
    cells: pd.DataFrame,
    spec: ModelSpec,
    fit: Callable[[pd.DataFrame, ModelSpec], FittedModel],
    *,
    below: int = SUPPRESSED_BELOW,
    first: FittedModel | None = None,
) -> tuple[FittedModel, pd.DataFrame]:
    """Fit ``spec`` with suppressed numerators as counts below ``below`` (see above).

    ``first`` is a fit on the observed cells when the caller has one already.
    Returns the model and the cells it was last fitted on (``imputed`` marks
    the cells whose ``y`` is an imputed count).
    """
    fitted = first or fit(cells, spec)
    candidates = _candidates(cells, fitted)
    if not candidates.any() or spec.family != "binomial":
        return fitted, cells
    n = cells["n"].to_numpy(float)
    bound = np.minimum(below - 1, np.floor(n)).astype(int)
    work = cells.copy()
    work[IMPUTED] = False
    previous = None
    for _ in range(MAX_EM_FITS):
        p = _conditional_rate(cells, fitted)
        plausible = candidates & (n * p <= SUPPRESSION_IMPLAUSIBLE * below)
        idx = np.flatnonzero(plausible)
        moments = censored_moments(n[idx], p[idx], bound[idx])
        imputed = np.round(moments[0])
        if previous is not None and np.array_equal(previous, imputed):
            break
        previous = imputed
        work = cells.copy()
        work[IMPUTED] = plausible
        y = work["y"].to_numpy(float).copy()
        y[idx] = imputed
        work["y"] = y
        work.loc[plausible, "usable"] = True
        work.loc[plausible, "reason"] = ""
        fitted = fit(work, spec)
    fitted.stats["censored_cells"] = int(work[IMPUTED].sum())
    return _widen(fitted, work, below), work


def _candidates(cells: pd.DataFrame, fitted: FittedModel) -> np.ndarray:
    """Cells whose only fault is a suppressed numerator."""
    suppressed = (~cells["usable"]) & (cells["reason"] == REASON_SUPPRESSED) & (cells["n"] >= 1)
    if not suppressed.any():
        return suppressed.to_numpy()
    X, _ = build_design(cells, fitted.spec, fitted.design)
    return suppressed.to_numpy() & np.isfinite(X).all(axis=1)


def _conditional_rate(cells: pd.DataFrame, fitted: FittedModel) -> np.ndarray:
    """Each cell's rate under ``fitted``, with its area's random effect if the model has one."""
    X, _ = build_design(cells, fitted.spec, fitted.design)
    eta = X @ fitted.beta + offset_of(cells)
    if "area" in fitted.random:
        area = fitted.random["area"]
        effect = pd.Series(area["effect"], index=area["levels"])
        eta = eta + cells["region_code"].map(effect).fillna(0.0).to_numpy(float)
    return np.asarray(special.expit(eta))


def _widen(fitted: FittedModel, work: pd.DataFrame, below: int) -> FittedModel:
    """Widen the area effects' SDs for the information the imputed counts do not have.

    Per area, with prior precision ``1 / sigma^2`` and per year the information
    ``i`` capped by the year-to-year variance ``tau^2`` (``1 / (1/i + tau^2)``),
    the posterior variance with the observed information exceeds the one with
    the complete information by ``1/(I_obs + 1/sigma^2) - 1/(I_full + 1/sigma^2)``;
    that much is added to each area's variance.
    """
    if "area" not in fitted.random or not work[IMPUTED].any():
        return fitted
    area = fitted.random["area"]
    sigma2 = float(area["sd"]) ** 2
    if sigma2 <= 0:
        return fitted
    use = work[work["usable"]]
    n = np.round(use["n"].to_numpy(float))
    p = _conditional_rate(use, fitted)
    full = n * p * (1 - p)
    observed = full.copy()
    imp = use[IMPUTED].to_numpy(bool)
    if imp.any():
        bound = np.minimum(below - 1, np.floor(n[imp])).astype(int)
        observed[imp] = np.maximum(full[imp] - censored_moments(n[imp], p[imp], bound)[1], 0.0)
    tau2 = float(fitted.random["area_year"]["sd"]) ** 2 if "area_year" in fitted.random else 0.0

    def capped(info: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.where(info > 0, 1.0 / (1.0 / info + tau2), 0.0)

    sums = (
        pd.DataFrame(
            {"area": use["region_code"].to_numpy(), "o": capped(observed), "f": capped(full)}
        )
        .groupby("area")[["o", "f"]]
        .sum()
    )
    extra = (1.0 / (sums["o"] + 1.0 / sigma2) - 1.0 / (sums["f"] + 1.0 / sigma2)).clip(lower=0.0)
    add = pd.Series(area["levels"]).map(extra).fillna(0.0).to_numpy(float)
    widened = dict(area)
    # Only the total SD (the intervals): the conditional SD stays the fit's own, as the
    # typical spread the modes are compared with is the fit's own too.
    widened["effect_sd"] = np.sqrt(np.asarray(area["effect_sd"], dtype=float) ** 2 + add).tolist()
    return replace(fitted, random={**fitted.random, "area": widened})
