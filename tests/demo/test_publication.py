"""CBS-style publication: rounding, suppression, provisional figures, gemeente = sum of wijken."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bluezones.sources.demo import DemoCountry
from bluezones.sources.demo.publish import CARE_MEASURES, MIN_CELL, WIJK_ROUNDING

CARE_COUNTS = [m for m in CARE_MEASURES if m != "ots_duration_days"]


def test_missing_values_carry_a_status_and_are_never_zero(country: DemoCountry) -> None:
    facts = country.facts
    suppressed = facts["status"] == "suppressed"
    assert suppressed.sum() > 1_000
    assert facts.loc[suppressed, "value"].isna().all()
    assert facts.loc[facts["value"].isna(), "status"].eq("suppressed").all()
    assert set(facts["status"].dropna().unique()) <= {"suppressed", "provisional"}


def test_only_care_measures_are_suppressed(country: DemoCountry) -> None:
    hidden = country.facts[country.facts["status"] == "suppressed"]
    assert set(hidden["measure"]) <= set(CARE_MEASURES)


def test_no_small_care_count_is_published(country: DemoCountry) -> None:
    care = country.facts[country.facts["measure"].isin(CARE_COUNTS)]
    assert (care["value"].dropna() >= MIN_CELL).all()


def test_wijk_care_counts_are_rounded_to_five(country: DemoCountry) -> None:
    facts = country.facts
    wijk = facts[facts["region_code"].str.startswith("WK") & facts["measure"].isin(CARE_COUNTS)]
    values = wijk["value"].dropna()
    assert len(values) > 10_000
    assert (values % WIJK_ROUNDING == 0).all()
    gemeente = facts[facts["region_code"].str.startswith("GM") & (facts["measure"] == "jeugdhulp")]
    assert (gemeente["value"].dropna() % WIJK_ROUNDING != 0).any()  # gemeenten are exact


def test_tiny_wijken_have_all_care_suppressed(wijken: pd.DataFrame) -> None:
    tiny = wijken[wijken["youth_0_17"] < 50]
    assert len(tiny) > 0
    assert tiny["jeugdhulp"].isna().all()
    assert tiny["uithuisplaatsing"].isna().all()


def test_last_year_is_provisional(country: DemoCountry) -> None:
    facts = country.facts
    provisional = facts[facts["status"] == "provisional"]
    assert set(provisional["year"]) == {2024}
    assert set(provisional["measure"]) <= set(CARE_MEASURES)
    care_2024 = facts[(facts["year"] == 2024) & facts["measure"].isin(CARE_MEASURES)]
    assert care_2024["status"].notna().all()
    population = facts[(facts["year"] == 2024) & (facts["measure"] == "population")]
    assert population["status"].isna().all()


def _wijk_sums(country: DemoCountry, wijken: pd.DataFrame, measure: str) -> pd.DataFrame:
    parents = country.regions[country.regions["level"] == "wijk"]
    parents = parents.set_index(["region_code", "year"])["gemeente_code"]
    w = wijken.set_index(["region_code", "year"])
    w["gemeente"] = parents.reindex(w.index).to_numpy()
    return w.groupby(["gemeente", "year"])[measure].agg(["sum", "count", "size"])


def test_gemeente_population_is_the_sum_of_its_wijken(
    country: DemoCountry, gemeenten: pd.DataFrame, wijken: pd.DataFrame
) -> None:
    for measure in ("population", "youth_0_17", "youth_12_22", "households"):
        sums = _wijk_sums(country, wijken, measure)["sum"]
        g = gemeenten.set_index(["region_code", "year"])[measure]
        assert np.array_equal(g.sort_index().to_numpy(), sums.sort_index().to_numpy()), measure


def test_gemeente_care_counts_match_their_wijken_up_to_rounding(
    country: DemoCountry, gemeenten: pd.DataFrame, wijken: pd.DataFrame
) -> None:
    sums = _wijk_sums(country, wijken, "jeugdhulp")
    complete = sums[sums["count"] == sums["size"]]
    g = gemeenten.set_index(["region_code", "year"])["jeugdhulp"].reindex(complete.index)
    gap = (g - complete["sum"]).abs()
    assert len(gap) > 1_000
    assert (gap <= WIJK_ROUNDING / 2 * complete["size"]).all()


def test_shares_are_weighted_means_of_the_wijken(
    country: DemoCountry, gemeenten: pd.DataFrame, wijken: pd.DataFrame
) -> None:
    parents = country.regions[country.regions["level"] == "wijk"]
    parents = parents.set_index(["region_code", "year"])["gemeente_code"]
    w = wijken.set_index(["region_code", "year"])
    w["gemeente"] = parents.reindex(w.index).to_numpy()
    w["weighted"] = w["pct_migration_nonwestern"] * w["population"]
    sums = w.groupby(["gemeente", "year"])[["weighted", "population"]].sum()
    mean = (sums["weighted"] / sums["population"]).sort_index()
    g = gemeenten.set_index(["region_code", "year"])["pct_migration_nonwestern"].sort_index()
    # Wijk shares are rounded to one decimal before this check, gemeente shares after.
    assert np.allclose(g.to_numpy(), mean.to_numpy(), atol=0.1)
