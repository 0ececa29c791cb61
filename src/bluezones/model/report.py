"""How good is the model? Fit statistics, a cross-validated check, warnings.

The cross-validated check holds out whole areas (all their years together), so
it measures how well the model predicts an area it has not seen, which is what
an expected value for a BlueZone candidate claims to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bluezones.errors import ModelError
from bluezones.model import _irls
from bluezones.model.fitted import FittedModel

__all__ = ["CV_FOLDS", "ModelReport", "cross_validate", "model_report"]

CV_FOLDS = 5


@dataclass(frozen=True)
class ModelReport:
    """Numbers that tell how much the model explains and how well it predicts."""

    coefficients: pd.DataFrame
    summary: dict[str, Any]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "coefficients": self.coefficients.to_dict(orient="records"),
            "summary": self.summary,
            "warnings": list(self.warnings),
        }


def model_report(
    fitted: FittedModel, cells: pd.DataFrame, *, folds: int = CV_FOLDS, seed: int = 0
) -> ModelReport:
    """Coefficients with intervals, deviance explained, pseudo-R², dispersion, CV check."""
    s = fitted.stats
    summary = {
        "cells": s["n_cells"],
        "cells_used": s["n_used"],
        "parameters": s["n_parameters"],
        "deviance_explained": 1 - s["deviance"] / s["null_deviance"],
        "pseudo_r2_mcfadden": 1 - s["loglik"] / s["null_loglik"],
        "dispersion": fitted.dispersion,
        "aic": s["aic"],
    }
    summary.update(cross_validate(fitted, cells, folds=folds, seed=seed))
    return ModelReport(fitted.coefficients(), summary, fitted.warnings)


def cross_validate(
    fitted: FittedModel, cells: pd.DataFrame, *, folds: int = CV_FOLDS, seed: int = 0
) -> dict[str, float]:
    """Refit with whole areas held out; score the held-out predictions.

    Returns the cross-validated deviance explained (against each fold's
    training mean rate) and the n-weighted correlation of observed and
    predicted rates over held-out cells.
    """
    from bluezones.model.glm import fit_glm  # the refit; imported here to avoid a cycle

    use = cells[cells["usable"]].reset_index(drop=True)
    areas = use["region_code"].unique()
    if len(areas) < folds:
        raise ModelError(
            f"Cross-validation needs at least {folds} areas; there are {len(areas)}.",
            hint="Fit on more areas, or lower the number of folds.",
        )
    rng = np.random.default_rng(seed)
    fold_of = dict(zip(areas, rng.permutation(len(areas)) % folds, strict=True))
    fold = use["region_code"].map(fold_of).to_numpy()
    predicted = np.empty(len(use))
    baseline = np.empty(len(use))
    for k in range(folds):
        train, test = use[fold != k], use[fold == k]
        model = fit_glm(train, fitted.spec)
        predicted[fold == k] = model.predict(test)["expected"].to_numpy()
        baseline[fold == k] = test["n"].to_numpy() * train["y"].sum() / train["n"].sum()
    y, n = use["y"].to_numpy(float), use["n"].to_numpy(float)
    family = fitted.spec.family
    dev = _irls.deviance(y, predicted, n, family)
    dev0 = _irls.deviance(y, baseline, n, family)
    return {
        "cv_folds": folds,
        "cv_deviance_explained": 1 - dev / dev0,
        "cv_rate_correlation": _weighted_corr(y / n, predicted / n, n),
    }


def _weighted_corr(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> float:
    ma, mb = np.average(a, weights=w), np.average(b, weights=w)
    cov = np.average((a - ma) * (b - mb), weights=w)
    va, vb = np.average((a - ma) ** 2, weights=w), np.average((b - mb) ** 2, weights=w)
    return float(cov / np.sqrt(va * vb))
