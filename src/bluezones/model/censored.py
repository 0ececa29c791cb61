"""Suppressed numerators as censored counts, not as missing ones.

CBS (and the demo country) suppress a care count below a threshold (10): the
cell says "fewer than 10", not "unknown". Dropping such cells keeps only the
years in which a small area happened to reach 10, so its rate is estimated too
high: on the demo country this truncation bias alone puts a quarter of the
gemeenten' lasting protection effects outside their 95% intervals.

:func:`fit_censored` keeps a suppressed cell in the fit with the likelihood of
what is known, ``P(y <= below - 1 | n, p)``, exactly: the kernels take its
score and observed information from the binomial truncated at the bound
(:mod:`bluezones.model._censoring`), so a suppressed year pulls a small area's
rate down as much as "fewer than 10" warrants and no more, and the intervals
of the lasting effects carry the information it has, not that of an observed
count. (An earlier version imputed ``E[y | y < 10]`` by EM and widened the
intervals afterwards; with whole imputed counts and the random effect's mode
plugged in it spread the null distribution of probation too wide.) Nothing is
imputed in the results: the published tables keep the cell suppressed.

A suppressed cell whose expected count is far above the threshold
(``SUPPRESSION_IMPLAUSIBLE`` times) was suppressed for another reason (a small
denominator, a privacy rule of the source) and stays out of the fit, as does
one with fewer than ``below`` young people (it says nothing: ``y <= n`` always).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import special

from bluezones.model.cells import CENSORED, REASON_SUPPRESSED, offset_of
from bluezones.model.design import build_design
from bluezones.model.fitted import FittedModel
from bluezones.model.spec import ModelSpec

__all__ = ["SUPPRESSED_BELOW", "fit_censored"]

#: CBS's threshold: counts below it are published as suppressed.
SUPPRESSED_BELOW = 10
#: Expected counts above this multiple of the threshold make a suppression implausible.
SUPPRESSION_IMPLAUSIBLE = 3.0


def fit_censored(
    cells: pd.DataFrame,
    spec: ModelSpec,
    fit: Callable[[pd.DataFrame, ModelSpec], FittedModel],
    *,
    below: int = SUPPRESSED_BELOW,
    first: FittedModel | None = None,
) -> tuple[FittedModel, pd.DataFrame]:
    """Fit ``spec`` with suppressed numerators as counts below ``below`` (see above).

    ``first`` is a fit on the observed cells when the caller has one already;
    it decides which suppressions are plausible. Returns the model and the
    cells it was fitted on: the suppressed cells it used are usable there, with
    their bound ``below - 1`` in the ``censored_at`` column (``y`` set to it).
    """
    fitted = first or fit(cells, spec)
    if spec.family != "binomial":
        return fitted, cells
    n = cells["n"].to_numpy(float)
    candidates = _candidates(cells, fitted) & (np.round(n) >= below)
    if not candidates.any():
        return fitted, cells
    p = _conditional_rate(cells, fitted)
    plausible = candidates & (n * p <= SUPPRESSION_IMPLAUSIBLE * below)
    work = cells.copy()
    work[CENSORED] = np.where(plausible, float(below - 1), np.nan)
    work["y"] = np.where(plausible, float(below - 1), work["y"].to_numpy(float))
    work.loc[plausible, "usable"] = True
    work.loc[plausible, "reason"] = ""
    return fit(work, spec), work


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
