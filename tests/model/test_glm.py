"""The GLM against statsmodels, and its behaviour on bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from bluezones.errors import ModelError
from bluezones.model.design import build_design
from bluezones.model.fitted import FittedModel
from bluezones.model.glm import fit_glm
from bluezones.model.spec import ModelSpec

COVARIATES = ("pct_single_parent", "pct_social_assistance", "np.log(address_density)")


@pytest.fixture(scope="module")
def cells(make_cells) -> pd.DataFrame:
    return make_cells()


def _statsmodels_fit(X, y, n, family, **kwargs):
    """statsmodels' fit of the same model.

    For the binomial we give proportions with ``var_weights=n``. The two-column
    ``(successes, failures)`` form gives the same coefficients and unscaled
    errors, but with ``scale='X2'`` it estimates the scale on the proportion
    scale (0.0014 where its own ``pearson_chi2 / df_resid`` is 5.0 on our test
    data), so its scaled errors are not the quasi-binomial ones.
    """
    if family == "binomial":
        model = sm.GLM(y / n, X, family=sm.families.Binomial(), var_weights=n)
    else:
        model = sm.GLM(y, X, family=sm.families.Poisson(), offset=np.log(n))
    return model.fit(tol=1e-14, **kwargs)


@pytest.mark.parametrize("family", ["binomial", "poisson"])
@pytest.mark.parametrize("standardise", [True, False])
def test_coefficients_and_errors_equal_statsmodels(cells, family, standardise) -> None:
    spec = ModelSpec(covariates=COVARIATES, family=family, standardise=standardise)
    ours = fit_glm(cells, spec)
    X, _ = build_design(cells, spec)
    y, n = cells["y"].to_numpy(), cells["n"].to_numpy()
    fit = _statsmodels_fit(X, y, n, family, scale="X2")
    np.testing.assert_allclose(ours.beta, fit.params, rtol=0, atol=1e-8)
    np.testing.assert_allclose(np.sqrt(np.diag(ours.cov)), fit.bse, rtol=1e-8)
    assert ours.dispersion == pytest.approx(fit.scale, rel=1e-10)
    assert ours.stats["deviance"] == pytest.approx(fit.deviance, rel=1e-10)
    assert ours.stats["null_deviance"] == pytest.approx(fit.null_deviance, rel=1e-8)
    # statsmodels divides the log-likelihood by the scale; ours is the plain likelihood,
    # which for the binomial includes the binomial coefficients (the two-column form's llf).
    if family == "binomial":
        plain = sm.GLM(np.column_stack([y, n - y]), X, family=sm.families.Binomial())
        llf = plain.fit(tol=1e-14).llf
    else:
        llf = _statsmodels_fit(X, y, n, family).llf
    assert ours.stats["loglik"] == pytest.approx(llf, rel=1e-10)


def test_expected_counts_sum_to_observed_per_year(cells) -> None:
    """Canonical link with year intercepts: sum of expected = sum of observed in each year."""
    fitted = fit_glm(cells, ModelSpec(covariates=COVARIATES))
    pred = fitted.predict(cells)
    both = pred.assign(y=cells["y"]).groupby("year")[["expected", "y"]].sum()
    np.testing.assert_allclose(both["expected"], both["y"], rtol=1e-9)


def test_save_and_load_give_the_same_predictions(cells, tmp_path) -> None:
    fitted = fit_glm(cells, ModelSpec(covariates=COVARIATES))
    loaded = FittedModel.load(fitted.save(tmp_path / "model.json"))
    assert loaded.spec == fitted.spec
    pd.testing.assert_frame_equal(loaded.predict(cells), fitted.predict(cells))


def test_shuffled_cells_give_the_same_fit(cells) -> None:
    spec = ModelSpec(covariates=COVARIATES)
    a = fit_glm(cells, spec)
    b = fit_glm(cells.sample(frac=1, random_state=3).reset_index(drop=True), spec)
    np.testing.assert_allclose(a.beta, b.beta, atol=1e-10)


def test_unusable_cells_are_predicted_but_not_fitted(cells) -> None:
    spec = ModelSpec(covariates=COVARIATES)
    hidden = cells.copy()
    hidden.loc[0, ["y", "usable", "reason"]] = [np.nan, False, "teller onderdrukt"]
    fitted = fit_glm(hidden, spec)
    assert fitted.stats["n_used"] == len(cells) - 1
    pred = fitted.predict(hidden)
    assert np.isfinite(pred.loc[0, "expected"])


def test_overdispersion_is_detected(make_cells) -> None:
    rng = np.random.default_rng(5)
    cells = make_cells(seed=2)
    extra = rng.normal(0, 0.4, len(cells))
    p = 1 / (1 + np.exp(-(-2.2 + extra)))
    cells["y"] = rng.binomial(cells["n"].astype(int), p).astype(float)
    fitted = fit_glm(cells, ModelSpec(covariates=COVARIATES))
    assert fitted.dispersion > 5


def test_singular_design_names_the_columns(cells) -> None:
    twin = cells.assign(pct_social_assistance=cells["pct_single_parent"] * 2.0)
    with pytest.raises(ModelError, match=r"singular.*pct_single_parent.*pct_social_assistance"):
        fit_glm(twin, ModelSpec(covariates=COVARIATES))


def test_constant_covariate_is_refused(cells) -> None:
    with pytest.raises(ModelError, match="constant"):
        fit_glm(cells.assign(pct_single_parent=3.0), ModelSpec(covariates=COVARIATES))


def test_separation_gives_a_warning(make_cells) -> None:
    """Every cell with the marker has no users: the marker's coefficient runs off to -inf."""
    cells = make_cells(seed=4, areas=60)
    marked = cells["region_code"] < "GM0010"
    cells["pct_special_education"] = marked.astype(float)
    cells.loc[marked, "y"] = 0.0
    spec = ModelSpec(covariates=("pct_single_parent", "pct_special_education"))
    fitted = fit_glm(cells, spec)
    assert any("separation" in w for w in fitted.warnings)


def test_y_above_n_is_refused(cells) -> None:
    bad = cells.copy()
    bad.loc[3, "y"] = bad.loc[3, "n"] + 1
    with pytest.raises(ModelError, match="GM0003"):
        fit_glm(bad, ModelSpec(covariates=COVARIATES))


@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_area_clustered_errors_equal_statsmodels(cells, family) -> None:
    from bluezones.model.report import area_clustered_cov

    spec = ModelSpec(covariates=COVARIATES, family=family)
    ours = area_clustered_cov(fit_glm(cells, spec), cells)
    X, _ = build_design(cells, spec)
    y, n = cells["y"].to_numpy(), cells["n"].to_numpy()
    clustered = {
        "cov_type": "cluster",
        "cov_kwds": {"groups": pd.factorize(cells["region_code"])[0]},
    }
    if family == "binomial":  # statsmodels clusters the two-column form (not var_weights)
        model = sm.GLM(np.column_stack([y, n - y]), X, family=sm.families.Binomial())
        fit = model.fit(tol=1e-14, **clustered)
    else:
        fit = _statsmodels_fit(X, y, n, family, **clustered)
    np.testing.assert_allclose(ours, fit.cov_params(), rtol=1e-7)
    one_per_area = cells.drop_duplicates("region_code")
    assert area_clustered_cov(fit_glm(one_per_area, spec), one_per_area) is None
