"""Hierarchical models: random area intercepts, SCP's nesting, and lasting area effects.

Three random-effect structures on top of the fixed part of :class:`ModelSpec`,
fitted as a binomial GLMM by the Laplace approximation (the same objective as
``lme4::glmer``; see :mod:`bluezones.model._glmm`):

``area``
    one random intercept per area: shrunken area effects.
``nested``
    jeugdregio, gemeente and (at wijk level) wijk intercepts, as SCP's
    *Jeugdhulp in de wijk* model.
``persistent``
    a lasting area effect plus an area-by-year effect. The lasting effect is
    what a BlueZone is: an area whose use stays low year after year, not one
    with a lucky year. With year effects in the fixed part the lasting effect
    is measured against each year's national level, so the 2021 trend break
    is not pooled into it.

Counts are rounded to whole numbers first: harmonising split areas by address
shares can leave fractions, and the binomial likelihood needs whole trials.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from bluezones.errors import ModelError
from bluezones.model._glmm import GLMMResult, fit_glmm
from bluezones.model.cells import censored_bounds_of, check_cells, offset_of
from bluezones.model.design import build_design
from bluezones.model.fitted import FittedModel
from bluezones.model.spec import ModelSpec

__all__ = ["fit_hierarchical", "random_effects", "term_groups"]


def term_groups(cells: pd.DataFrame, spec: ModelSpec) -> dict[str, np.ndarray]:
    """The grouping label of every cell for each random-effect term of ``spec``."""
    area = cells["region_code"].to_numpy(str)
    if spec.random == "area":
        return {"area": area}
    if spec.random == "persistent":
        years = cells["year"].to_numpy(int).astype(str)
        return {"area": area, "area_year": np.char.add(np.char.add(area, ":"), years)}
    if spec.random == "nested":
        regio = cells["jeugdregio_code"]
        if regio.isna().any():
            bad = cells.loc[regio.isna(), "region_code"].iloc[0]
            raise ModelError(
                f"Area {bad} has no jeugdregio, which the nested model needs.",
                hint="Load region lists with jeugdregio codes (the demo has them), "
                "or use random='area'.",
                region=str(bad),
            )
        groups = {
            "jeugdregio": regio.to_numpy(str),
            "gemeente": cells["gemeente_code"].to_numpy(str),
        }
        if spec.level == "wijk":
            groups["wijk"] = area
        return groups
    raise ModelError(f"Model {spec.random!r} has no random effects.", hint="Use fit_glm.")


def fit_hierarchical(
    cells: pd.DataFrame,
    spec: ModelSpec,
    *,
    start: FittedModel | None = None,
    hold_sds: bool = False,
) -> FittedModel:
    """Fit the hierarchical model of ``spec`` to the usable cells.

    ``start``: an earlier fit of the same spec (on cells with, say, other
    offsets) whose random-effect sds and coefficients the optimiser starts from.
    ``hold_sds`` keeps the start's sds and finds only the coefficients (see
    :func:`~bluezones.model._glmm.fit_glmm`): for intermediate fits.
    """
    if spec.family != "binomial":
        raise ModelError(
            "Hierarchical models are binomial only.",
            hint="Use family='binomial', or random='none' for a Poisson GLM.",
        )
    check_cells(cells)
    use = cells["usable"].to_numpy(bool)
    X_all, state = build_design(cells, spec)
    fit_cells = cells[use]
    groups = term_groups(fit_cells, spec)
    y = np.round(fit_cells["y"].to_numpy(float))
    n = np.round(fit_cells["n"].to_numpy(float))
    warnings: list[str] = []
    if (y != fit_cells["y"].to_numpy(float)).any() or (n != fit_cells["n"].to_numpy(float)).any():
        warnings.append("counts rounded to whole numbers for the binomial likelihood")
    offset = offset_of(cells)[use]
    lower, bound = (b[use] for b in censored_bounds_of(cells))
    result = fit_glmm(
        y,
        n,
        X_all[use],
        groups,
        offset=offset,
        x_names=state.names,
        censored=bound,
        censored_from=lower,
        start=None if start is None else _start(start, groups),
        hold_sds=hold_sds,
    )
    warnings += list(result.warnings)
    if not result.converged:
        warnings.append("the hierarchical fit did not converge")
    if result.singular:
        warnings.append("singular fit: a random-effect variance is estimated as 0")
    stats = {
        "n_cells": len(cells),
        "n_used": int(use.sum()),
        "n_parameters": len(state.names) + len(result.term_names),
        "loglik": result.loglik,
        "deviance": result.deviance,
        "aic": result.aic,
        "bic": result.bic,
        "iterations": result.iterations,
        "converged": result.converged,
        "seconds": result.seconds,
        "censored_cells": int(np.isfinite(bound).sum()),
    }
    return FittedModel(
        spec=spec,
        design=state,
        beta=result.beta,
        cov=result.vcov,
        dispersion=1.0,
        scaled=False,
        stats=stats,
        warnings=tuple(warnings),
        random=_random_state(result),
    )


def _start(fitted: FittedModel, groups: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``(theta, beta)`` of an earlier fit, its sds in the order of ``groups``."""
    missing = [term for term in groups if term not in fitted.random]
    if missing:
        raise ModelError(
            f"The start model has no random-effect term {missing[0]!r}.",
            hint="Start from a fit of the same specification.",
        )
    theta = np.array([float(fitted.random[term]["sd"]) for term in groups])
    return theta, np.asarray(fitted.beta, dtype=float)


def _random_state(result: GLMMResult) -> dict[str, Any]:
    """Random effects in JSON-friendly form: per term its SD and the modes per level."""
    return {
        term: {
            "sd": float(sd),
            "levels": [str(v) for v in result.levels[term]],
            "effect": result.ranef[term].tolist(),
            "effect_sd": result.ranef_sd_total[term].tolist(),
            "effect_sd_conditional": result.ranef_sd[term].tolist(),
        }
        for term, sd in zip(result.term_names, result.theta, strict=True)
    }


def random_effects(fitted: FittedModel, term: str) -> pd.DataFrame:
    """Conditional modes of one term: ``level, effect, effect_sd`` (logit scale).

    ``effect_sd`` includes the uncertainty of the fixed effects; lme4's
    conditional SD (given them) is kept in the model as ``effect_sd_conditional``.
    """
    if term not in fitted.random:
        raise ModelError(
            f"The model has no random-effect term {term!r}.",
            hint=f"Its terms are: {', '.join(fitted.random) or 'none'}.",
        )
    part = fitted.random[term]
    return pd.DataFrame(
        {"level": part["levels"], "effect": part["effect"], "effect_sd": part["effect_sd"]}
    )
