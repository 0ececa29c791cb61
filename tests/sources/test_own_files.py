"""Good own files: every format and shape reads to the same facts, and round trips hold."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluezones.sources.files import (
    facts_to_wide,
    load_own_file,
    read_own_file,
    write_own_file,
)
from bluezones.store import FACT_COLUMNS

from .own_file_samples import (
    EXPECTED,
    LONG_HEADER,
    WIDE_HEADER,
    WIDE_ROWS,
    long_rows,
    without_source,
    write_csv,
    write_parquet,
    write_xlsx,
)

WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "parquet": write_parquet}


def assert_expected(facts: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(without_source(facts), EXPECTED, check_dtype=False)


def test_wide_csv_gives_the_documented_facts(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "eigen.csv", WIDE_HEADER, WIDE_ROWS)
    facts = read_own_file(path, dataset="eigen")
    assert list(facts.columns) == list(FACT_COLUMNS)
    assert set(facts["dataset"]) == {"eigen"}
    assert set(facts["source"]) == {"eigen.csv"}
    assert facts["year"].dtype == "int64"
    assert_expected(facts)


@pytest.mark.parametrize("shape", ["wide", "long"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_every_format_and_shape_gives_the_same_facts(tmp_path: Path, fmt: str, shape: str) -> None:
    header, rows = (WIDE_HEADER, WIDE_ROWS) if shape == "wide" else (LONG_HEADER, long_rows())
    path = WRITERS[fmt](tmp_path / f"eigen.{fmt}", header, rows)
    assert_expected(read_own_file(path, dataset="eigen"))


@pytest.mark.parametrize("alias", ["GWB_CODE", "regiocode", "Code", " Region_Code "])
def test_region_column_aliases_and_case(tmp_path: Path, alias: str) -> None:
    header = [alias, "Year", "YOUTH_0_17", "jeugdhulp", "pct_single_parent"]
    path = write_csv(tmp_path / "eigen.csv", header, WIDE_ROWS)
    assert_expected(read_own_file(path, dataset="eigen"))


def test_semicolons_and_decimal_commas_with_thousands(tmp_path: Path) -> None:
    rows = [
        ["GM0363", 2021, "150.000", "16.000", "32,5"],
        ["GM0363", 2022, "151.000", "16.500,0", "33,25"],
        ["GM0014", 2022, "45000", ".", None],
    ]
    path = write_csv(tmp_path / "eigen.csv", WIDE_HEADER, rows, sep=";")
    assert_expected(read_own_file(path, dataset="eigen", decimal=","))


def test_separator_can_be_given(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "eigen.txt", WIDE_HEADER, WIDE_ROWS, sep="\t")
    assert_expected(read_own_file(path, dataset="eigen", sep="\t"))


def test_suppression_markers_and_gemeente_padding(tmp_path: Path) -> None:
    header = ["region_code", "year", "jeugdhulp"]
    rows = [["gm0014    ", 2022, "x"], ["GM0003", 2022, "X"], ["WK036300", 2022, "-"]]
    facts = read_own_file(write_csv(tmp_path / "a.csv", header, rows), dataset="d")
    assert list(facts["region_code"]) == ["GM0003", "GM0014", "WK036300"]
    assert list(facts["status"]) == ["suppressed"] * 3
    assert facts["value"].isna().all()


def test_utf8_bom_and_cp1252_with_encoding(tmp_path: Path) -> None:
    header = ["region_code", "naam", "year", "jeugdhulp"]
    rows = [["GM1900", "Súdwest-Fryslân", 2022, 1200]]
    bom = tmp_path / "bom.csv"
    write_csv(bom, header, rows, encoding="utf-8-sig")
    cp = write_csv(tmp_path / "cp.csv", header, rows, encoding="cp1252")
    utf16 = write_csv(tmp_path / "u16.csv", header, rows, encoding="utf-16")
    read = [
        read_own_file(bom, dataset="d", ignore=["Naam"]),
        read_own_file(cp, dataset="d", ignore=["naam"], encoding="cp1252"),
        read_own_file(utf16, dataset="d", ignore=["naam"], encoding="utf-16"),
    ]
    for facts in read:
        assert list(facts["value"]) == [1200.0]
        assert list(facts["region_code"]) == ["GM1900"]


def test_blank_rows_and_trailing_empty_columns_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "region_code,year,jeugdhulp,\nGM0363,2022,12,\n,,,\n\nGM0014,2022,3,\n", encoding="utf-8"
    )
    facts = read_own_file(path, dataset="d")
    assert list(facts["value"]) == [3.0, 12.0]


def test_excel_sheet_by_name_and_position(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", WIDE_HEADER, WIDE_ROWS, sheet="cijfers")
    assert_expected(read_own_file(path, dataset="d", sheet="cijfers"))
    assert_expected(read_own_file(path, dataset="d", sheet=0))


def test_parquet_text_columns_are_coerced(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"region_code": ["GM0363"], "year": ["2022"], "jeugdhulp": ["12.5"], "youth_0_17": [100]}
    )
    path = tmp_path / "a.parquet"
    frame.to_parquet(path)
    facts = read_own_file(path, dataset="d")
    assert list(facts["year"]) == [2022, 2022]
    assert list(facts["value"]) == [12.5, 100.0]


def test_long_shape_keeps_provisional(tmp_path: Path) -> None:
    rows = [["GM0363", 2023, "jeugdhulp", 17000, "provisional"], ["GM0363", 2023, "ots", "", ""]]
    facts = read_own_file(write_csv(tmp_path / "a.csv", LONG_HEADER, rows), dataset="d")
    assert list(facts["measure"]) == ["jeugdhulp", "ots"]
    assert list(facts["status"]) == ["provisional", "missing"]


def test_known_regions_accepts_listed_codes(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", WIDE_HEADER, WIDE_ROWS)
    facts = read_own_file(path, dataset="d", known_regions={"GM0363", "GM0014", "GM0003"})
    assert len(facts) == len(EXPECTED)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_round_trip_through_the_wide_schema(tmp_path: Path, fmt: str) -> None:
    original = read_own_file(write_csv(tmp_path / "in.csv", WIDE_HEADER, WIDE_ROWS), dataset="d")
    # values that need every digit of a float survive too
    original.loc[original["measure"] == "pct_single_parent", "value"] *= 1 / 3
    path = write_own_file(original, tmp_path / f"out.{fmt}")
    back = read_own_file(path, dataset="d")
    pd.testing.assert_frame_equal(without_source(back), without_source(original))


def test_round_trip_with_dutch_csv_conventions(tmp_path: Path) -> None:
    original = read_own_file(write_csv(tmp_path / "in.csv", WIDE_HEADER, WIDE_ROWS), dataset="d")
    path = write_own_file(original, tmp_path / "out.csv", decimal=",", sep=";")
    assert "32,5" in path.read_text(encoding="utf-8")
    back = read_own_file(path, dataset="d", decimal=",")
    pd.testing.assert_frame_equal(without_source(back), without_source(original))


def test_facts_to_wide_marks_suppressed_and_missing() -> None:
    facts = EXPECTED.assign(dataset="d", source="s")
    wide = facts_to_wide(facts)
    assert list(wide.columns) == WIDE_HEADER
    gm0014 = wide[wide["region_code"] == "GM0014"].iloc[0]
    assert gm0014["jeugdhulp"] == "." and gm0014["pct_single_parent"] is None


def test_load_own_file_writes_once_and_replaces_on_reload(store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "eigen.csv", WIDE_HEADER, WIDE_ROWS)
    assert load_own_file(store, path, dataset="eigen") == len(EXPECTED)
    assert load_own_file(store, path, dataset="eigen") == len(EXPECTED)
    stored = store.read_facts("eigen").sort_values(["region_code", "year", "measure"])
    assert len(stored) == len(EXPECTED)
    assert set(stored["source"]) == {"eigen.csv"}
    np.testing.assert_array_equal(stored["value"].to_numpy(), EXPECTED["value"].to_numpy())


# Rows of a wide file drawn by hypothesis: distinct (region, year) keys, numbers or markers.
_markers = st.sampled_from([".", None])
_counts = st.one_of(st.integers(0, 10_000).map(float), _markers)
_shares = st.one_of(st.floats(0, 100, allow_subnormal=False), _markers)
_rows = st.lists(
    st.tuples(st.integers(0, 99), st.integers(2015, 2024), _counts, _shares),
    min_size=1,
    max_size=30,
    unique_by=lambda r: (r[0], r[1]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_rows, order=st.randoms(use_true_random=False))
def test_shuffling_rows_does_not_change_the_facts(rows, order) -> None:
    header = ["region_code", "year", "jeugdhulp", "pct_parent_psych"]
    table = [[f"GM{r:04d}", y, count, share] for r, y, count, share in rows]
    shuffled = list(table)
    order.shuffle(shuffled)
    with tempfile.TemporaryDirectory() as folder:
        first = read_own_file(write_csv(Path(folder) / "a.csv", header, table), dataset="d")
        second = read_own_file(write_csv(Path(folder) / "a.csv", header, shuffled), dataset="d")
    key = ["region_code", "year", "measure"]
    pd.testing.assert_frame_equal(
        first.sort_values(key).reset_index(drop=True),
        second.sort_values(key).reset_index(drop=True),
    )
    assert len(first) == 2 * len(rows)
