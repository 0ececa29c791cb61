"""The demo country's size and shape: years, gemeenten, jeugdregio's, wijken, names, API."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import bluezones.sources.demo as demo
from bluezones.config import Settings
from bluezones.errors import ConfigError
from bluezones.regions.codes import check_code
from bluezones.sources.demo import DemoCountry, generate

# Gemeenten per year as in reality (CBS): mergers reduce the count on 1 January.
GEMEENTEN_PER_YEAR = {
    2015: 393, 2016: 390, 2017: 388, 2018: 380, 2019: 355,
    2020: 355, 2021: 352, 2022: 345, 2023: 342, 2024: 342,
}  # fmt: skip


def test_public_names() -> None:
    assert demo.__all__ == ["DemoCountry", "generate"]


def test_default_seed_is_the_settings_seed(country: DemoCountry) -> None:
    assert country.meta["seed"] == Settings().seed


def test_years(country: DemoCountry) -> None:
    assert sorted(country.facts["year"].unique()) == list(range(2015, 2025))
    assert sorted(country.regions["year"].unique()) == list(range(2015, 2025))


def test_gemeenten_per_year_follow_reality(country: DemoCountry) -> None:
    gm = country.facts[country.facts["region_code"].str.startswith("GM")]
    counts = gm.groupby("year")["region_code"].nunique().to_dict()
    assert counts == GEMEENTEN_PER_YEAR
    regions = country.regions[country.regions["level"] == "gemeente"]
    assert regions.groupby("year").size().to_dict() == GEMEENTEN_PER_YEAR


def test_jeugdregios(country: DemoCountry) -> None:
    regions = country.regions[country.regions["year"] == 2024]
    jz = regions[regions["level"] == "jeugdregio"]
    assert list(jz["region_code"]) == [f"JZ{i:02d}" for i in range(1, 43)]
    gm = regions[regions["level"] == "gemeente"]
    assert gm["jeugdregio_code"].notna().all()
    assert gm["jeugdregio_code"].nunique() == 42
    # Every jeugdregio has several gemeenten (the islands joined mainland regions).
    assert gm.groupby("jeugdregio_code").size().min() >= 2


def test_wijken(country: DemoCountry) -> None:
    regions = country.regions
    wk = regions[(regions["level"] == "wijk") & (regions["year"] == 2024)]
    assert 2_700 <= len(wk) <= 3_300
    for code, gem in zip(wk["region_code"], wk["gemeente_code"], strict=True):
        check_code(code, "wijk")
        assert code[2:6] == gem[2:], (code, gem)


def test_every_code_is_well_formed_and_levels_match(country: DemoCountry) -> None:
    for level, part in country.regions.groupby("level"):
        for code in part["region_code"].unique():
            assert check_code(code, level) == code


def test_youth_is_heavy_tailed(gemeenten: pd.DataFrame) -> None:
    youth = gemeenten.loc[gemeenten["year"] == 2024, "youth_0_17"]
    assert 100 <= youth.min() <= 1_000
    assert 120_000 <= youth.max() <= 180_000
    assert 3_000 <= youth.median() <= 8_000
    assert youth.max() / youth.median() > 15
    assert youth.mean() > 1.3 * youth.median()
    assert (youth > 50_000).sum() >= 3  # a handful of big cities


def test_population_counts_fit_together(gemeenten: pd.DataFrame) -> None:
    g = gemeenten
    assert (g["youth_0_17"] < g["population"]).all()
    assert (g["households_with_children"] <= g["households"]).all()
    assert (g["households"] < g["population"]).all()
    share = g["youth_0_17"] / g["population"]
    assert share.between(0.1, 0.32).all()


def test_names_are_dutch_like_and_unique(country: DemoCountry) -> None:
    gm = country.regions[country.regions["level"] == "gemeente"]
    for _, part in gm.groupby("year"):
        assert part["name"].is_unique
    names = gm["name"].unique()
    assert any(name.startswith("'s-") for name in names)
    assert any(re.search(r"[âúêûô]", name) for name in names)
    assert not any(name.isascii() and name.lower() == name for name in names)


def test_short_run_reports_progress_prints_nothing_and_keeps_the_reference_count(
    capsys: pytest.CaptureFixture[str],
) -> None:
    calls: list[tuple[str, int, int]] = []
    small = generate(5, years=range(2021, 2025), progress=lambda *call: calls.append(call))
    assert capsys.readouterr() == ("", "")
    assert [done for _, done, _ in calls] == list(range(1, len(calls) + 1))
    assert all(total == len(calls) for _, _, total in calls)
    assert calls[0][0] == "geography"
    gm = small.facts[small.facts["region_code"].str.startswith("GM")]
    counts = gm.groupby("year")["region_code"].nunique().to_dict()
    assert counts == {y: GEMEENTEN_PER_YEAR[y] for y in range(2021, 2025)}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": -1}, "seed"),
        ({"years": [2015, 2017]}, "consecutive"),
        ({"years": range(2015, 2025), "reference_year": 2022}, "reference year"),
    ],
)
def test_bad_arguments_are_config_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        generate(**kwargs)
    assert info.value.hint


def test_frames_have_store_dtypes(country: DemoCountry) -> None:
    assert np.issubdtype(country.facts["year"].dtype, np.integer)
    assert np.issubdtype(country.facts["value"].dtype, np.floating)
    assert np.issubdtype(country.crosswalk["weight"].dtype, np.floating)
