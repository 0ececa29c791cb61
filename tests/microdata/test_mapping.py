"""The mapping file: parsed and checked with messages that say what to change."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bluezones.errors import ConfigError
from bluezones.microdata import load_mapping, parse_mapping, synthetic_mapping


def _example() -> dict:
    return tomllib.loads(synthetic_mapping(2024))


def test_the_generators_mapping_reads_back() -> None:
    m = parse_mapping(_example())
    assert m.boundary_year == 2024
    assert m.columns["person"] == "RINPERSOON"
    assert m.codes["household"]["6"] == "eenouder"
    assert m.codes["sex"] == {"1": "man", "2": "vrouw"}
    assert m.care["ots"] == "OTS"


def test_a_misspelt_key_is_named_with_a_suggestion() -> None:
    data = _example()
    data["columns"]["leeftjd"] = data["columns"].pop("age")
    with pytest.raises(ConfigError, match=r"columns\.leeftjd") as err:
        parse_mapping(data)
    assert err.value.hint and "Known keys" in err.value.hint


def test_required_fields_and_care_flags() -> None:
    data = _example()
    del data["columns"]["sex"]
    with pytest.raises(ConfigError, match="no column for sex"):
        parse_mapping(data)
    data = _example()
    data["care"] = {}
    with pytest.raises(ConfigError, match="no care flag"):
        parse_mapping(data)
    data = _example()
    data["care"]["jeugdhulpp"] = "X"
    with pytest.raises(ConfigError, match=r"care\.jeugdhulpp") as err:
        parse_mapping(data)
    assert "care.jeugdhulp?" in str(err.value)


def test_codes_must_be_given_once_each() -> None:
    data = _example()
    del data["codes"]["household"]
    with pytest.raises(ConfigError, match=r"\[codes.household\]"):
        parse_mapping(data)
    data = _example()
    data["codes"]["sex"]["vrouw"] = ["2", "1"]
    with pytest.raises(ConfigError, match="listed twice"):
        parse_mapping(data)


def test_one_column_cannot_fill_two_fields() -> None:
    data = _example()
    data["care"]["jeugdbescherming"] = "JEUGDHULP"
    with pytest.raises(ConfigError, match="mapped to two fields") as err:
        parse_mapping(data)
    assert err.value.context["column"] == "JEUGDHULP"


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_mapping(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("boundary_year = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML") as err:
        load_mapping(bad)
    assert err.value.context["file"] == str(bad)
