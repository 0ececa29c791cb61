"""A microdata-origin dataset: the demo country with exact counts (no rounding, no
suppression at the source, as person-level records give them), detected at gemeente
and wijk level, and its atlas and exports built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

import bluezones.sources.demo.publish as publish
from bluezones.detect.pipeline import DetectionConfig
from bluezones.detect.results import detect_dataset
from bluezones.present.atlas import build_atlas
from bluezones.present.exports import write_exports
from bluezones.regions import harmonise_store
from bluezones.sources.demo import generate
from bluezones.store import Store

SEED = 20190101
MIN = 10
GEMEENTE = DetectionConfig(
    indicators=("jeugdhulp", "jeugdbescherming", "uithuisplaatsing"),
    years=(2020, 2021, 2022, 2023, 2024),
)
WIJK = DetectionConfig(
    level="wijk",
    indicators=("jeugdhulp", "jeugdbescherming"),
    persistence=False,
    years=(2022, 2023, 2024),
)


@pytest.fixture(scope="session")
def micro_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo published unrounded and unsuppressed, recorded as microdata (min 10)."""
    path = tmp_path_factory.mktemp("micro") / "store.duckdb"
    saved = (publish.MIN_CELL, publish.MIN_DENOMINATOR, publish.WIJK_ROUNDING)
    publish.MIN_CELL, publish.MIN_DENOMINATOR, publish.WIJK_ROUNDING = 0, 0, 1
    try:
        country = generate(SEED)
    finally:
        publish.MIN_CELL, publish.MIN_DENOMINATOR, publish.WIJK_ROUNDING = saved
    with Store(path) as store:
        country.to_store(store)
        harmonise_store(store, "demo", 2024)
        detect_dataset(store, "demo", GEMEENTE)
        detect_dataset(store, "demo", WIJK)
        store.set_origin("demo", "microdata", min_count=MIN)
    return path


@pytest.fixture(scope="session")
def micro_outputs(micro_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The atlas and the exports of the microdata dataset, in one folder."""
    out = tmp_path_factory.mktemp("micro-out")
    with Store(micro_store, read_only=True) as store:
        build_atlas(store, "demo", out / "atlas")
        write_exports(store, "demo", out / "exports", levels=("gemeente", "wijk"))
    return out
