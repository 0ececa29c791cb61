"""Shared fixtures: a store holding the demo country, and small synthetic microdata of it.

Built once per session; each test copies the store so it may write to it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bluezones.microdata import GeneratedMicrodata, generate_microdata
from bluezones.regions.harmonise import harmonise_store
from bluezones.sources.demo import DemoCountry, generate
from bluezones.store import Store

SEED = 7


@pytest.fixture(scope="session")
def country() -> DemoCountry:
    return generate(SEED)


@pytest.fixture(scope="session")
def demo_store_file(tmp_path_factory: pytest.TempPathFactory, country: DemoCountry) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with Store(path) as store:
        country.to_store(store)
        harmonise_store(store, "demo", 2024)  # the area covariates of the microdata model
    return path


@pytest.fixture
def demo_store(tmp_path: Path, demo_store_file: Path) -> Store:
    """A writable copy of the demo store."""
    path = tmp_path / "store.duckdb"
    shutil.copy(demo_store_file, path)
    store = Store(path)
    yield store
    store.close()


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> GeneratedMicrodata:
    """About 4,000 young people in 2024: for bad-input cases."""
    return generate_microdata(
        SEED,
        tmp_path_factory.mktemp("md") / "small",
        youths=4_000,
        years=[2024],
        area_covariates=True,
    )


@pytest.fixture(scope="session")
def medium(tmp_path_factory: pytest.TempPathFactory) -> GeneratedMicrodata:
    """About 150,000 young people a year in 2022-2024: for detection and model checks."""
    return generate_microdata(
        SEED,
        tmp_path_factory.mktemp("md") / "medium",
        youths=150_000,
        years=range(2022, 2025),
        area_covariates=True,
    )
