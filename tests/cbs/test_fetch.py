"""fetch(): incremental, all-or-nothing writes to the store, against the local CBS server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from cbs_server import SYNTHETIC_ID, V4_ID, CBSServer, synthetic_v3, synthetic_v4

from bluezones.errors import CBSError
from bluezones.sources.cbs import CBSClient, Registry, fetch
from bluezones.store import Store

N_ROWS = 12_345
KILL_WAIT = 20.0


def _client(server: CBSServer) -> CBSClient:
    return CBSClient(server.settings(), sleep=lambda s: None, progress=False)


def _state(store: Store) -> dict[str, pd.DataFrame]:
    """Everything fetch may touch, sorted, to compare before and after."""
    out = {}
    for table in ("facts", "regions", "snapshots"):
        frame = store.read(table)
        out[table] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return out


def _assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for table in a:
        pd.testing.assert_frame_equal(a[table], b[table])


def test_fetch_writes_snapshot_facts_and_regions(
    cbs_server: CBSServer, store: Store, registry: Registry
) -> None:
    cbs_server.add(synthetic_v3())
    [result] = fetch(store, [SYNTHETIC_ID], client=_client(cbs_server), registry=registry)
    assert result.status == "fetched" and result.rows == N_ROWS
    assert result.facts == 2 * N_ROWS and result.missing_columns == ()
    snap = store.snapshot("cbs", SYNTHETIC_ID)
    assert snap is not None and snap.n_rows == N_ROWS and snap.modified == "2024-03-01T02:00:00"
    assert store.read_raw("cbs", SYNTHETIC_ID)["RegioS"].iloc[0] == "GM0001    "
    facts = store.read_facts("cbs").set_index(["region_code", "year", "measure"])
    assert facts.loc[("GM0014", 2019, "population"), "value"] == 1014
    assert pd.isna(facts.loc[("GM0014", 2019, "population"), "status"])
    assert facts.loc[("GM0014", 2022, "population"), "status"] == "provisional"
    assert facts.loc[("GM0250", 2019, "jeugdzorg"), "status"] == "suppressed"
    assert pd.isna(facts.loc[("GM0250", 2019, "jeugdzorg"), "value"])
    assert set(facts["source"]) == {SYNTHETIC_ID}
    regions = store.read("regions")
    assert len(regions) == N_ROWS and set(regions["level"]) == {"gemeente"}
    assert regions.set_index(["region_code", "year"]).loc[("GM0014", 2020), "name"] == (
        "Gemeente 0014"
    )


def test_a_rerun_with_the_same_modified_date_downloads_nothing(
    cbs_server: CBSServer, store: Store, registry: Registry
) -> None:
    cbs_server.add(synthetic_v3(n_regions=20))
    fetch(store, [SYNTHETIC_ID], client=_client(cbs_server), registry=registry)
    before = _state(store)
    cbs_server.requests.clear()
    [result] = fetch(store, [SYNTHETIC_ID], client=_client(cbs_server), registry=registry)
    assert result.status == "unchanged"
    assert cbs_server.requests and cbs_server.data_requests() == []
    _assert_same(before, _state(store))
    [forced] = fetch(
        store, [SYNTHETIC_ID], client=_client(cbs_server), registry=registry, force=True
    )
    assert forced.status == "fetched" and cbs_server.data_requests()


def test_a_failed_download_leaves_the_store_unchanged(
    cbs_server: CBSServer, store: Store, registry: Registry
) -> None:
    cbs_server.add(synthetic_v3())
    fetch(store, [SYNTHETIC_ID], client=_client(cbs_server), registry=registry)
    before = _state(store)
    cbs_server.tables[SYNTHETIC_ID].modified = "2024-09-01T02:00:00"
    cbs_server.fault("TypedDataSet page=3", "truncate")
    with pytest.raises(CBSError):
        fetch(store, [SYNTHETIC_ID], client=_client(cbs_server), registry=registry)
    _assert_same(before, _state(store))


def test_overlapping_tables_keep_the_fact_of_higher_precedence_in_any_order(
    cbs_server: CBSServer, tmp_path: Path, registry: Registry
) -> None:
    cbs_server.add(synthetic_v3(n_regions=30))
    cbs_server.add(synthetic_v4(n_regions=30))
    finals = []
    for order in ([SYNTHETIC_ID, V4_ID], [V4_ID, SYNTHETIC_ID]):
        with Store(tmp_path / f"{order[0]}.duckdb") as store:
            fetch(store, order, client=_client(cbs_server), registry=registry)
            facts = store.read_facts("cbs")
            assert not facts.duplicated(["region_code", "year", "measure"]).any()
            finals.append(facts.sort_values(["region_code", "year", "measure"]))
            regions = store.read("regions")  # both tables' regions, none wiped
            assert set(regions["year"]) == {2018, 2019, 2020, 2021, 2022}
    pd.testing.assert_frame_equal(
        finals[0].reset_index(drop=True), finals[1].reset_index(drop=True)
    )
    by_key = finals[0].set_index(["region_code", "year", "measure"])
    assert by_key.loc[("GM0003", 2021, "jeugdzorg"), "source"] == V4_ID  # precedence 5 > 0
    assert by_key.loc[("GM0003", 2019, "jeugdzorg"), "source"] == SYNTHETIC_ID


def test_an_unknown_table_fails_before_any_request(cbs_server: CBSServer, store: Store) -> None:
    with pytest.raises(CBSError, match="not in the bluezones table registry"):
        fetch(store, ["12345XYZ"], client=_client(cbs_server))
    assert cbs_server.requests == []


_CHILD = """
import sys
from bluezones.sources.cbs import CBSClient, ColumnMap, Registry, TableSpec, fetch
from bluezones.config import Settings
from bluezones.store import Store

url, path = sys.argv[1], sys.argv[2]
settings = Settings(cbs_v3_url=url + "/v3", cbs_feed_url=url + "/feed", cbs_v4_url=url + "/v4",
                    http_timeout=600.0)
spec = TableSpec("{table}", "t", (2018, 2022), ("gemeente",), "RegioS", "Perioden",
                 columns=(ColumnMap("AantalInwoners", "population"),))
with Store(path) as store:
    fetch(store, ["{table}"], client=CBSClient(settings, progress=False),
          registry=Registry.from_specs([spec]), force=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")
def test_a_download_killed_halfway_leaves_the_store_file_unchanged(
    cbs_server: CBSServer, tmp_path: Path, registry: Registry
) -> None:
    cbs_server.add(synthetic_v3())
    path = tmp_path / "store.duckdb"
    with Store(path) as store:
        fetch(store, [SYNTHETIC_ID], client=_client(cbs_server), registry=registry)
        before = _state(store)
    cbs_server.fault("TypedDataSet page=2", "stall")
    cbs_server.requests.clear()
    script = textwrap.dedent(_CHILD).replace("{table}", SYNTHETIC_ID)
    child = subprocess.Popen([sys.executable, "-c", script, cbs_server.url, str(path)])
    try:
        deadline = time.monotonic() + KILL_WAIT
        while not any("page=2" in r for r in cbs_server.requests):
            assert child.poll() is None, "the child ended before reaching page 2"
            assert time.monotonic() < deadline, "the child never asked for page 2"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=KILL_WAIT)
    assert child.returncode == -signal.SIGKILL
    with Store(path, read_only=True) as store:
        _assert_same(before, _state(store))
