"""SCP "Jeugdhulp in de wijk" 2017 on the real file: counts, means and rows as SOURCES.md states."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bluezones.errors import DataError
from bluezones.indicators import MEASURES
from bluezones.sources.scp import (
    SCP_DETERMINANTS,
    SCP_MEASURES,
    SCP_OUTCOMES,
    read_scp_wijkdata,
    scp_to_facts,
)
from bluezones.store import FACT_COLUMNS

pytestmark = pytest.mark.shared

SCP_FOLDER = Path("scp/jeugdhulp_in_de_wijk_2017")
# The merged CSV writes numbers with 6 significant digits.
CSV_RELATIVE_TOLERANCE = 5e-6


@pytest.fixture(scope="module")
def from_csv(shared_data: Path) -> pd.DataFrame:
    return read_scp_wijkdata(shared_data / SCP_FOLDER / "wijkdata_jeugdhulp_2017_merged.csv")


@pytest.fixture(scope="module")
def from_ods(shared_data: Path) -> pd.DataFrame:
    # odfpy needs about 6 s for the three sheets: read once per module.
    return read_scp_wijkdata(shared_data / SCP_FOLDER / "Wijkdata_Jeugdhulp_in_de_wijk.ods")


def test_counts_and_means_match_sources_md(from_csv: pd.DataFrame) -> None:
    assert len(from_csv) == 2918
    assert from_csv["wijkcode"].is_unique
    assert from_csv["gemeentecode"].nunique() == 388
    assert from_csv["suppressed"].sum() == 286
    assert from_csv["perc_jhzv"].isna().sum() == 286
    assert from_csv["perc_jhzv"].count() == 2632
    assert from_csv["perc_jhzv"].mean() == pytest.approx(10.12, abs=0.005)
    assert from_csv["perc_przv"].mean() == pytest.approx(10.03, abs=0.005)
    # SOURCES.md rounds the sd to 2.26; the file gives 2.2549 (ddof 1) or 2.2544 (ddof 0).
    assert from_csv["residu"].std() == pytest.approx(2.2549, abs=1e-4)
    # suppressed exactly where the observed share is; residu goes with it
    assert (from_csv["suppressed"] == from_csv["residu"].isna()).all()
    assert from_csv["perc_przv"].notna().all()
    difference = from_csv["perc_jhzv"] - from_csv["perc_przv"]
    np.testing.assert_allclose(from_csv["residu"], difference, atol=1.5e-3)


def test_codes_are_padded(from_csv: pd.DataFrame) -> None:
    assert from_csv["wijkcode"].str.fullmatch(r"WK\d{6}").all()
    assert from_csv["gemeentecode"].str.fullmatch(r"GM\d{4}").all()
    assert (from_csv["wijkcode"].str[2:6] == from_csv["gemeentecode"].str[2:]).all()
    assert list(from_csv.columns[-1:]) == ["suppressed"]
    assert set(SCP_DETERMINANTS) <= set(from_csv.columns)


@pytest.mark.parametrize(
    ("wijkcode", "gemeente", "name", "observed", "expected", "residu"),
    [
        ("WK000300", "GM0003", "Appingedam", 12.489, 14.376, -1.887),
        ("WK000701", "GM0007", "Bellingwedde", 19.333, 14.596, 4.737),
    ],
)
def test_sample_rows(
    from_csv: pd.DataFrame, wijkcode, gemeente, name, observed, expected, residu
) -> None:
    row = from_csv.set_index("wijkcode").loc[wijkcode]
    assert row["gemeentecode"] == gemeente and row["gemnaam_2017"] == name
    assert (row["perc_jhzv"], row["perc_przv"], row["residu"]) == pytest.approx(
        (observed, expected, residu)
    )
    assert not row["suppressed"]


def test_suppressed_determinant_is_nan_not_zero(from_csv: pd.DataFrame) -> None:
    row = from_csv.set_index("wijkcode").loc["WK000701"]
    assert row["wijknaam"] == "Wijk 01 Oost"
    assert np.isnan(row["perc_1ouder"])  # '.' in the ODS


def test_ods_and_csv_agree(from_csv: pd.DataFrame, from_ods: pd.DataFrame) -> None:
    assert list(from_ods.columns) == list(from_csv.columns)
    text = ["wijkcode", "wijk", "wijknaam", "gemeentecode", "gemnaam_2017", "suppressed"]
    pd.testing.assert_frame_equal(from_ods[text], from_csv[text])
    for column in (*SCP_OUTCOMES, *SCP_DETERMINANTS):
        np.testing.assert_allclose(
            from_ods[column], from_csv[column], rtol=CSV_RELATIVE_TOLERANCE, err_msg=column
        )


def test_scp_to_facts_maps_determinants(from_csv: pd.DataFrame, store) -> None:
    facts = scp_to_facts(from_csv)
    assert list(facts.columns) == list(FACT_COLUMNS)
    assert set(facts["measure"]) == {m for m, _ in SCP_MEASURES.values()}
    assert set(facts["measure"]) <= set(MEASURES)
    assert len(facts) == len(from_csv) * len(SCP_MEASURES)
    assert set(facts["year"]) == {2017} and set(facts["dataset"]) == {"scp2017"}
    sample = facts[facts["region_code"] == "WK000300"].set_index("measure")["value"]
    assert sample["pct_single_parent"] == pytest.approx(24.275)
    assert sample["pct_social_assistance"] == pytest.approx(9.549)
    assert sample["mean_income"] == pytest.approx(25.353)  # euro -> x 1.000 euro
    missing = sum(from_csv[c].isna().sum() for c in SCP_MEASURES)
    assert (facts["status"] == "suppressed").sum() == missing
    assert facts.loc[facts["status"] == "suppressed", "value"].isna().all()
    assert store.write_facts(facts) == len(facts)


def test_scp_file_problems(tmp_path: Path, shared_data: Path) -> None:
    other = tmp_path / "scp.xlsx"
    other.touch()
    with pytest.raises(DataError, match="Unsupported SCP file type"):
        read_scp_wijkdata(other)
    source = shared_data / SCP_FOLDER / "wijkdata_jeugdhulp_2017_merged.csv"
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    broken = tmp_path / "scp.csv"
    frame.drop(columns=["perc_przv"]).to_csv(broken, index=False)
    with pytest.raises(DataError, match="lacks column 'perc_przv'"):
        read_scp_wijkdata(broken)
    frame.loc[3, "perc_1ouder"] = "veel"
    frame.to_csv(broken, index=False)
    with pytest.raises(DataError, match="'veel' is not a number") as caught:
        read_scp_wijkdata(broken)
    assert caught.value.context["row"] == 5
    frame.loc[3, "perc_1ouder"] = ""
    frame.loc[7, "wijkcode"] = "WK999999"
    frame.to_csv(broken, index=False)
    with pytest.raises(DataError, match="does not belong to wijk"):
        read_scp_wijkdata(broken)
