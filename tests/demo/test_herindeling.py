"""Herindelingen and the crosswalk: codes change as CBS changes them, totals are kept."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bluezones.regions.crosswalk import Crosswalk
from bluezones.regions.harmonise import harmonise
from bluezones.sources.demo import DemoCountry


def _codes(country: DemoCountry, level: str) -> dict[int, set[str]]:
    r = country.regions[country.regions["level"] == level]
    return {int(y): set(part["region_code"]) for y, part in r.groupby("year")}


def _changes(country: DemoCountry, kind: str) -> list[dict]:
    return [c for c in country.meta["herindelingen"] if c["kind"] == kind]


def test_every_kind_of_change_happens(country: DemoCountry) -> None:
    kinds = {c["kind"] for c in country.meta["herindelingen"]}
    assert kinds == {"new", "absorb", "split", "wijk_split"}


def test_a_new_name_gets_a_new_code_never_used_before(country: DemoCountry) -> None:
    codes = _codes(country, "gemeente")
    for change in _changes(country, "new"):
        (new,) = change["to"]
        earlier = set().union(*(codes[y] for y in codes if y < change["year"]))
        assert new not in earlier
        assert new in codes[change["year"]]
        assert not set(change["from"]) & codes[change["year"]]


def test_a_code_lives_in_one_unbroken_run_of_years(country: DemoCountry) -> None:
    for per_year in (_codes(country, "gemeente"), _codes(country, "wijk")):
        years_of: dict[str, list[int]] = {}
        for year, found in per_year.items():
            for code in found:
                years_of.setdefault(code, []).append(year)
        for code, years in years_of.items():
            assert years == list(range(min(years), max(years) + 1)), code


def test_absorbing_keeps_the_partner_code(country: DemoCountry) -> None:
    codes = _codes(country, "gemeente")
    absorbed = _changes(country, "absorb")
    assert any(c["year"] == 2022 for c in absorbed)  # like Beemster into Purmerend
    for change in absorbed:
        (keeper,) = change["to"]
        assert keeper in change["from"]
        assert keeper in codes[change["year"] - 1] and keeper in codes[change["year"]]
        gone = set(change["from"]) - {keeper}
        assert not gone & codes[change["year"]]


def test_a_split_divides_one_gemeente_by_address_shares(country: DemoCountry) -> None:
    (split,) = _changes(country, "split")
    assert split["year"] == 2021  # like Haaren
    cw = country.crosswalk
    rows = cw[(cw["level"] == "gemeente") & (cw["code_from"] == split["from"][0])]
    assert len(rows) >= 2
    assert (rows["weight"] < 1).all()
    assert set(rows["code_to"]) == set(split["to"])


def test_a_wijk_split_in_two_keeps_its_code_for_one_part(country: DemoCountry) -> None:
    cw = country.crosswalk
    for change in _changes(country, "wijk_split"):
        old = change["from"][0]
        rows = cw[(cw["level"] == "wijk") & (cw["code_from"] == old)]
        assert set(rows["code_to"]) == set(change["to"]) and old in change["to"]
        assert len(rows) == 2 and (rows["weight"] < 1).all()


def test_wijk_codes_follow_their_gemeente(country: DemoCountry) -> None:
    wk = country.regions[country.regions["level"] == "wijk"]
    assert (wk["region_code"].str[2:6] == wk["gemeente_code"].str[2:]).all()


def test_crosswalk_shape(country: DemoCountry) -> None:
    cw = country.crosswalk
    assert (cw["year_to"] == cw["year_from"] + 1).all()
    assert ((cw["weight"] > 0) & (cw["weight"] <= 1)).all()
    sums = cw.groupby(["level", "year_from", "code_from"])["weight"].sum()
    assert np.allclose(sums, 1.0, atol=1e-12)
    assert not cw.duplicated(["level", "year_from", "code_from", "code_to"]).any()
    assert set(cw["level"]) == {"gemeente", "wijk"}
    assert set(cw["year_from"]) == {2015, 2016, 2017, 2018, 2020, 2021, 2022}


@pytest.mark.parametrize("level", ["gemeente", "wijk"])
def test_crosswalk_codes_exist_and_unlisted_codes_stay(country: DemoCountry, level: str) -> None:
    codes = _codes(country, level)
    cw = country.crosswalk[country.crosswalk["level"] == level]
    for year in range(2015, 2024):
        step = cw[cw["year_from"] == year]
        assert set(step["code_from"]) <= codes[year]
        assert set(step["code_to"]) <= codes[year + 1]
        unlisted = codes[year] - set(step["code_from"])
        assert unlisted <= codes[year + 1]
        assert codes[year + 1] - unlisted <= set(step["code_to"])


def _map_to_next(values: pd.Series, step: pd.DataFrame) -> pd.Series:
    """Counts on year Y boundaries moved to year Y+1 with the crosswalk."""
    listed = step.set_index("code_from")
    moved = values.reindex(listed.index) * listed["weight"].to_numpy()
    moved = pd.Series(moved.to_numpy(), index=listed["code_to"].to_numpy())
    stay = values[~values.index.isin(listed.index)]
    return pd.concat([stay, moved]).groupby(level=0).sum()


@pytest.mark.parametrize("measure", ["youth_0_17", "population", "households"])
def test_crosswalk_conserves_totals_and_lands_close(
    country: DemoCountry, gemeenten: pd.DataFrame, measure: str
) -> None:
    cw = country.crosswalk[country.crosswalk["level"] == "gemeente"]
    by_year = gemeenten.pivot(index="region_code", columns="year", values=measure)
    for year in range(2015, 2024):
        before = by_year[year].dropna()
        after = _map_to_next(before, cw[cw["year_from"] == year])
        assert after.sum() == pytest.approx(before.sum(), rel=1e-12)
        actual = by_year[year + 1].dropna()
        assert set(after.index) == set(actual.index)
        ratio = after / actual.reindex(after.index)
        assert ratio.between(0.9, 1.1).all(), ratio.sort_values().iloc[[0, -1]]


def test_chained_crosswalk_reaches_reference_boundaries(
    country: DemoCountry, gemeenten: pd.DataFrame
) -> None:
    cw = country.crosswalk[country.crosswalk["level"] == "gemeente"]
    by_year = gemeenten.pivot(index="region_code", columns="year", values="youth_0_17")
    values = by_year[2015].dropna()
    for year in range(2015, 2024):
        values = _map_to_next(values, cw[cw["year_from"] == year])
    reference = by_year[2024].dropna()
    assert set(values.index) == set(reference.index)
    assert values.sum() == pytest.approx(by_year[2015].sum())
    # Nine years of growth and address weighting, but the same areas.
    assert np.corrcoef(values, reference.reindex(values.index))[0, 1] > 0.99


def test_wijk_crosswalk_conserves_totals(country: DemoCountry, wijken: pd.DataFrame) -> None:
    cw = country.crosswalk[country.crosswalk["level"] == "wijk"]
    by_year = wijken.pivot(index="region_code", columns="year", values="youth_0_17")
    for year in (2018, 2021, 2022):
        before = by_year[year].dropna()
        after = _map_to_next(before, cw[cw["year_from"] == year])
        assert after.sum() == pytest.approx(before.sum(), rel=1e-12)
        assert set(after.index) == set(by_year[year + 1].dropna().index)


def test_harmonising_with_the_regions_crosswalk_reaches_the_reference_gemeenten(
    country: DemoCountry,
) -> None:
    """The demo crosswalk feeds bluezones.regions as a real CBS-derived one would."""
    years = country.meta["years"]
    crosswalk = Crosswalk(country.crosswalk, span=(min(years), max(years)))
    facts = country.facts
    facts = facts[facts["region_code"].str.startswith("GM") & (facts["measure"] == "youth_0_17")]
    result = harmonise(facts, crosswalk, country.meta["reference_year"])
    reference = set(country.regions.query("year == 2024 and level == 'gemeente'")["region_code"])
    for year, part in result.groupby("year"):
        assert set(part["region_code"]) == reference, year
    before = facts.groupby("year")["value"].sum()
    after = result.groupby("year")["value"].sum()
    assert np.allclose(before, after.reindex(before.index), rtol=1e-12)
