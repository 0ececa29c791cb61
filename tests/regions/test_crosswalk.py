"""Crosswalk validation, direct and composed mappings, and reading grenswijzigen files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bluezones.errors import DataError, RegionError
from bluezones.regions.crosswalk import WEIGHT_SUM_TOLERANCE, Crosswalk, load_grenswijzigen

from .conftest import crosswalk_frame

# Beemster into Purmerend (2022), Haaren split (2021).
STEPS = [
    (2020, 2021, "GM0788", "GM0824", 0.5),
    (2020, 2021, "GM0788", "GM0865", 0.5),
    (2021, 2022, "GM0370", "GM0439", 1.0),
    (2021, 2022, "GM0865", "GM0439", 0.25),
    (2021, 2022, "GM0865", "GM0865", 0.75),
]


def _records(frame: pd.DataFrame) -> set[tuple[str, str, float]]:
    return {(a, b, round(w, 9)) for a, b, w in frame.itertuples(index=False)}


def test_direct_pair_is_returned_as_listed() -> None:
    cw = Crosswalk(crosswalk_frame(STEPS))
    got = cw.mapping("gemeente", 2021, 2022)
    assert list(got.columns) == ["code_from", "code_to", "weight"]
    assert _records(got) == {
        ("GM0370", "GM0439", 1.0),
        ("GM0865", "GM0439", 0.25),
        ("GM0865", "GM0865", 0.75),
    }


def test_missing_pair_is_composed_from_steps() -> None:
    cw = Crosswalk(crosswalk_frame(STEPS))
    got = _records(cw.mapping("gemeente", 2020, 2022))
    # Haaren's half in Vught goes on: a quarter of it to GM0439.
    assert ("GM0788", "GM0824", 0.5) in got
    assert ("GM0788", "GM0865", 0.375) in got
    assert ("GM0788", "GM0439", 0.125) in got
    assert ("GM0370", "GM0439", 1.0) in got  # unlisted in 2020->2021: identity, then merged


def test_direct_pair_wins_over_composition() -> None:
    direct = (2020, 2022, "GM0788", "GM0824", 1.0)
    cw = Crosswalk(crosswalk_frame([*STEPS, direct]))
    assert _records(cw.mapping("gemeente", 2020, 2022)) == {("GM0788", "GM0824", 1.0)}
    assert ("GM0788", "GM0439", 0.125) in _records(cw.composed("gemeente", 2020, 2022))


def test_step_without_rows_inside_the_span_means_no_change() -> None:
    cw = Crosswalk(crosswalk_frame([(2019, 2020, "GM0001", "GM0002", 1.0)]), span=(2019, 2022))
    assert _records(cw.mapping("gemeente", 2020, 2022)) == set()
    assert _records(cw.mapping("gemeente", 2019, 2022)) == {("GM0001", "GM0002", 1.0)}


def test_years_outside_the_span_are_refused() -> None:
    cw = Crosswalk(crosswalk_frame(STEPS))
    with pytest.raises(RegionError, match="covers 2020-2022"):
        cw.mapping("gemeente", 2019, 2022)
    with pytest.raises(RegionError, match="has no rows"):
        cw.mapping("wijk", 2020, 2021)


def test_backward_mapping_needs_a_listed_pair() -> None:
    cw = Crosswalk(crosswalk_frame(STEPS))
    with pytest.raises(RegionError, match="forward in time") as info:
        cw.mapping("gemeente", 2022, 2021)
    assert info.value.hint


def test_weights_are_rescaled_to_sum_to_exactly_one() -> None:
    rows = [(2020, 2021, "GM0001", "GM0002", 0.333333), (2020, 2021, "GM0001", "GM0003", 0.666666)]
    weights = Crosswalk(crosswalk_frame(rows)).frame["weight"]
    assert weights.sum() == pytest.approx(1.0, abs=1e-15)
    assert weights.iloc[0] == pytest.approx(1 / 3, rel=1e-5)


def test_weights_not_summing_to_one_name_the_code_and_years() -> None:
    rows = [(2020, 2021, "GM0001", "GM0002", 0.5), (2020, 2021, "GM0001", "GM0003", 0.4)]
    with pytest.raises(RegionError, match=r"sum to 0\.9") as info:
        Crosswalk(crosswalk_frame(rows))
    assert info.value.context == {"region": "GM0001", "year": "2020->2021"}
    assert str(WEIGHT_SUM_TOLERANCE) in str(info.value.hint) or "1e-04" in str(info.value.hint)


@pytest.mark.parametrize("weight", [0.0, -0.2, 1.5, float("nan")])
def test_weights_outside_zero_one_are_refused(weight: float) -> None:
    rows = [(2020, 2021, "GM0001", "GM0002", weight)]
    with pytest.raises(RegionError, match=r"not in \(0, 1\]"):
        Crosswalk(crosswalk_frame(rows))


@pytest.mark.parametrize(
    ("code_from", "code_to", "column"),
    [("GM001", "GM0002", "code_from"), ("GM0001", "WK000100", "code_to")],
)
def test_malformed_codes_are_refused(code_from: str, code_to: str, column: str) -> None:
    with pytest.raises(RegionError) as info:
        Crosswalk(crosswalk_frame([(2020, 2021, code_from, code_to, 1.0)]))
    assert info.value.context["column"] == column
    assert info.value.context["year"] == 2020


def test_codes_are_normalised() -> None:
    cw = Crosswalk(crosswalk_frame([(2020, 2021, "gm0001    ", " GM0002", 1.0)]))
    assert _records(cw.mapping("gemeente", 2020, 2021)) == {("GM0001", "GM0002", 1.0)}


def test_duplicates_same_year_and_mixed_datasets_are_refused() -> None:
    dup = [(2020, 2021, "GM0001", "GM0002", 0.5)] * 2
    with pytest.raises(RegionError, match="twice"):
        Crosswalk(crosswalk_frame(dup))
    with pytest.raises(RegionError, match="to itself"):
        Crosswalk(crosswalk_frame([(2020, 2020, "GM0001", "GM0002", 1.0)]))
    mixed = crosswalk_frame([(2020, 2021, "GM0001", "GM0002", 1.0)] * 2)
    mixed["dataset"] = ["a", "b"]
    with pytest.raises(RegionError, match="mixes datasets"):
        Crosswalk(mixed)
    with pytest.raises(RegionError, match="lacks columns"):
        Crosswalk(mixed.drop(columns="weight"))


def test_crosswalk_is_immutable_and_hands_out_copies() -> None:
    cw = Crosswalk(crosswalk_frame(STEPS))
    with pytest.raises(AttributeError):
        cw._frame = pd.DataFrame()  # type: ignore[misc]
    got = cw.mapping("gemeente", 2021, 2022)
    got.loc[:, "weight"] = 0.0
    assert cw.mapping("gemeente", 2021, 2022)["weight"].sum() == pytest.approx(2.0)
    frame = cw.frame
    frame.loc[:, "weight"] = 0.0
    assert cw.frame["weight"].sum() > 0
    assert "gemeente 2020-2022" in repr(cw)


# --- reading the grenswijzigen files -------------------------------------------------
HEADER = "jaar_van,jaar_naar,code_van,code_naar,aantal_adressen,aandeel_van\n"


def _write(folder: Path, level: str, body: str, header: str = HEADER) -> None:
    (folder / f"{level}_omzetting_2016_2024.csv").write_text(header + body, encoding="utf-8")


def test_load_grenswijzigen_uses_exact_address_shares(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "gemeente",
        "2020,2021,GM0788,GM0824,2,0.666667\n2020,2021,GM0788,GM0865,1,0.333333\n",
    )
    frame = load_grenswijzigen(tmp_path, "demo", levels=["gemeente"])
    assert list(frame.columns) == [
        "dataset",
        "level",
        "year_from",
        "year_to",
        "code_from",
        "code_to",
        "weight",
    ]
    assert frame["dataset"].eq("demo").all() and frame["level"].eq("gemeente").all()
    assert frame["weight"].tolist() == [2 / 3, 1 / 3]


def test_load_grenswijzigen_names_file_row_and_column_of_a_bad_code(tmp_path: Path) -> None:
    _write(tmp_path, "wijk", "2020,2021,WK000100,WK000101,5,1.0\n2020,2021,WK0001,WK000102,5,1.0\n")
    with pytest.raises(RegionError) as info:
        load_grenswijzigen(tmp_path, levels=["wijk"])
    assert info.value.context["row"] == 3  # header is line 1
    assert info.value.context["column"] == "code_van"
    assert info.value.context["file"].endswith("wijk_omzetting_2016_2024.csv")


def test_load_grenswijzigen_reports_missing_columns_files_and_numbers(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not in"):
        load_grenswijzigen(tmp_path, levels=["gemeente"])
    _write(
        tmp_path,
        "gemeente",
        "2020,2021,GM0001,GM0002\n",
        header="jaar_van,jaar_naar,code_van,code_naar\n",
    )
    with pytest.raises(DataError, match="aantal_adressen"):
        load_grenswijzigen(tmp_path, levels=["gemeente"])
    _write(tmp_path, "gemeente", "2020,2021,GM0001,GM0002,veel,1.0\n")
    with pytest.raises(DataError, match="not a number") as info:
        load_grenswijzigen(tmp_path, levels=["gemeente"])
    assert info.value.context["row"] == 2
    assert info.value.context["column"] == "aantal_adressen"
    with pytest.raises(DataError, match="no grenswijzigen file"):
        load_grenswijzigen(tmp_path, levels=["buurt"])
