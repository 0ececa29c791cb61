"""The CBS client against a real local HTTP server (and httpx.MockTransport for 4xx)."""

from __future__ import annotations

import httpx
import numpy as np
import pytest
from cbs_server import SYNTHETIC_ID, V4_ID, CBSServer, synthetic_v3, synthetic_v4

from bluezones.config import Settings
from bluezones.errors import CBSError
from bluezones.sources.cbs.client import CBSClient

N_ROWS = 12_345


def _client(server: CBSServer, sleeps: list[float] | None = None, **settings: object) -> CBSClient:
    record = sleeps.append if sleeps is not None else (lambda s: None)
    return CBSClient(server.settings(**settings), sleep=record, progress=False)


def test_bulk_feed_pages_arrive_in_full_with_padded_keys_and_suppressed_cells(
    cbs_server: CBSServer,
) -> None:
    cbs_server.add(synthetic_v3())
    with _client(cbs_server) as client:
        download = client.download(SYNTHETIC_ID)
    assert len(download.raw) == N_ROWS
    pages = [r for r in cbs_server.requests if "TypedDataSet page=" in r]
    assert [r.rsplit("=", 1)[1] for r in pages] == ["1", "2", "3"]
    obs = download.parsed.observations
    assert len(obs) == 2 * N_ROWS  # two numeric topics; the text topic is left out
    assert set(obs["region_code"].str.len()) == {6}
    jz = obs[obs["topic"] == "JongerenMetJeugdzorgInNatura_84"]
    gm0100 = jz[jz["region_code"] == "GM0100"]
    assert gm0100["status"].eq("missing").all() and gm0100["value"].isna().all()
    gm0250 = jz[jz["region_code"] == "GM0250"]
    assert gm0250["status"].eq("suppressed").all()
    assert not (jz["status"].notna() & jz["value"].eq(0)).any()
    assert obs.loc[obs["year"] == 2022, "provisional"].all()
    assert not obs.loc[obs["year"] < 2022, "provisional"].any()
    assert download.parsed.regions.set_index("region_code").loc["GM0014", "name"] == "Gemeente 0014"
    assert download.info.modified == "2024-03-01T02:00:00"


def test_a_500_that_recovers_is_retried_with_backoff(cbs_server: CBSServer) -> None:
    cbs_server.add(synthetic_v3())
    cbs_server.fault("TypedDataSet page=2", "fail", times=2)
    sleeps: list[float] = []
    with _client(cbs_server, sleeps, http_retries=3, http_backoff=0.5) as client:
        rows = client.feed_rows(SYNTHETIC_ID)
    assert len(rows) == N_ROWS
    assert sleeps == [0.5, 1.0]


def test_a_permanent_500_fails_after_the_retries_naming_table_and_page(
    cbs_server: CBSServer,
) -> None:
    cbs_server.add(synthetic_v3())
    cbs_server.fault("TypedDataSet page=3", "fail")
    sleeps: list[float] = []
    with _client(cbs_server, sleeps, http_retries=2) as client, pytest.raises(CBSError) as err:
        client.feed_rows(SYNTHETIC_ID)
    assert err.value.context["table"] == SYNTHETIC_ID
    assert err.value.context["page"] == 3
    assert "server error 500" in err.value.message
    assert sleeps == [0.5, 1.0]
    assert sum("page=3" in r for r in cbs_server.requests) == 3


def test_a_timeout_is_retried_then_reported(cbs_server: CBSServer) -> None:
    cbs_server.add(synthetic_v3(n_regions=10))
    cbs_server.fault("TypedDataSet page=1", "sleep", seconds=1.0)
    client = _client(cbs_server, http_timeout=0.2, http_retries=1)
    with client, pytest.raises(CBSError, match=r"no answer within 0\.2 s") as err:
        client.feed_rows(SYNTHETIC_ID)
    assert err.value.context["page"] == 1


def test_a_timeout_that_passes_recovers(cbs_server: CBSServer) -> None:
    cbs_server.add(synthetic_v3(n_regions=10))
    cbs_server.fault("TypedDataSet page=1", "sleep", seconds=1.0, times=1)
    with _client(cbs_server, http_timeout=0.3, http_retries=1) as client:
        assert len(client.feed_rows(SYNTHETIC_ID)) == 50


@pytest.mark.parametrize("kind", ["truncate", "badjson"])
def test_a_cut_off_or_invalid_body_is_an_error_after_retries(
    cbs_server: CBSServer, kind: str
) -> None:
    cbs_server.add(synthetic_v3())
    cbs_server.fault("TypedDataSet page=2", kind)
    with _client(cbs_server) as client, pytest.raises(CBSError) as err:
        client.feed_rows(SYNTHETIC_ID)
    assert err.value.context["page"] == 2
    assert err.value.context["table"] == SYNTHETIC_ID


def test_fewer_rows_than_announced_is_an_error(cbs_server: CBSServer) -> None:
    cbs_server.add(synthetic_v3())
    cbs_server.fault("TypedDataSet page=1", "undercount")
    with _client(cbs_server) as client, pytest.raises(CBSError, match="announced 12346 rows"):
        client.feed_rows(SYNTHETIC_ID)


def test_without_inline_count_the_count_endpoint_is_asked(cbs_server: CBSServer) -> None:
    cbs_server.add(synthetic_v3(n_regions=10))
    cbs_server.give_count = False
    with _client(cbs_server) as client:
        assert len(client.feed_rows(SYNTHETIC_ID)) == 50
    assert any("$count" in r for r in cbs_server.requests)


def test_an_unknown_table_fails_at_once_with_its_url(cbs_server: CBSServer) -> None:
    sleeps: list[float] = []
    with _client(cbs_server, sleeps) as client, pytest.raises(CBSError) as err:
        client.table_info("00000XXX")
    assert "404" in err.value.message
    assert err.value.context["table"] == "00000XXX"
    assert "/v3/00000XXX/TableInfos" in err.value.context["url"]
    assert sleeps == [] and len(cbs_server.requests) == 1


def test_v4_observations_page_with_value_attributes(cbs_server: CBSServer) -> None:
    cbs_server.add(synthetic_v4())
    with _client(cbs_server) as client:
        download = client.download(V4_ID, api="v4")
    assert len(download.raw) == 120
    assert sum("Observations page=" in r for r in cbs_server.requests) == 3
    obs = download.parsed.observations.set_index(["region_code", "year", "topic"])
    assert obs.loc[("GM0010", 2021, "M002"), "status"] == "suppressed"
    assert obs.loc[("GM0007", 2021, "M002"), "status"] == "missing"
    assert np.isnan(obs.loc[("GM0007", 2021, "M002"), "value"])
    assert obs.loc[("GM0003", 2022, "M001"), "value"] == 1003.0
    assert obs.loc[("GM0003", 2022, "M001"), "provisional"]
    assert download.parsed.topic_titles["M002"] == "Jongeren met jeugdzorg in natura"


def test_4xx_from_a_mock_transport_is_not_retried() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(403, json={"error": "forbidden"})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = CBSClient(Settings(http_retries=3), http, sleep=lambda s: None, progress=False)
    with pytest.raises(CBSError, match="answered 403"):
        client.table_info("85098NED")
    assert len(calls) == 1
    assert calls[0].startswith("https://opendata.cbs.nl/ODataApi/odata/85098NED/TableInfos")


def test_connection_errors_are_retried_on_a_mock_transport() -> None:
    attempts: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        if len(attempts) < 3:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"value": [{"Title": "T", "Modified": "2024"}]})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    sleeps: list[float] = []
    client = CBSClient(Settings(http_retries=3, http_backoff=2.0), http, sleep=sleeps.append)
    assert client.table_info("85098NED").modified == "2024"
    assert sleeps == [2.0, 4.0]
