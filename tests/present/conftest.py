"""One small demo store with detection results, one built atlas and one server per session."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bluezones.detect.pipeline import DetectionConfig
from bluezones.detect.results import detect_dataset, load_results
from bluezones.present.atlas import build_atlas
from bluezones.present.atlas.server import make_server
from bluezones.regions import harmonise_store
from bluezones.sources.demo import generate
from bluezones.store import Store

SEED = 20190101
HOSTILE = "<script>alert(1)</script>"
HOSTILE_WIJK = "\"'&<img src=x onerror=alert(2)>"
GEMEENTE = DetectionConfig(indicators=("jeugdhulp", "jeugdbescherming", "uithuisplaatsing"))
WIJK = DetectionConfig(
    level="wijk", indicators=("jeugdhulp",), persistence=False, years=(2022, 2023, 2024)
)


@pytest.fixture(scope="session")
def atlas_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo store with gemeente and (short) wijk detection, and hostile area names."""
    path = tmp_path_factory.mktemp("atlas") / "store.duckdb"
    with Store(path) as store:
        generate(SEED).to_store(store)
        harmonise_store(store, "demo", 2024)
        detect_dataset(store, "demo", GEMEENTE)
        detect_dataset(store, "demo", WIJK)
        for code, name in hostile_codes(store).items():
            store.con.execute(
                "UPDATE regions SET name = ? WHERE dataset = 'demo' AND region_code = ?",
                [name, code],
            )
    return path


def hostile_codes(store: Store) -> dict[str, str]:
    """A listed gemeente (so it shows in every list) and a wijk to give hostile names."""
    gm = load_results(store, "demo", "gemeente")["classification"]
    listed = gm[gm["status"] != "as_expected"]
    gm_code = (listed if not listed.empty else gm)["region_code"].iloc[0]
    wk_code = load_results(store, "demo", "wijk")["classification"]["region_code"].iloc[0]
    return {gm_code: HOSTILE, wk_code: HOSTILE_WIJK}


@pytest.fixture(scope="session")
def hostile(atlas_store: Path) -> dict[str, str]:
    with Store(atlas_store, read_only=True) as store:
        names = store.read("regions", where={"dataset": "demo", "year": 2024})
    by_name = dict(zip(names["name"], names["region_code"], strict=False))
    return {by_name[HOSTILE]: HOSTILE, by_name[HOSTILE_WIJK]: HOSTILE_WIJK}


@pytest.fixture(scope="session")
def site(atlas_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    with Store(atlas_store, read_only=True) as store:
        return build_atlas(store, "demo", tmp_path_factory.mktemp("site") / "atlas")


@contextmanager
def serving(site: Path) -> Iterator[str]:
    """A built atlas served on a free localhost port while the block runs; yields its URL."""
    server = make_server(site, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def server_url(site: Path) -> Iterator[str]:
    """The atlas served on a free localhost port for the whole session."""
    with serving(site) as url:
        yield url
