"""The wijk-composition offset and suppressed numerators as censored counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import special

from bluezones.model import ModelSpec, fit
from bluezones.model.cells import OFFSET, REASON_SUPPRESSED
from bluezones.model.censored import fit_censored
from bluezones.model.composition import composition_offset, fit_with_composition

TRUE_SLOPE = 0.8  # per 10 points of pct_single_parent, on the wijk level
SPEC = ModelSpec(
    indicator="jeugdbescherming",
    covariates=("pct_single_parent",),
    year_effects=False,
    standardise=False,
)


def _country(seed: int = 3, gemeenten: int = 400, wijken: int = 6) -> tuple[pd.DataFrame, ...]:
    """Wijken drawn from a wijk-level logit model; gemeenten are their sums.

    The spread of the covariate within a gemeente differs between gemeenten and
    grows with its level, which is what biases a model on gemeente averages.
    """
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(gemeenten), wijken)
    centre = rng.normal(20, 4, gemeenten)[g]
    # Cities: a higher share of single parents and more difference between wijken.
    spread = np.clip(rng.uniform(0, 4, gemeenten)[g] + 0.8 * (centre - 14), 0, 16)
    x = np.clip(centre + spread * rng.standard_normal(g.size), 1, 80)
    n = rng.integers(200, 3000, g.size).astype(float)
    y = rng.binomial(n.astype(int), special.expit(-5.0 + TRUE_SLOPE * (x - 20) / 10)).astype(float)
    codes = np.array([f"GM{i:04d}" for i in range(gemeenten)])
    wijk = pd.DataFrame(
        {
            "region_code": [f"WK{c[2:]}{k % wijken:02d}" for k, c in enumerate(codes[g])],
            "gemeente_code": codes[g],
            "year": 2024,
            "y": y,
            "n": n,
            "pct_single_parent": x,
            "usable": True,
            "reason": "",
        }
    )
    sums = wijk.assign(xn=x * n).groupby("gemeente_code")[["y", "n", "xn"]].sum()
    gemeente = pd.DataFrame(
        {
            "region_code": sums.index.to_numpy(),
            "year": 2024,
            "y": sums["y"].to_numpy(),
            "n": sums["n"].to_numpy(),
            "pct_single_parent": (sums["xn"] / sums["n"]).to_numpy(),
            "usable": True,
            "reason": "",
        }
    )
    return gemeente, wijk


def _slope(fitted) -> tuple[float, float]:
    i = fitted.names.index("pct_single_parent")
    return float(fitted.beta[i] * 10), float(np.sqrt(fitted.cov[i, i]) * 10)


def test_composition_removes_the_ecological_bias_of_gemeente_averages() -> None:
    gemeente, wijk = _country()
    naive, _ = _slope(fit(gemeente, SPEC))
    fitted, cells = fit_with_composition(gemeente, wijk, SPEC, lambda c, s, _: fit(c, s))
    corrected, se = _slope(fitted)
    # Gemeenten with a wide spread use more care than their average predicts: the
    # naive slope absorbs some of it; the corrected one recovers the wijk-level slope.
    assert abs(naive - TRUE_SLOPE) > 4 * se
    assert abs(corrected - TRUE_SLOPE) < 3 * se
    assert 2 <= fitted.stats["composition_fits"] <= 8
    # At the fixed point each gemeente's expected rate is its wijken' youth-weighted mean.
    first = wijk[wijk["gemeente_code"] == gemeente["region_code"].iloc[0]]
    eta_w = fitted.beta[0] + fitted.beta[1] * first["pct_single_parent"].to_numpy()
    mixed = (first["n"] * special.expit(eta_w)).sum() / first["n"].sum()
    predicted = fitted.predict(cells.iloc[:1])["expected_rate"].iloc[0]
    assert predicted == pytest.approx(mixed, rel=1e-3)


def test_offset_is_zero_without_wijk_figures_and_predict_uses_it() -> None:
    gemeente, wijk = _country(gemeenten=60)
    fitted = fit(gemeente, SPEC)
    offset = composition_offset(gemeente, wijk[wijk["year"] == 1999], fitted)
    assert (offset == 0).all()
    offset = composition_offset(gemeente, wijk, fitted)
    assert np.abs(offset).max() > 0.01
    with_offset = gemeente.assign(**{OFFSET: offset})
    rate = fitted.predict(with_offset)["expected_rate"].to_numpy()
    plain = fitted.predict(gemeente)["expected_rate"].to_numpy()
    np.testing.assert_allclose(special.logit(rate) - special.logit(plain), offset, atol=1e-9)


def test_suppressed_counts_as_censored_remove_the_truncation_bias() -> None:
    rng = np.random.default_rng(11)
    areas = 600
    n = rng.integers(100, 2000, areas).astype(float)
    x = rng.normal(20, 5, areas)
    y = rng.binomial(n.astype(int), special.expit(-5.0 + 0.05 * (x - 20))).astype(float)
    cells = pd.DataFrame(
        {
            "region_code": [f"GM{i:04d}" for i in range(areas)],
            "year": 2024,
            "y": y,
            "n": n,
            "pct_single_parent": x,
            "usable": True,
            "reason": "",
        }
    )
    hidden = y < 10
    cells.loc[hidden, ["y", "usable", "reason"]] = [np.nan, False, REASON_SUPPRESSED]
    full = fit(cells.assign(y=y, usable=True, reason=""), SPEC)
    dropped = fit(cells, SPEC)
    censored, work = fit_censored(cells, SPEC, fit)
    se = float(np.sqrt(full.cov[0, 0]))
    # Dropping the suppressed cells keeps the lucky small areas: the rate comes out high.
    assert dropped.beta[0] - full.beta[0] > 3 * se
    assert abs(censored.beta[0] - full.beta[0]) < 1.5 * se
    assert censored.stats["censored_cells"] == int(hidden.sum())
    assert (work.loc[hidden, "censored_at"] == 9).all()
    assert work.loc[~hidden, "censored_at"].isna().all()


def test_a_size_term_takes_the_gemeente_value_in_every_wijk() -> None:
    """A gemeente's size describes it whole: its wijken are not small towns."""
    gemeente, wijk = _country(gemeenten=60)
    gemeente = gemeente.assign(population=gemeente["n"] * 5)
    wijk = wijk.assign(population=wijk["n"] * 5)
    sized = ModelSpec(
        indicator="jeugdbescherming",
        covariates=("pct_single_parent", "np.log(population)"),
        year_effects=False,
    )
    fitted = fit(gemeente, sized)
    offset = composition_offset(gemeente, wijk, fitted)
    # Each wijk's linear predictor is its gemeente's plus the single-parent term's
    # difference only: the size term is the gemeente's in every wijk.
    column = fitted.design.columns.index("pct_single_parent")
    slope = fitted.beta[1 + column] / fitted.design.sds[column]
    for k in range(3):
        rows = wijk[wijk["gemeente_code"] == gemeente["region_code"].iloc[k]]
        eta_g = special.logit(fitted.predict(gemeente.iloc[[k]])["expected_rate"].iloc[0])
        shift = slope * (rows["pct_single_parent"] - gemeente["pct_single_parent"].iloc[k])
        rate = (rows["n"] * special.expit(eta_g + shift)).sum() / rows["n"].sum()
        assert offset[k] == pytest.approx(special.logit(rate) - eta_g, abs=1e-9)
