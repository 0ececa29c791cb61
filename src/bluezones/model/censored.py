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

A suppressed count of an area put together by harmonisation (a merged
gemeente in the years before its merger) is known better, and differently: its
known parts count ``k`` and its hidden parts weigh ``h`` (one per suppressed
gemeente, a share of addresses for part of a split one), so
``k <= y <= k + h (below - 1)`` (rounded outwards). Reading it as "fewer than
10" would pull a merged area's early years down however large its other parts
were; on the demo country that alone inflated the spread of probation effects
from 0.15 to 0.18.

A suppressed cell whose expected count is far above its upper bound
(``SUPPRESSION_IMPLAUSIBLE`` times the bound plus one) was suppressed for
another reason (a small denominator, a privacy rule of the source) and stays
out of the fit, as does one whose upper bound is not below its young people
(it says nothing: ``y <= n`` always). A *missing* numerator is never censored:
no one knows it is small.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import special

from bluezones.indicators import SUPPRESSED_BELOW
from bluezones.model.cells import (
    CENSORED,
    CENSORED_FROM,
    HIDDEN_PARTS,
    KNOWN_PART,
    REASON_SUPPRESSED,
    offset_of,
)
from bluezones.model.design import build_design
from bluezones.model.fitted import FittedModel
from bluezones.model.spec import ModelSpec

__all__ = ["fit_censored", "interval_of"]

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

    ``first`` is a fit of ``spec`` on these cells or nearly these (other
    offsets, say) when the caller has one already; it decides which
    suppressions are plausible, and ``cells`` are fitted anew all the same.
    Returns the model and the cells it was fitted on: the suppressed cells it
    used are usable there, with their interval in the ``censored_from`` and
    ``censored_at`` columns (``y`` set to the upper bound).
    """
    if spec.family != "binomial":
        return fit(cells, spec), cells
    fitted = first or fit(cells, spec)
    n = np.round(cells["n"].to_numpy(float))
    lower, upper = interval_of(cells, below)
    candidates = _candidates(cells, fitted) & np.isfinite(upper) & (upper < n)
    if not candidates.any():
        return (fitted if first is None else fit(cells, spec)), cells
    expected = n * _conditional_rate(cells, fitted)
    plausible = candidates & (expected <= SUPPRESSION_IMPLAUSIBLE * (upper + 1))
    work = cells.copy()
    work[CENSORED] = np.where(plausible, upper, np.nan)
    work[CENSORED_FROM] = np.where(plausible, lower, np.nan)
    work["y"] = np.where(plausible, upper, work["y"].to_numpy(float))
    work.loc[plausible, "usable"] = True
    work.loc[plausible, "reason"] = ""
    return fit(work, spec), work


def interval_of(cells: pd.DataFrame, below: int = SUPPRESSED_BELOW) -> tuple[np.ndarray, ...]:
    """Per cell the interval a suppressed numerator lies in, NaN where there is none.

    With the harmonised parts (:data:`~bluezones.model.cells.KNOWN_PART`,
    :data:`~bluezones.model.cells.HIDDEN_PARTS`) the interval is
    ``[floor(k), ceil(k + h (below - 1))]``; cells without those columns (made
    by hand, not from facts) count every suppressed numerator as ``[0, below - 1]``.

    >>> cells = pd.DataFrame({"known_part": [np.nan, 0.0, 25.0, 3.6],
    ...                       "hidden_parts": [np.nan, 1.0, 1.0, 0.42]})
    >>> [v.tolist() for v in interval_of(cells)]
    [[nan, 0.0, 25.0, 3.0], [nan, 9.0, 34.0, 8.0]]
    """
    if HIDDEN_PARTS in cells.columns:
        known = cells[KNOWN_PART].to_numpy(float)
        hidden = cells[HIDDEN_PARTS].to_numpy(float)
    else:
        suppressed = (cells["reason"] == REASON_SUPPRESSED).to_numpy()
        known = np.where(suppressed, 0.0, np.nan)
        hidden = np.where(suppressed, 1.0, np.nan)
    slack = 1e-9  # sums of shares of addresses are not exact
    return np.floor(known + slack), np.ceil(known + hidden * (below - 1) - slack)


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
