"""Parsing primitives shared by the API client and the file readers."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bluezones.errors import DataError
from bluezones.sources.cbs.odata import (
    base_name,
    clean_keys,
    parse_period,
    parse_v4,
    parse_values,
    parse_wide,
)


@pytest.mark.parametrize(
    ("key", "year", "kind", "number"),
    [
        ("2022JJ00", 2022, "year", 0),
        ("2022HJ01", 2022, "half_year", 1),
        ("2021KW03", 2021, "quarter", 3),
        ("2020MM05", 2020, "month", 5),
        ("2019", 2019, "year", 0),
    ],
)
def test_periods_parse(key: str, year: int, kind: str, number: int) -> None:
    period = parse_period(key)
    assert (period.year, period.kind, period.number, period.provisional) == (
        year,
        kind,
        number,
        False,
    )


@pytest.mark.parametrize(
    ("key", "title", "status"),
    [("2022*", None, None), ("2022JJ00", "2022*", None), ("2022JJ00", "2022", "Voorlopig")],
)
def test_provisional_markers(key: str, title: str | None, status: str | None) -> None:
    assert parse_period(key, title, status).provisional


def test_a_bad_period_is_a_data_error() -> None:
    with pytest.raises(DataError, match="Cannot read the period"):
        parse_period("22JJ00")


def test_cells_become_numbers_or_flagged_missing_never_zero() -> None:
    value, status = parse_values(
        pd.Series(["  12,5", "         .", "", None, "-", "x"]), decimal=","
    )
    assert value[0] == 12.5 and value[4] == 0.0
    assert [math.isnan(v) for v in value] == [False, True, True, True, False, True]
    assert list(status) == [None, "suppressed", "missing", "missing", None, "suppressed"]


def test_a_cell_that_is_no_number_names_column_and_row() -> None:
    with pytest.raises(DataError) as err:
        parse_values(pd.Series(["1", "2", "abc"]), column="A_1", table="T")
    assert err.value.context == {"column": "A_1", "row": 3, "table": "T"}


@given(
    st.lists(st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)), max_size=30)
)
def test_numeric_columns_keep_every_number(values: list[float | None]) -> None:
    value, status = parse_values(pd.Series(values, dtype=object))
    for raw, v, s in zip(values, value, status, strict=True):
        assert (s == "missing") == (raw is None)
        assert math.isnan(v) if raw is None else v == raw


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh", min_size=1), st.integers(0, 999))
def test_suffix_is_stripped_only_when_numeric(name: str, suffix: int) -> None:
    assert base_name(f"{name}_{suffix}") == name
    assert base_name(name) == name


def test_padded_keys_are_stripped() -> None:
    assert clean_keys(pd.Series(["GM0014    ", "  ", None])).tolist() == ["GM0014", None, None]


def test_wide_frames_keep_further_dimensions_and_require_a_year_without_periods() -> None:
    frame = pd.DataFrame(
        {"Wijken": ["WK001400  "], "Vormen": ["T001203 "], "A_1": ["5"], "B_2": ["."]}
    )
    parsed = parse_wide(
        frame,
        table_id="T",
        region_dimension="Wijken",
        period_dimension=None,
        topics=["A_1", "B_2"],
        dimensions=["Vormen"],
        year=2021,
    )
    obs = parsed.observations
    assert obs["Vormen"].tolist() == ["T001203", "T001203"]
    assert obs["year"].tolist() == [2021, 2021] and obs["status"].tolist()[1] == "suppressed"
    with pytest.raises(DataError, match="no period dimension"):
        parse_wide(frame, table_id="T", region_dimension="Wijken", period_dimension=None, topics=[])
    with pytest.raises(DataError, match="no column 'C_3'"):
        parse_wide(
            frame,
            table_id="T",
            region_dimension="Wijken",
            period_dimension=None,
            topics=["C_3"],
            year=2021,
        )


def test_v4_value_attributes_make_values_missing() -> None:
    frame = pd.DataFrame(
        {
            "Measure": ["M1", "M1", "M1"],
            "ValueAttribute": ["None", "Confidential", "Impossible"],
            "Value": [3.0, 4.0, None],
            "RegioS": ["GM0001    ", "GM0002    ", "GM0003    "],
            "Perioden": ["2022JJ00"] * 3,
        }
    )
    obs = parse_v4(frame, table_id="T", region_dimension="RegioS", period_dimension="Perioden")
    assert obs.observations["value"].tolist()[0] == 3.0
    assert obs.observations["value"].isna().tolist() == [False, True, True]
    assert obs.observations["status"].tolist()[1:] == ["suppressed", "missing"]
