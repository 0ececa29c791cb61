"""The pilot registry: shipped entries, user overrides, and checks against regions and years."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bluezones.errors import ConfigError
from bluezones.monitor import Pilot, demo_pilots, load_pilots, resolve_pilots
from bluezones.sources.demo import DemoCountry

REAL_2020 = {
    "Amsterdam-Amstelland",
    "Food Valley",
    "Rotterdam-Rijnmond",
    "Utrecht",
    "West-Brabant-West",
    "Zeeland",
}


def _regions(names: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {"region_code": list(names), "level": "jeugdregio", "name": list(names.values())}
    )


def test_shipped_registry_holds_the_six_pilots_of_2020() -> None:
    pilots = load_pilots()
    assert {p.name for p in pilots if p.start_year == 2020} == REAL_2020
    assert all(p.start_year == 2023 for p in pilots if p.name not in REAL_2020)


def test_shipped_registry_holds_the_five_proeftuinen_of_october_2022() -> None:
    cohort = {p.name for p in load_pilots() if p.cohort == "proeftuinen oktober 2022"}
    assert cohort == {
        "Hart van Brabant",
        "Flevoland",
        "Zaanstreek-Waterland",
        "Friesland",
        "Gelderland-Zuid",
    }


def test_shipped_names_resolve_against_other_spellings() -> None:
    pilots = load_pilots()
    spelled = {f"JZ{i:02d}": p.name.replace("-", " ").upper() for i, p in enumerate(pilots, 1)}
    got = resolve_pilots(pilots, _regions(spelled), range(2015, 2025))
    assert len(got) == len(pilots) == 11
    assert got[next(c for c, n in spelled.items() if n == "GELDERLAND ZUID")] == 2023


def test_user_file_overrides_drops_and_extends(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[pilot]]\nname = "food valley"\nstart_year = 2021\n\n'
        '[[pilot]]\nname = "Zeeland"\nenabled = false\n\n'
        '[[pilot]]\nname = "Twente"\nstart_year = 2024\ncode = "JZ99"\n',
        encoding="utf-8",
    )
    pilots = {p.name.lower(): p for p in load_pilots(path)}
    assert pilots["food valley"].start_year == 2021
    assert pilots["food valley"].cohort == "pilots 2020"
    assert "zeeland" not in pilots
    assert pilots["twente"].code == "JZ99"


def test_names_match_regardless_of_case_accents_and_hyphens() -> None:
    regions = _regions({"JZ07": "Foodvalley", "JZ08": "Zeeland"})
    got = resolve_pilots([Pilot("Food Valley", 2020)], regions, range(2015, 2025))
    assert got == {"JZ07": 2020}


@pytest.mark.parametrize(
    ("pilot", "years", "message"),
    [
        (Pilot("Atlantis", 2020), range(2015, 2025), "not a jeugdregio"),
        (Pilot("Zeeland", 2026), range(2015, 2025), "outside the data"),
        (Pilot("Zeeland", 2015), range(2015, 2025), "outside the data"),
        (Pilot("Zeeland", 2020), range(2019, 2025), "at least 2"),
    ],
)
def test_bad_pilots_say_what_to_change(pilot: Pilot, years: range, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        resolve_pilots([pilot], _regions({"JZ08": "Zeeland"}), years)
    assert info.value.hint


def test_bad_user_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[pilot]]\nname = "X"\nstart = 2020\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown fields"):
        load_pilots(bad)
    bad.write_text("[[pilot]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_pilots(bad)
    with pytest.raises(ConfigError, match="does not exist"):
        load_pilots(tmp_path / "absent.toml")


def test_demo_pilots_resolve_to_their_codes(pilot_country: DemoCountry) -> None:
    assert pilot_country.truth_pilots is not None
    pilots = demo_pilots(pilot_country.truth_pilots)
    ref = pilot_country.regions[pilot_country.regions["year"] == 2024]
    got = resolve_pilots(pilots, ref, range(2015, 2025))
    assert got == dict(pilot_country.meta["pilots"]["starts"])
