"""Expected use: model specifications, cells, fitted models and expected counts.

>>> from bluezones.model import ModelSpec
>>> ModelSpec(indicator="ots", random="persistent").definition.denominator
'youth_0_17'
"""

from __future__ import annotations

import pandas as pd

from bluezones.model.cells import cells_from_facts, wide
from bluezones.model.fitted import FittedModel
from bluezones.model.glm import fit_glm
from bluezones.model.hierarchical import fit_hierarchical, random_effects
from bluezones.model.report import ModelReport, model_report
from bluezones.model.spec import DEFAULT_COVARIATES, ModelSpec

__all__ = [
    "DEFAULT_COVARIATES",
    "FittedModel",
    "ModelReport",
    "ModelSpec",
    "cells_from_facts",
    "fit",
    "fit_glm",
    "fit_hierarchical",
    "model_report",
    "random_effects",
    "wide",
]


def fit(
    cells: pd.DataFrame,
    spec: ModelSpec,
    *,
    start: FittedModel | None = None,
    hold_sds: bool = False,
) -> FittedModel:
    """Fit ``spec`` to ``cells``: a GLM, or a GLMM when the spec has random effects.

    ``start`` is an earlier fit of the same spec on similar cells: a GLMM starts
    its optimiser there, or with ``hold_sds`` keeps its sds and finds only the
    coefficients (an intermediate fit). A GLM needs neither.
    """
    if spec.random == "none":
        return fit_glm(cells, spec)
    return fit_hierarchical(cells, spec, start=start, hold_sds=hold_sds)
