"""Real CBS extracts (../shared/data/cbs) load through the same parsing code as the API.

Expected figures are those documented in shared/data/SOURCES.md.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bluezones.errors import DataError
from bluezones.sources.cbs import (
    read_kwb_csv,
    read_kwb_merged_csv,
    read_statline_csv,
    read_typed_csv,
    to_facts,
)

pytestmark = pytest.mark.shared

ALMERE_COUNTS = {2018: 5805, 2019: 5885, 2020: 5960, 2021: 6585, 2022: 6680, 2023: 7160, 2024: 7400}


def _gemeentedata(shared_data: Path) -> Path:
    return shared_data / "cbs" / "jeugdzorg_wijken_2022_gemeenteniveau" / "gemeentedata.csv"


def _names_2022(shared_data: Path) -> dict[str, str]:
    """Gemeente name -> code in 2022, from the jeugdzorg-per-wijk table."""
    raw = pd.read_csv(_gemeentedata(shared_data), dtype=str)
    return dict(zip(raw["Gemeentenaam_18"].str.strip(), raw["Wijken"].str.strip(), strict=True))


def _by_key(facts: pd.DataFrame) -> pd.DataFrame:
    return facts.set_index(["region_code", "year", "measure"])


def test_statline_csv_download_of_85098ned(shared_data: Path) -> None:
    path = next((shared_data / "cbs" / "85098NED_indicatoren_jeugdzorg_gemeenten").glob("*.csv"))
    with pytest.raises(DataError, match="No region code"):
        read_statline_csv(path, table_id="85098NED")  # names only: codes must be given
    parsed = read_statline_csv(path, table_id="85098NED", region_codes=_names_2022(shared_data))
    facts = _by_key(to_facts(parsed))
    nl = facts.loc["NL01"].loc[2022, "value"]
    assert nl[
        [
            "pct_jeugdhulp",
            "pct_jeugdhulp_met_verblijf",
            "pct_jeugdbescherming",
            "pct_jeugdbescherming_met_verblijf",
            "pct_jeugdreclassering",
        ]
    ].tolist() == [13.2, 8.8, 1.2, 46.3, 0.3]
    jh = to_facts(parsed).query("measure == 'pct_jeugdhulp' and region_code != 'NL01'")
    assert len(jh) == 345
    lowest = jh.nsmallest(4, "value").merge(parsed.regions, on="region_code")
    assert lowest["name"].tolist()[:2] == ["Urk", "Vlieland"]  # then Staphorst, Maassluis tie
    assert set(lowest["name"]) == {"Urk", "Vlieland", "Staphorst", "Maassluis"}
    assert jh["value"].max() == 22.9 and jh["status"].eq("provisional").all()
    jr = to_facts(parsed).query("measure == 'pct_jeugdreclassering'")
    assert jr["value"].isna().sum() == jr["status"].eq("missing").sum() > 0
    assert not (jr["status"].eq("missing") & jr["value"].eq(0)).any()


def test_typed_dataset_csv_with_padded_keys(shared_data: Path) -> None:
    parsed = read_typed_csv(
        _gemeentedata(shared_data),
        table_id="85335NED",
        region_dimension="Wijken",
        dimensions=["VormenVanJeugdzorg"],
    )
    facts = _by_key(to_facts(parsed))
    assert len(facts) == 346
    assert facts.loc[("NL00", 2022, "jeugdzorg"), "value"] == 461985
    assert facts.loc[("GM1680", 2022, "jeugdzorg"), "value"] == 595
    obs = parsed.observations.set_index(["region_code", "topic"])
    assert obs.loc[("NL00", "k_0Tot4Jaar_2"), "value"] == 31040
    assert obs.loc[("NL00", "k_18Tot23Jaar_5"), "value"] == 17440


def test_kwb_union_of_years_with_changing_suffixes(shared_data: Path) -> None:
    path = shared_data / "cbs" / "kwb_almere_2018_2025" / "CBS_Kerncijfers_Almere.csv"
    tables = read_kwb_csv(path)
    assert len(tables) == 8
    facts = pd.concat([to_facts(t, kinds={"count"}) for t in tables])
    assert set(facts["measure"]) <= {
        "population",
        "youth_0_14",
        "households",
        "households_with_children",
        "social_assistance",
        "jeugdzorg",
        "youth_15_24",
        "migration_nonwestern",
        "land_area",
    }
    almere = _by_key(facts).loc["GM0034"]
    counts = {y: almere.loc[(y, "jeugdzorg"), "value"] for y in ALMERE_COUNTS}
    assert counts == ALMERE_COUNTS
    assert ("2025", "jeugdzorg") not in almere.index  # not yet published in kwb 2025
    assert sum(len(t.regions) for t in tables) == 1536
    assert all(t.regions["region_code"].str.len().isin([6, 8, 10]).all() for t in tables)


def test_kwb_merged_with_jeugdzorg_takes_integer_counts_only(shared_data: Path) -> None:
    path = shared_data / "cbs" / "kwb_2021_2022_met_jeugdzorg_wijken" / "data.csv"
    tables = {t.table_id: t for t in read_kwb_merged_csv(path)}
    assert set(tables) == {"85039NED", "85075NED", "85318NED", "85335NED"}
    assert len(tables["85039NED"].regions) == 1 + 352 + 3248
    assert len(tables["85318NED"].regions) == 1 + 345 + 3340
    facts = pd.concat([to_facts(t) for t in tables.values()])
    assert {m for m in facts["measure"]} <= {
        "population",
        "youth_0_14",
        "households",
        "households_with_children",
        "social_assistance",
        "jeugdzorg",
        "youth_15_24",
        "migration_nonwestern",
        "land_area",
    }  # no shares or means
    by_key = _by_key(facts)
    assert by_key.loc[("GM0014", 2021, "jeugdzorg"), "value"] == 5465
    assert by_key.loc[("GM0014", 2021, "population"), "value"] == 233273
    assert by_key.loc[("WK001400", 2021, "population"), "value"] == 22735
    assert by_key.loc[("WK001400", 2021, "jeugdzorg"), "value"] == 110
    jeugdzorg = facts[facts["measure"] == "jeugdzorg"]
    assert jeugdzorg["value"].notna().sum() == 7287 - 973  # rows with a jeugdzorg count
