"""The synthetic microdata: deterministic, and consistent with the demo country."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from bluezones.microdata import GeneratedMicrodata, generate_microdata
from bluezones.microdata.synthetic import _demo_atoms
from bluezones.sources.demo import DemoCountry

from .conftest import SEED


def test_same_seed_same_bytes(tmp_path: Path, small: GeneratedMicrodata) -> None:
    again = generate_microdata(
        SEED, tmp_path / "again", youths=4_000, years=[2024], area_covariates=True
    )
    for a, b in zip(small.files, again.files, strict=True):
        assert a.read_bytes() == b.read_bytes()
    other = generate_microdata(SEED + 1, tmp_path / "other", youths=4_000, years=[2024])
    assert other.files[0].read_bytes() != small.files[0].read_bytes()


def test_replayed_atoms_are_the_demo_countrys(country: DemoCountry) -> None:
    atoms = _demo_atoms(SEED)
    t = atoms.years.index(2024)
    ours = pd.Series(atoms.counts["youth_0_17"][t], index=atoms.gemeente).groupby(level=0).sum()
    facts = country.facts
    theirs = facts[
        (facts["year"] == 2024)
        & (facts["measure"] == "youth_0_17")
        & facts["region_code"].str.startswith("GM")
    ].set_index("region_code")["value"]
    assert set(ours.index) == set(theirs.index)
    assert np.allclose(ours.reindex(theirs.index), theirs)


def test_area_rates_and_shares_follow_the_demo(
    medium: GeneratedMicrodata, country: DemoCountry
) -> None:
    persons = duckdb.sql(
        f"""SELECT 'GM' || gem2024 AS region_code,
                   count(*) FILTER (leeftijd <= 17) AS youth,
                   avg(JEUGDHULP) FILTER (leeftijd <= 17) AS jeugdhulp,
                   100 * avg(CAST(TYPHH = 6 AS INT)) FILTER (leeftijd <= 17) AS single
            FROM read_parquet('{medium.folder}/jeugd_2024.parquet') GROUP BY 1"""
    ).df()
    persons = persons.set_index("region_code")
    facts = country.facts
    ref = facts[(facts["year"] == 2024) & facts["region_code"].str.startswith("GM")]
    wide = ref.pivot_table(index="region_code", columns="measure", values="value")
    big = persons[persons["youth"] >= 300].index
    demo_rate = (wide["jeugdhulp"] / wide["youth_0_17"]).reindex(big)
    assert np.corrcoef(persons.loc[big, "jeugdhulp"], demo_rate)[0, 1] > 0.8
    assert abs(persons.loc[big, "jeugdhulp"].mean() / demo_rate.mean() - 1) < 0.05
    single = wide["pct_single_parent"].reindex(big)
    assert np.corrcoef(persons.loc[big, "single"], single)[0, 1] > 0.8
    # youths per gemeente in proportion to the demo's
    share = wide["youth_0_17"].reindex(big)
    assert np.corrcoef(persons.loc[big, "youth"], share)[0, 1] > 0.99


def test_person_numbers_unique_and_columns_as_mapped(small: GeneratedMicrodata) -> None:
    frame = pd.read_parquet(small.files[0])
    assert frame["RINPERSOON"].is_unique
    assert frame["leeftijd"].between(0, 22).all()
    assert set(frame["GBAGESLACHT"]) == {1, 2}
    assert (frame.loc[frame["OTS"] == 1, "JEUGDBESCHERMING"] == 1).all()
    assert frame.loc[frame["TYPHH"] == 8, "INHP100HBEST"].isna().all()
    text = small.mapping.read_text(encoding="utf-8")
    for column in frame.columns:
        assert f'"{column}"' in text
