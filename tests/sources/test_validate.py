"""The reusable boundary checks: each returns the cleaned value or raises one precise error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bluezones.errors import DataError, RegionError
from bluezones.sources.validate import (
    check_columns,
    check_counts,
    check_measure_names,
    check_numbers,
    check_numerators,
    check_region_codes,
    check_shares,
    check_unique_keys,
    check_values,
    check_years,
    closest,
)


def rows(*values: object, first: int = 2) -> pd.Series:
    """A column whose index is the spreadsheet row number."""
    return pd.Series(list(values), index=range(first, first + len(values)), dtype=object)


def long(*records: tuple[str, int, str, float]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=["region_code", "year", "measure", "value"])
    frame.index = range(2, 2 + len(frame))
    return frame


def test_closest_suggests_only_close_names() -> None:
    assert closest("jeugdhlup", ["jeugdhulp", "population"]) == "jeugdhulp"
    assert closest("opmerking", ["jeugdhulp", "population"]) is None


def test_check_columns_keeps_order_and_drops_ignored() -> None:
    kept = check_columns(
        ["region_code", "naam", "year", "ots"],
        required=("region_code", "year"),
        allowed=("ots",),
        ignore=("naam",),
    )
    assert kept == ["region_code", "year", "ots"]


def test_check_region_codes_normalises_padding_and_case() -> None:
    out = check_region_codes(rows("GM0014    ", " wk036300", "BU03630000"), file="f.csv")
    assert list(out) == ["GM0014", "WK036300", "BU03630000"]
    assert list(out.index) == [2, 3, 4]


@pytest.mark.parametrize(
    ("code", "hint"),
    [("GM14", "'GM0014'"), ("WK3630", "'WK003630'"), ("0014", "prefix"), ("XX0014", "CBS code")],
)
def test_check_region_codes_hints(code: str, hint: str) -> None:
    with pytest.raises(RegionError, match=hint) as caught:
        check_region_codes(rows("GM0003", code), column="code")
    assert caught.value.context["row"] == 3
    assert caught.value.context["column"] == "code"


def test_check_region_codes_known() -> None:
    assert list(check_region_codes(rows("gm0003"), known=["GM0003"])) == ["GM0003"]
    with pytest.raises(RegionError, match="Unknown region code 'GM0004'"):
        check_region_codes(rows("GM0003", "GM0004"), known=["GM0003"])


@pytest.mark.parametrize("good", [2020, 2020.0, "2020", " 2020 ", np.int64(2020), "2020.0"])
def test_check_years_accepts_whole_years(good: object) -> None:
    out = check_years(rows(good))
    assert out.dtype == "int64" and list(out) == [2020]


@pytest.mark.parametrize("bad", [2020.5, "2020a", "", None, True, 1989, 2101, float("nan")])
def test_check_years_rejects(bad: object) -> None:
    with pytest.raises(DataError) as caught:
        check_years(rows(2020, bad), column="year")
    assert caught.value.context["row"] == 3


@pytest.mark.parametrize(
    ("cell", "decimal", "value", "status"),
    [
        ("12.5", ".", 12.5, None),
        (" 7 ", ".", 7.0, None),
        ("1e3", ".", 1000.0, None),
        (12, ".", 12.0, None),
        (np.float32(0.5), ".", 0.5, None),
        ("12,5", ",", 12.5, None),
        ("1.234,5", ",", 1234.5, None),
        ("1.234.567", ",", 1234567.0, None),
        ("-3", ",", -3.0, None),
        ("", ".", np.nan, "missing"),
        (None, ".", np.nan, "missing"),
        (float("nan"), ",", np.nan, "missing"),
        (".", ".", np.nan, "suppressed"),
        ("x", ",", np.nan, "suppressed"),
        ("-", ".", np.nan, "suppressed"),
    ],
)
def test_check_numbers_parses(cell: object, decimal: str, value: float, status: str) -> None:
    values, statuses = check_numbers(rows(cell), decimal=decimal)  # type: ignore[arg-type]
    np.testing.assert_array_equal(values.to_numpy(), [value])
    assert list(statuses) == [status]


@pytest.mark.parametrize(
    ("cell", "decimal", "says"),
    [
        ("12,5", ".", "decimal comma"),
        ("1.234,5", ".", "decimal comma"),
        ("12.5", ",", "decimal point"),
        ("1.23,4", ",", "not a number"),
        ("inf", ".", "not a number"),
        (float("inf"), ".", "not a number"),
        ("n.v.t.", ".", "not a number"),
        (False, ".", "not a number"),
    ],
)
def test_check_numbers_rejects(cell: object, decimal: str, says: str) -> None:
    with pytest.raises(DataError, match=says) as caught:
        check_numbers(rows(1, cell), decimal=decimal, column="v")  # type: ignore[arg-type]
    assert caught.value.context == {"row": 3, "column": "v"}


def test_counts_and_shares_name_the_first_bad_row() -> None:
    assert list(check_counts(rows(0.0, 5.0).astype(float))) == [0.0, 5.0]
    with pytest.raises(DataError, match="negative") as caught:
        check_counts(pd.Series([1.0, -1.0, -2.0], index=[10, 11, 12]))
    assert caught.value.context["row"] == 11
    assert list(check_shares(rows(0.0, 100.0).astype(float))) == [0.0, 100.0]
    with pytest.raises(DataError, match="outside 0-100"):
        check_shares(rows(50.0, 100.5).astype(float))


def test_check_values_uses_each_measures_kind() -> None:
    means_may_be_anything = long(("GM0003", 2020, "mean_income", -3.0))
    assert check_values(means_may_be_anything) is means_may_be_anything
    with pytest.raises(DataError, match="Share 101") as caught:
        check_values(long(("GM0003", 2020, "pct_parent_psych", 101.0)), column="value")
    assert caught.value.context["column"] == "value"
    assert caught.value.context["measure"] == "pct_parent_psych"


def test_check_numerators_pairs_by_region_and_year() -> None:
    fine = long(
        ("GM0003", 2020, "jeugdhulp", 50.0),
        ("GM0003", 2021, "youth_0_17", 40.0),  # another year: not compared
        ("GM0003", 2020, "youth_0_17", 60.0),
        ("GM0014", 2020, "jeugdreclassering", 9.0),  # denominator absent: not checked
    )
    assert check_numerators(fine) is fine
    bad = long(("GM0003", 2020, "youth_0_17", 60.0), ("GM0003", 2020, "ots", 61.0))
    with pytest.raises(DataError, match="ots") as caught:
        check_numerators(bad)
    assert caught.value.context["row"] == 3
    assert caught.value.context["region"] == "GM0003"


def test_check_unique_keys_names_both_rows() -> None:
    frame = long(
        ("GM0003", 2020, "ots", 1.0), ("GM0014", 2020, "ots", 1.0), ("GM0003", 2020, "ots", 2.0)
    )
    with pytest.raises(DataError, match="Rows 2 and 4"):
        check_unique_keys(frame, file="f.csv")
    assert check_unique_keys(frame.iloc[:2]) is not None


def test_check_measure_names_cleans_case() -> None:
    assert list(check_measure_names(rows(" Jeugdhulp", "OTS"))) == ["jeugdhulp", "ots"]
    with pytest.raises(DataError, match="Did you mean 'jeugdhulp'"):
        check_measure_names(rows("jeugdhlup"))
