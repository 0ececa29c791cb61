"""One demo country per test session, and views of it the tests share."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bluezones.sources.demo import DemoCountry, generate


@pytest.fixture(scope="session")
def country() -> DemoCountry:
    """The default demo country (default seed, 2015-2024, reference year 2024)."""
    return generate()


@pytest.fixture(scope="session")
def written(country: DemoCountry, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default country written to a folder once."""
    return country.write(tmp_path_factory.mktemp("demo") / "country")


def wide(country: DemoCountry, prefix: str) -> pd.DataFrame:
    """Facts of one level (``GM`` or ``WK``) as one row per area and year."""
    facts = country.facts[country.facts["region_code"].str.startswith(prefix)]
    table = facts.pivot(index=["region_code", "year"], columns="measure", values="value")
    table.columns.name = None
    return table.reset_index()


@pytest.fixture(scope="session")
def gemeenten(country: DemoCountry) -> pd.DataFrame:
    return wide(country, "GM")


@pytest.fixture(scope="session")
def wijken(country: DemoCountry) -> pd.DataFrame:
    return wide(country, "WK")
