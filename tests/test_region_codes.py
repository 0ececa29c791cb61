"""Region code validation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bluezones.errors import RegionError
from bluezones.regions.codes import check_code, check_codes, gemeente_of, level_of


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("GM0363", "gemeente"),
        ("WK036300", "wijk"),
        ("WK0363MJ", "wijk"),
        ("BU03630000", "buurt"),
        ("JZ13", "jeugdregio"),
        ("NL00", "land"),
    ],
)
def test_levels(code: str, level: str) -> None:
    assert level_of(code) == level


def test_padding_is_stripped() -> None:
    assert check_code("GM0014    ") == "GM0014"
    assert check_code(" gm0014") == "GM0014"


@pytest.mark.parametrize("bad", ["GM363", "GM03630", "0363", "WK0363", "XX0001", ""])
def test_malformed_codes_are_refused_with_an_example(bad: str) -> None:
    with pytest.raises(RegionError, match="Malformed region code") as info:
        check_code(bad)
    assert "GM0363" in str(info.value)


def test_wrong_level_is_named() -> None:
    with pytest.raises(RegionError, match="wijk code where a gemeente code is expected"):
        check_code("WK036300", "gemeente")


def test_check_codes_names_the_row() -> None:
    with pytest.raises(RegionError, match="row: 3"):
        check_codes(["GM0001", "GM0002", "GMXXXX"], first_row=1, file="x.csv")


def test_gemeente_of() -> None:
    assert gemeente_of("WK0363MJ") == "GM0363"
    with pytest.raises(RegionError):
        gemeente_of("JZ01")


@given(st.integers(0, 9999), st.integers(0, 99))
def test_wijk_belongs_to_its_gemeente(gm: int, wk: int) -> None:
    assert gemeente_of(check_code(f"WK{gm:04d}{wk:02d}", "wijk")) == f"GM{gm:04d}"
