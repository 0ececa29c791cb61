"""Expected use of a gemeente from the composition of its wijken.

A gemeente's rate is the youth-weighted mean of its wijken's rates, and the
logit of a mean is not the mean of the logits. A model on gemeente averages of
the covariates therefore misses the spread *within* a gemeente: where its wijken
differ a lot (a city with rich and poor wijken), more young people use care
than its averages predict, because a rare outcome's rate is convex in the
linear predictor (to first order the gap is half the variance of the wijken's
linear predictors). On the demo country this ecological bias is the largest
error of the gemeente-level expectation for the rarer indicators (protection,
probation, placements): it is real, it varies between gemeenten, and no
gemeente-level covariate captures it.

The correction keeps the gemeente model and adds an offset per gemeente and
year::

    offset_gt = logit( sum_w n_wt expit(eta_wt) / sum_w n_wt ) - eta_gt

where ``eta_wt`` is the model's linear predictor for wijk ``w`` (its own
covariates, the same coefficients) and ``eta_gt`` the gemeente's. With the
offset the gemeente's expected rate is the youth-weighted mean of its wijken's
expected rates: the expectation from who lives in each wijk. The coefficients
and the offsets depend on each other; :func:`fit_with_composition` refits until
the offsets settle (a fixed point, reached in three to six fits). Wijken
without covariates or youths are left out of their gemeente's sum; a gemeente
and year without any wijk figures gets offset 0 (no correction).

Only covariates that describe who lives somewhere vary between a gemeente's
wijken: shares, means, ratios of counts (a density). A term over a count alone,
such as ``np.log(population)``, describes the gemeente as a whole (its size):
the wijken of a gemeente take the gemeente's value of such a term
(:func:`size_terms`). Read per wijk it would say that Rotterdam consists of
fifty small towns, and on the real 2021/2022 extracts that made Rotterdam's
expectation twice its use.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import special

from bluezones.errors import ModelError
from bluezones.indicators import MEASURES
from bluezones.model.cells import OFFSET
from bluezones.model.design import build_design
from bluezones.model.fitted import FittedModel
from bluezones.model.spec import ModelSpec

__all__ = ["COMPOSITION_TOLERANCE", "composition_offset", "fit_with_composition", "size_terms"]

# Largest change of any offset (logit scale) at which the fixed point counts as reached.
COMPOSITION_TOLERANCE = 1e-3
MAX_FITS = 8
# Full refits after ``finish`` when its coefficients move the offsets again.
FINISH_FITS = 2


def size_terms(columns: tuple[str, ...]) -> list[str]:
    """The design columns that describe an area as a whole: over counts, and no ratio.

    >>> size_terms(("np.log(population)", "I(100 * youth_15_24 / population)",
    ...             "np.log(population / land_area)", "pct_single_parent", "land_area"))
    ['np.log(population)', 'land_area']
    """
    out = []
    for column in columns:
        names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", column))
        counts = [n for n in names if n in MEASURES and MEASURES[n].kind == "count"]
        if counts and "/" not in column:
            out.append(column)
    return out


def composition_offset(
    cells: pd.DataFrame, wijken: pd.DataFrame, fitted: FittedModel
) -> np.ndarray:
    """The offset of every gemeente cell from its wijken under ``fitted``'s coefficients.

    Parameters
    ----------
    cells
        Gemeente cells (``region_code``, ``year`` and the model's covariates).
    wijken
        Wijk cells of the same model (``gemeente_code``, ``year``, ``n`` and the
        covariates); their numerators are not used.
    fitted
        A binomial model fitted on ``cells``.
    """
    if fitted.spec.family != "binomial":
        raise ModelError(
            "The wijk-composition correction is for binomial models.",
            hint="Use family='binomial', or switch the correction off.",
        )
    X_g, _ = build_design(cells, fitted.spec, fitted.design)
    eta_g = X_g @ fitted.beta
    years = set(fitted.design.years)
    part = wijken[wijken["year"].isin(years)]
    if part.empty:
        return np.zeros(len(cells))
    X_w, _ = build_design(part, fitted.spec, fitted.design)
    _gemeente_values(X_w, part, X_g, cells, fitted.design.columns)
    eta_w = X_w @ fitted.beta
    n_w = part["n"].to_numpy(float)
    ok = np.isfinite(eta_w) & (n_w > 0)
    frame = pd.DataFrame(
        {
            "gemeente_code": part["gemeente_code"].to_numpy()[ok],
            "year": part["year"].to_numpy()[ok],
            "n": n_w[ok],
            "expected": n_w[ok] * special.expit(eta_w[ok]),
        }
    )
    sums = frame.groupby(["gemeente_code", "year"])[["n", "expected"]].sum()
    rate = sums["expected"] / sums["n"]
    key = pd.MultiIndex.from_arrays([cells["region_code"], cells["year"]])
    mixed = special.logit(rate.reindex(key).to_numpy())
    offset = mixed - eta_g
    return np.where(np.isfinite(offset), offset, 0.0)


def _gemeente_values(
    X_w: np.ndarray,
    wijken: pd.DataFrame,
    X_g: np.ndarray,
    cells: pd.DataFrame,
    columns: tuple[str, ...],
) -> None:
    """Give each wijk its gemeente's value of the size terms (in place)."""
    sizes = [1 + columns.index(c) for c in size_terms(columns)]  # after the intercept
    if not sizes:
        return
    own = pd.DataFrame(
        X_g[:, sizes], index=pd.MultiIndex.from_frame(cells[["region_code", "year"]])
    )
    key = pd.MultiIndex.from_arrays([wijken["gemeente_code"], wijken["year"]])
    X_w[:, sizes] = own[~own.index.duplicated()].reindex(key).to_numpy(float)


def fit_with_composition(
    cells: pd.DataFrame,
    wijken: pd.DataFrame,
    spec: ModelSpec,
    fit: Callable[[pd.DataFrame, ModelSpec, FittedModel | None], FittedModel],
    *,
    tolerance: float = COMPOSITION_TOLERANCE,
    offset: np.ndarray | None = None,
    finish: Callable[[pd.DataFrame, ModelSpec, FittedModel], FittedModel] | None = None,
) -> tuple[FittedModel, pd.DataFrame]:
    """Fit ``spec`` with the wijk-composition offset at its fixed point.

    ``fit(cells, spec, previous)`` fits once; ``previous`` is the fit before
    (``None`` the first time), for a model that can start from it. ``offset``
    is where the offsets start (default 0), e.g. the fixed point of a simpler
    model. ``finish(cells, spec, last)`` refits at the fixed point, when the
    fits on the way are rougher (a GLMM with its sds held); if its coefficients
    still move the offsets by ``tolerance`` or more, up to ``FINISH_FITS`` more.
    Returns the last fitted model and the cells with their ``offset`` column.
    The number of fits and the largest offset are in the model's ``stats``
    (``composition_fits``, ``composition_max_offset``).
    """
    cells = cells.copy()
    cells[OFFSET] = 0.0 if offset is None else np.asarray(offset, dtype=float)
    fitted = fit(cells, spec, None)
    fits = 1
    unsettled = None
    for fits in range(2, MAX_FITS + 1):  # noqa: B007 (the count is reported below)
        new = composition_offset(cells, wijken, fitted)
        change = _largest_change(new, cells)
        cells[OFFSET] = new
        fitted = fit(cells, spec, fitted)
        if change < tolerance:
            break
    else:
        unsettled = f"wijk-composition offsets still moved {change:.2g} after {MAX_FITS} fits"
    if finish is not None:
        fitted = finish(cells, spec, fitted)
        fits += 1
        for _ in range(FINISH_FITS):
            new = composition_offset(cells, wijken, fitted)
            if _largest_change(new, cells) < tolerance:
                break  # the finished fit keeps the fixed point
            cells[OFFSET] = new
            fitted = finish(cells, spec, fitted)
            fits += 1
    if unsettled is not None:
        fitted = replace(fitted, warnings=(*fitted.warnings, unsettled))
    fitted.stats["composition_fits"] = fits
    fitted.stats["composition_max_offset"] = _largest_change(np.zeros(len(cells)), cells)
    return fitted, cells


def _largest_change(offset: np.ndarray, cells: pd.DataFrame) -> float:
    """The largest difference between ``offset`` and the cells' offsets."""
    return float(np.max(np.abs(offset - cells[OFFSET].to_numpy()), initial=0.0))
