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
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import special

from bluezones.errors import ModelError
from bluezones.model.cells import OFFSET
from bluezones.model.design import build_design
from bluezones.model.fitted import FittedModel
from bluezones.model.spec import ModelSpec

__all__ = ["COMPOSITION_TOLERANCE", "composition_offset", "fit_with_composition"]

# Largest change of any offset (logit scale) at which the fixed point counts as reached.
COMPOSITION_TOLERANCE = 1e-3
MAX_FITS = 8
# Full refits after ``finish`` when its coefficients move the offsets again.
FINISH_FITS = 2


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
        change = float(np.max(np.abs(new - cells[OFFSET].to_numpy()), initial=0.0))
        cells[OFFSET] = new
        fitted = fit(cells, spec, fitted)
        if change < tolerance:
            break
    else:
        unsettled = f"wijk-composition offsets still moved {change:.2g} after {MAX_FITS} fits"
    if finish is not None:
        fitted = finish(cells, spec, fitted)
        for _ in range(FINISH_FITS):
            new = composition_offset(cells, wijken, fitted)
            if np.max(np.abs(new - cells[OFFSET].to_numpy()), initial=0.0) < tolerance:
                break  # the finished fit keeps the fixed point
            cells[OFFSET] = new
            fitted = finish(cells, spec, fitted)
            fits += 1
    if unsettled is not None:
        fitted = replace(fitted, warnings=(*fitted.warnings, unsettled))
    fitted.stats["composition_fits"] = fits
    fitted.stats["composition_max_offset"] = float(
        np.max(np.abs(cells[OFFSET].to_numpy()), initial=0.0)
    )
    return fitted, cells
