"""A local HTTP server that speaks CBS StatLine's OData v3/v4, with faults on demand.

It serves synthetic tables on 127.0.0.1 (a random port, in a thread):

- v3 ``{base}/v3/{table}/TableInfos|DataProperties|{Dimension}``;
- the v3 bulk feed ``{base}/feed/{table}/TypedDataSet`` in pages of ``page_size``
  with ``odata.nextLink`` and (on request) ``odata.count``, and ``.../$count``;
- v4 ``{base}/v4/{table}/Properties|MeasureCodes|{Dim}Codes|Observations`` with
  ``@odata.nextLink``.

Faults are keyed by a substring of a request's signature ``'/feed/T/TypedDataSet
page=2'``: ``fail`` (answer 500, ``times`` times or forever), ``sleep`` (answer
after ``seconds``), ``truncate`` (announce more bytes than sent), ``badjson``,
``stall`` (never answer while the server runs), ``undercount`` (announce more
rows than exist). Every request signature is logged in ``requests``.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bluezones.config import Settings

PAGE_SIZE = 5000
V4_PAGE_SIZE = 50
_STALL_STEP = 0.05


@dataclass
class FakeTable:
    """One synthetic CBS table, in v3 (wide rows) and/or v4 (observations) form."""

    table_id: str
    modified: str = "2024-03-01T02:00:00"
    title: str = "Synthetic table"
    data_properties: list[dict[str, Any]] = field(default_factory=list)
    dimensions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    observations: list[dict[str, Any]] = field(default_factory=list)
    codes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class Fault:
    match: str
    kind: str
    times: int | None = None
    seconds: float = 0.0


class CBSServer:
    """Start with :meth:`start`, stop with :meth:`stop`; see the module docstring."""

    def __init__(self, page_size: int = PAGE_SIZE, v4_page_size: int = V4_PAGE_SIZE) -> None:
        self.tables: dict[str, FakeTable] = {}
        self.faults: list[Fault] = []
        self.requests: list[str] = []
        self.page_size = page_size
        self.v4_page_size = v4_page_size
        self.give_count = True
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": _STALL_STEP}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "cbs_v3_url": f"{self.url}/v3",
            "cbs_feed_url": f"{self.url}/feed",
            "cbs_v4_url": f"{self.url}/v4",
            "http_timeout": 5.0,
            "http_retries": 2,
            "http_backoff": 0.5,
        }
        values.update(overrides)
        return Settings(**values)

    def add(self, table: FakeTable) -> None:
        self.tables[table.table_id] = table

    def fault(
        self, match: str, kind: str, *, times: int | None = None, seconds: float = 0.0
    ) -> None:
        self.faults.append(Fault(match, kind, times, seconds))

    def data_requests(self) -> list[str]:
        """Requests for anything but TableInfos/Properties (what an up-to-date check needs)."""
        return [r for r in self.requests if "TableInfos" not in r and "/Properties" not in r]

    def start(self) -> CBSServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    # --- request handling ------------------------------------------------------
    def _take_fault(self, signature: str) -> Fault | None:
        with self._lock:
            self.requests.append(signature)
            for fault in self.faults:
                if fault.match in signature and fault.times != 0:
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        parts = [p for p in path.split("/") if p]
        if len(parts) < 3 or parts[1] not in self.tables:
            return 404, {"odata.error": {"message": {"value": "Resource not found"}}}
        api, table, entity = parts[0], self.tables[parts[1]], "/".join(parts[2:])
        skip = int(query.get("$skip", ["0"])[0])
        if api == "v3":
            return self._v3(table, entity)
        if api == "feed":
            return self._feed(table, entity, skip, "$inlinecount" in query)
        if api == "v4":
            return self._v4(table, entity, skip)
        return 404, {}

    def _v3(self, table: FakeTable, entity: str) -> tuple[int, Any]:
        if entity == "TableInfos":
            info = {"Identifier": table.table_id, "Title": table.title, "Modified": table.modified}
            return 200, {"value": [info]}
        if entity == "DataProperties":
            return 200, {"value": table.data_properties}
        if entity in table.dimensions:
            return 200, {"value": table.dimensions[entity]}
        return 404, {}

    def _feed(self, table: FakeTable, entity: str, skip: int, inline: bool) -> tuple[int, Any]:
        if entity == "TypedDataSet/$count":
            return 200, str(len(table.rows))
        if entity != "TypedDataSet":
            return 404, {}
        body: dict[str, Any] = {"value": table.rows[skip : skip + self.page_size]}
        if inline and skip == 0 and self.give_count:
            body["odata.count"] = len(table.rows)
        if skip + self.page_size < len(table.rows):
            body["odata.nextLink"] = (
                f"{self.url}/feed/{table.table_id}/TypedDataSet?$format=json"
                f"&$skip={skip + self.page_size}"
            )
        return 200, body

    def _v4(self, table: FakeTable, entity: str, skip: int) -> tuple[int, Any]:
        if entity == "Properties":
            return 200, {
                "Identifier": table.table_id,
                "Title": table.title,
                "Modified": table.modified,
            }
        if entity in table.codes:
            return 200, {"value": table.codes[entity]}
        if entity != "Observations":
            return 404, {}
        body: dict[str, Any] = {"value": table.observations[skip : skip + self.v4_page_size]}
        if skip == 0:
            body["@odata.count"] = len(table.observations)
        if skip + self.v4_page_size < len(table.observations):
            # v4 links are relative on some CBS endpoints: exercise urljoin.
            body["@odata.nextLink"] = f"Observations?$skip={skip + self.v4_page_size}"
        return 200, body

    def page_of(self, path: str, query: dict[str, list[str]]) -> int:
        size = self.v4_page_size if path.startswith("/v4/") else self.page_size
        return int(query.get("$skip", ["0"])[0]) // size + 1

    def stall(self) -> None:
        while not self._stopping.is_set():
            time.sleep(_STALL_STEP)


def _handler(server: CBSServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            split = urlsplit(self.path)
            query = parse_qs(split.query)
            signature = f"{split.path} page={server.page_of(split.path, query)}"
            fault = server._take_fault(signature)
            status, body = server.answer(split.path, query)
            kind = fault.kind if fault else None
            if kind == "undercount" and isinstance(body, dict) and "odata.count" in body:
                body["odata.count"] += 1
            try:
                if kind == "fail":
                    self._send(500, b'{"odata.error": "busy"}')
                elif kind == "sleep":
                    time.sleep(fault.seconds)  # type: ignore[union-attr]
                    self._send(status, _encode(body))
                elif kind == "stall":
                    server.stall()
                elif kind == "truncate":
                    data = _encode(body)
                    self._send(status, data[: len(data) // 2], length=len(data))
                elif kind == "badjson":
                    self._send(status, _encode(body)[:-10])
                else:
                    self._send(status, _encode(body))
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _send(self, status: int, data: bytes, length: int | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data) if length is None else length))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()

    return Handler


def _encode(body: Any) -> bytes:
    return body.encode() if isinstance(body, str) else json.dumps(body).encode()


# --- synthetic tables -------------------------------------------------------------

SYNTHETIC_ID = "99001TST"
V4_ID = "99002TST"
YEARS = (2018, 2019, 2020, 2021, 2022)
PROVISIONAL_YEAR = 2022


def pad(code: str) -> str:
    """CBS pads keys to 10 characters."""
    return f"{code:<10}"


def synthetic_v3(table_id: str = SYNTHETIC_ID, n_regions: int = 2469) -> FakeTable:
    """A v3 table of ``n_regions`` gemeenten x 5 years (12,345 rows by default).

    Population is ``1000 + i`` for region i, jeugdzorg ``i % 97`` with every 100th
    cell null and every 250th ``'.'``; 2022 is provisional.
    """
    regions = [f"GM{i:04d}" for i in range(1, n_regions + 1)]
    rows = []
    for year in YEARS:
        for i, code in enumerate(regions, start=1):
            jz: Any = i % 97
            if i % 100 == 0:
                jz = None
            elif i % 250 == 0:
                jz = "."
            rows.append(
                {
                    "ID": len(rows),
                    "RegioS": pad(code),
                    "Perioden": f"{year}JJ00",
                    "AantalInwoners_5": 1000 + i,
                    "JongerenMetJeugdzorgInNatura_84": jz,
                    "Gemeentenaam_1": f"Gemeente {i}",
                }
            )
    return FakeTable(
        table_id,
        data_properties=[
            {"Type": "GeoDimension", "Key": "RegioS"},
            {"Type": "TimeDimension", "Key": "Perioden"},
            {"Type": "Topic", "Key": "Gemeentenaam_1", "Datatype": "String"},
            {"Type": "Topic", "Key": "AantalInwoners_5", "Datatype": "Long"},
            {"Type": "Topic", "Key": "JongerenMetJeugdzorgInNatura_84", "Datatype": "Long"},
        ],
        dimensions={
            "RegioS": [{"Key": pad(c), "Title": f"Gemeente {c[2:]}"} for c in regions],
            "Perioden": [
                {
                    "Key": f"{y}JJ00",
                    "Title": f"{y}*" if y == PROVISIONAL_YEAR else str(y),
                    "Status": "Voorlopig" if y == PROVISIONAL_YEAR else "Definitief",
                }
                for y in YEARS
            ],
        },
        rows=rows,
    )


def synthetic_v4(table_id: str = V4_ID, n_regions: int = 30) -> FakeTable:
    """A v4 table: ``n_regions`` gemeenten x 2 years x 2 measures, some values withheld."""
    observations = []
    regions = [f"GM{i:04d}" for i in range(1, n_regions + 1)]
    for year in (2021, 2022):
        for i, code in enumerate(regions, start=1):
            for measure, value in (("M001", 1000.0 + i), ("M002", float(i))):
                attribute = "None"
                if measure == "M002" and i % 10 == 0:
                    attribute, value = "Confidential", None  # type: ignore[assignment]
                if measure == "M002" and i == 7:
                    attribute = "Impossible"
                observations.append(
                    {
                        "Id": len(observations),
                        "Measure": measure,
                        "ValueAttribute": attribute,
                        "Value": value,
                        "RegioS": pad(code),
                        "Perioden": f"{year}JJ00",
                    }
                )
    return FakeTable(
        table_id,
        observations=observations,
        codes={
            "MeasureCodes": [
                {"Identifier": "M001", "Title": "Aantal inwoners"},
                {"Identifier": "M002", "Title": "Jongeren met jeugdzorg in natura"},
            ],
            "RegioSCodes": [{"Identifier": pad(c), "Title": f"Gemeente {c[2:]}"} for c in regions],
            "PeriodenCodes": [
                {"Identifier": "2021JJ00", "Title": "2021", "Status": "Definitief"},
                {"Identifier": "2022JJ00", "Title": "2022*", "Status": "Voorlopig"},
            ],
        },
    )
