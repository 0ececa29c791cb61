"""Covariates and care use: correlations, rates, the 2021 break, planted signal."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from bluezones.indicators import INDICATORS
from bluezones.sources.demo import DemoCountry
from bluezones.sources.demo.outcomes import MODELLED, TRUTH_SOURCE

# Plausible national rates (% of the denominator) in any year 2015-2024.
RATE_RANGES = {
    "jeugdhulp": (9.0, 14.0),
    "jeugdbescherming": (0.9, 1.8),
    "ots": (0.6, 1.2),
    "jeugdreclassering": (0.2, 0.7),  # over youth 12-22; suppression lifts it a little
    "uithuisplaatsing": (0.5, 1.2),
    "jeugdhulp_met_verblijf": (0.7, 1.5),
}


def _national_rate(frame: pd.DataFrame, indicator: str) -> pd.Series:
    ind = INDICATORS[indicator]
    known = frame[frame[ind.numerator].notna()]
    sums = known.groupby("year")[[ind.numerator, ind.denominator]].sum()
    return 100 * sums[ind.numerator] / sums[ind.denominator]


@pytest.mark.parametrize(
    ("x", "y", "sign"),
    [
        ("address_density", "pct_single_parent", 1),
        ("address_density", "pct_social_assistance", 1),
        ("address_density", "pct_migration_nonwestern", 1),
        ("address_density", "mean_income", -1),
        ("pct_social_assistance", "mean_income", -1),
        ("pct_social_assistance", "pct_low_income", 1),
        ("pct_parent_psych", "pct_special_education", 1),
    ],
)
def test_covariates_correlate_as_in_life(wijken: pd.DataFrame, x: str, y: str, sign: int) -> None:
    w = wijken[wijken["year"] == 2024]
    r = np.corrcoef(np.log(w[x]), w[y])[0, 1] if x == "address_density" else w[x].corr(w[y])
    assert sign * r > 0.15, r
    assert abs(r) < 0.95, "covariates should not be collinear"


def test_covariates_drift_slowly(wijken: pd.DataFrame) -> None:
    w = wijken.set_index(["region_code", "year"])["pct_social_assistance"].unstack()
    both = w[[2015, 2024]].dropna()
    assert both[2015].corr(both[2024]) > 0.8
    assert (both[2015] != both[2024]).mean() > 0.5


def test_covariates_in_plausible_ranges(gemeenten: pd.DataFrame) -> None:
    g = gemeenten[gemeenten["year"] == 2024]
    assert g["pct_single_parent"].between(2, 60).all()
    assert g["pct_social_assistance"].between(0, 30).all()
    assert g["pct_migration_nonwestern"].between(0, 80).all()
    assert g["mean_income"].between(15, 60).all()
    assert g["address_density"].between(20, 9_000).all()


@pytest.mark.parametrize("indicator", sorted(RATE_RANGES))
def test_national_rates_are_plausible(gemeenten: pd.DataFrame, indicator: str) -> None:
    low, high = RATE_RANGES[indicator]
    rates = _national_rate(gemeenten, indicator)
    assert len(rates) == 10
    assert rates.between(low, high).all(), rates.round(2).to_dict()


def test_the_2021_break_is_visible(gemeenten: pd.DataFrame) -> None:
    rate = _national_rate(gemeenten, "jeugdhulp")
    steps = rate.diff().dropna()
    assert steps[2021] > 0.8  # percentage points
    assert steps[2021] > 2 * steps.drop(2021).abs().max()
    assert steps[2020] > 0  # the small break


def test_every_area_year_has_every_measure(country: DemoCountry) -> None:
    per_area = country.facts.groupby(["region_code", "year"])["measure"].nunique()
    n_measures = country.facts["measure"].nunique()
    assert n_measures == 23
    assert (per_area == n_measures).all()
    assert not country.facts.duplicated(["region_code", "year", "measure"]).any()


@pytest.mark.parametrize(
    "indicator", sorted(i for i in INDICATORS if TRUTH_SOURCE.get(i, i) in MODELLED)
)
def test_numerators_never_exceed_denominators(
    gemeenten: pd.DataFrame, wijken: pd.DataFrame, indicator: str
) -> None:
    ind = INDICATORS[indicator]
    for frame in (gemeenten, wijken):
        known = frame[frame[ind.numerator].notna()]
        assert (known[ind.numerator] <= known[ind.denominator]).all()


def test_care_measures_nest(gemeenten: pd.DataFrame) -> None:
    def at_most(small: str, large: str) -> bool:
        both = gemeenten[[small, large]].dropna()
        assert len(both) > 500
        return bool((both[small] <= both[large]).all())

    assert at_most("jeugdhulp_zonder_verblijf", "jeugdhulp")
    assert at_most("jeugdhulp_met_verblijf", "jeugdhulp")
    assert at_most("jeugdhulp", "jeugdzorg")
    assert at_most("ots", "jeugdbescherming")
    assert at_most("ots_ended", "ots")


def test_ots_duration_is_a_plausible_mean(gemeenten: pd.DataFrame) -> None:
    days = gemeenten["ots_duration_days"].dropna()
    assert len(days) > 1_000
    assert days.between(200, 2_000).all()
    assert 550 < days.median() < 750


def _log_observed_over_expected(
    gemeenten: pd.DataFrame, country: DemoCountry, indicator: str
) -> pd.Series:
    """Mean log(O/E) 2021-2024 per gemeente, E from the true model on published covariates."""
    g = gemeenten[gemeenten["year"] >= 2021]
    coef = country.truth_coefficients
    coef = coef[coef["indicator"] == indicator].set_index("term")
    eta = np.full(len(g), coef.loc["intercept", "coefficient"])
    for term, row in coef.drop("intercept").iterrows():
        x = np.log(g[term]) if row["transform"] == "log" else g[term]
        eta = eta + row["coefficient"] * (x.to_numpy() - row["centre"]) / row["scale"]
    years = country.truth_years
    effect = years[years["indicator"] == indicator].set_index("year")["year_effect"]
    eta = eta + g["year"].map(effect).to_numpy()
    denominator = g[INDICATORS[indicator].denominator].to_numpy()
    ratio = np.log(g[indicator].to_numpy() / (denominator * expit(eta)))
    return pd.Series(ratio, index=g["region_code"]).groupby(level=0).mean()


def test_planted_gemeenten_stand_out_but_not_trivially(
    gemeenten: pd.DataFrame, country: DemoCountry
) -> None:
    planted = country.truth_planted
    labels = planted[planted["level"] == "gemeente"].set_index("region_code")["planted"]
    jh = _log_observed_over_expected(gemeenten, country, "jeugdhulp")
    uhp = _log_observed_over_expected(gemeenten, country, "uithuisplaatsing")
    by_label = jh.groupby(jh.index.map(labels).fillna("none"))
    assert by_label.mean()["low"] < -0.25
    assert by_label.mean()["high"] > 0.25
    assert by_label.mean()["escalation"] < -0.25
    assert uhp[labels[labels == "escalation"].index].mean() > 0.25
    assert uhp[labels[labels == "low"].index].mean() < 0.1
    spread = jh[~jh.index.isin(labels.index)].std()
    assert 0.08 < spread < 0.3  # planted effects are a few, not dozens, of SDs away
