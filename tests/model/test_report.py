"""The model report: fit statistics and the cross-validated check."""

from __future__ import annotations

import numpy as np
import pytest

from bluezones.errors import ModelError
from bluezones.model.glm import fit_glm
from bluezones.model.report import model_report
from bluezones.model.spec import ModelSpec

COVARIATES = ("pct_single_parent", "pct_social_assistance", "np.log(address_density)")


def test_report_on_informative_covariates(make_cells) -> None:
    cells = make_cells(seed=11)
    fitted = fit_glm(cells, ModelSpec(covariates=COVARIATES))
    report = model_report(fitted, cells)
    s = report.summary
    assert 0.3 < s["deviance_explained"] < 1
    # Out of sample the model explains less than in sample, but still a lot.
    assert 0.2 < s["cv_deviance_explained"] < s["deviance_explained"]
    assert s["cv_rate_correlation"] > 0.5
    assert list(report.coefficients["term"][:2]) == ["Intercept", "pct_single_parent"]
    lo, hi = report.coefficients[["ci_low", "ci_high"]].to_numpy().T
    assert (lo < report.coefficients["estimate"]).all() and (hi > lo).all()
    # Three years per area: the errors clustered by area are given beside the GLM's own.
    assert s["areas"] == cells["region_code"].nunique()
    lo, hi = report.coefficients[["ci_low_area", "ci_high_area"]].to_numpy().T
    assert (lo < report.coefficients["estimate"]).all() and (hi > lo).all()


def test_noise_covariate_does_not_predict_out_of_sample(make_cells) -> None:
    cells = make_cells(seed=12)
    rng = np.random.default_rng(0)
    cells["pct_special_education"] = rng.normal(size=len(cells))
    spec = ModelSpec(covariates=("pct_special_education",), year_effects=False)
    report = model_report(fit_glm(cells, spec), cells)
    assert report.summary["cv_deviance_explained"] < 0.01


def test_too_few_areas_for_cross_validation(make_cells) -> None:
    cells = make_cells(seed=1, areas=4)
    fitted = fit_glm(cells, ModelSpec(covariates=("pct_single_parent",)))
    with pytest.raises(ModelError, match="at least 5 areas"):
        model_report(fitted, cells)
