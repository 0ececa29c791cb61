"""Ground truth: planted areas in reference-year codes, effects, coefficients, year effects."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bluezones.indicators import INDICATORS
from bluezones.sources.demo import DemoCountry, generate
from bluezones.sources.demo.outcomes import (
    GEMEENTE_EFFECT_SD,
    MODELLED,
    PLANTED_COUNTS,
    TRUTH_SOURCE,
)

# Indicators the demo's care model generates; others (e.g. jeugdzorg) have no truth.
MODELLED_INDICATORS = {i for i in INDICATORS if TRUTH_SOURCE.get(i, i) in MODELLED}


def _reference(country: DemoCountry, level: str) -> pd.DataFrame:
    r = country.regions
    return r[(r["year"] == 2024) & (r["level"] == level)].set_index("region_code")


def test_planted_areas_use_reference_year_codes(country: DemoCountry) -> None:
    planted = country.truth_planted
    for level, counts in PLANTED_COUNTS.items():
        part = planted[planted["level"] == level]
        assert part["planted"].value_counts().to_dict() == counts
        reference = _reference(country, level)
        assert set(part["region_code"]) <= set(reference.index)
        assert (part["name"] == reference.loc[part["region_code"], "name"].to_numpy()).all()
    assert planted["region_code"].is_unique


def test_planted_wijken_lie_outside_planted_gemeenten(country: DemoCountry) -> None:
    planted = country.truth_planted
    gemeenten = set(planted.loc[planted["level"] == "gemeente", "region_code"])
    wijken = planted[planted["level"] == "wijk"]
    assert not set(wijken["gemeente_code"]) & gemeenten


def test_truth_covers_every_reference_area_and_indicator(country: DemoCountry) -> None:
    areas = country.truth_areas
    for level in ("gemeente", "wijk"):
        part = areas[areas["level"] == level]
        assert set(part["region_code"]) == set(_reference(country, level).index)
        assert set(part["indicator"]) == MODELLED_INDICATORS
        assert part.groupby("region_code").size().eq(len(MODELLED_INDICATORS)).all()
    assert (areas["scale"] == "logit").all()


def test_planted_effects_have_their_direction(country: DemoCountry) -> None:
    areas = country.truth_areas
    gm = areas[areas["level"] == "gemeente"].pivot(
        index="region_code", columns="indicator", values="effect"
    )
    label = areas[areas["level"] == "gemeente"].groupby("region_code")["planted"].first()
    assert (gm.loc[label == "low", "jeugdhulp"] < -0.3).all()
    assert (gm.loc[label == "low", "uithuisplaatsing"] < 0.1).all()
    assert (gm.loc[label == "high", "jeugdhulp"] > 0.3).all()
    escalation = gm.loc[label == "escalation"]
    assert (escalation["jeugdhulp"] < -0.3).all()
    assert (escalation["jeugdbescherming"] > 0.3).all()
    assert (escalation["uithuisplaatsing"] > 0.3).all()
    ordinary = gm.loc[label.isna(), "jeugdhulp"]
    assert abs(ordinary.std() - GEMEENTE_EFFECT_SD) < 0.04
    # Effects are correlated across indicators, as in life.
    assert (
        gm.loc[label.isna(), "jeugdbescherming"].corr(gm.loc[label.isna(), "uithuisplaatsing"])
        > 0.4
    )


def test_wijk_total_is_gemeente_plus_own(country: DemoCountry) -> None:
    areas = country.truth_areas
    g = areas[(areas["level"] == "gemeente") & (areas["indicator"] == "jeugdhulp")]
    w = areas[(areas["level"] == "wijk") & (areas["indicator"] == "jeugdhulp")]
    g_effect = g.set_index("region_code")["effect"]
    expected = w["effect"].to_numpy() + g_effect.loc[w["gemeente_code"]].to_numpy()
    assert np.allclose(w["total_effect"], expected)


def test_coefficients_have_the_signs_of_the_literature(country: DemoCountry) -> None:
    coef = country.truth_coefficients
    for name, part in coef.groupby("indicator"):
        c = part.set_index("term")["coefficient"]
        for term in ("pct_single_parent", "pct_social_assistance", "pct_parent_psych"):
            assert c[term] > 0, (name, term)
        assert c["pct_special_education"] > 0
        assert c["mean_income"] < 0
    assert set(coef["indicator"]) == MODELLED_INDICATORS


def test_year_effects_carry_the_2021_break(country: DemoCountry) -> None:
    years = country.truth_years
    jh = years[years["indicator"] == "jeugdhulp"].set_index("year")
    assert jh.loc[2021, "break_step"] - jh.loc[2020, "break_step"] >= 0.1
    assert 0 < jh.loc[2020, "break_step"] - jh.loc[2019, "break_step"] < 0.1
    assert jh.loc[2024, "year_effect"] == jh.loc[2024, "shock"]  # the reference year
    jb = years[years["indicator"] == "jeugdbescherming"]
    assert (jb["break_step"] == 0).all()


def test_a_null_country_plants_nothing_and_differs_only_there(country: DemoCountry) -> None:
    years = range(2023, 2025)
    seed = country.meta["seed"]
    planted, null = generate(seed, years=years), generate(seed, years=years, plant=False)
    assert null.truth_planted.empty and list(null.truth_planted.columns) == list(
        planted.truth_planted.columns
    )
    assert null.truth_areas["planted"].isna().all() and null.meta["planted"] is False
    assert "planted" not in planted.meta  # so planted countries keep their bytes
    # Everything but the planted areas' effects is drawn the same.
    pd.testing.assert_frame_equal(null.regions, planted.regions)
    pd.testing.assert_frame_equal(null.geometries, planted.geometries)
    was_planted = null.truth_areas["region_code"].isin(planted.truth_planted["region_code"])
    gemeente_level = null.truth_areas["level"] == "gemeente"
    same = ~was_planted & gemeente_level
    np.testing.assert_array_equal(
        null.truth_areas.loc[same, "effect"], planted.truth_areas.loc[same, "effect"]
    )
    assert (
        null.truth_areas.loc[was_planted, "effect"]
        != planted.truth_areas.loc[was_planted, "effect"]
    ).any()
    population = planted.facts["measure"] == "youth_0_17"
    pd.testing.assert_frame_equal(
        null.facts[population].reset_index(drop=True),
        planted.facts[population].reset_index(drop=True),
    )
