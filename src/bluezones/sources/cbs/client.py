"""The HTTP client for CBS StatLine: OData v3 (metadata + bulk feed) and OData v4.

Every network call of bluezones goes through :class:`CBSClient`, which takes an
``httpx.Client`` so tests can hand it a local server or a mock transport. It

- retries 5xx answers, connection errors, timeouts and cut-off or invalid JSON
  bodies with exponential backoff (``settings.http_retries``, ``http_backoff``;
  the ``sleep`` function is injectable so tests do not wait);
- fails at once with a :class:`CBSError` naming table and URL on a 4xx answer;
- follows ``odata.nextLink`` (v3 feed) and ``@odata.nextLink`` (v4) page after
  page and refuses to return fewer rows than the server announced;
- shows a ``rich`` progress bar on long downloads when on a terminal.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urljoin

import httpx
import pandas as pd
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from bluezones.config import Settings
from bluezones.errors import CBSError
from bluezones.sources.cbs.odata import ParsedTable, parse_v4, parse_wide, raw_frame

__all__ = ["CBSClient", "Download", "TableInfo"]

Api = Literal["v3", "v4"]

# DataProperties types that are dimensions (v3) and the topic data types holding text.
_REGION_TYPES = ("GeoDimension",)
_PERIOD_TYPES = ("TimeDimension",)
_DIMENSION_TYPES = ("Dimension", "GeoDimension", "TimeDimension")
_TEXT_DATATYPES = ("String",)
_FIRST_STATUS_ERROR = 400
_FIRST_SERVER_ERROR = 500


@dataclass(frozen=True)
class TableInfo:
    """What CBS says about a table before any data is downloaded."""

    table_id: str
    title: str | None
    modified: str | None
    api: Api


@dataclass(frozen=True)
class Download:
    """A table downloaded in full: the raw rows (as text) and the parsed table."""

    info: TableInfo
    raw: pd.DataFrame
    parsed: ParsedTable
    url: str


class CBSClient:
    """Talks to CBS StatLine; see the module docstring for what it guarantees.

    Parameters
    ----------
    settings
        Base URLs, timeout, retries and backoff.
    http
        The ``httpx.Client`` to use; by default one is made (and closed by
        :meth:`close`).
    sleep
        Called with the seconds to wait before a retry.
    progress
        Show progress bars (only ever on a terminal).
    """

    def __init__(
        self,
        settings: Settings,
        http: httpx.Client | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        progress: bool = True,
    ) -> None:
        self.settings = settings
        self._own_http = http is None
        self.http = http or httpx.Client(follow_redirects=True)
        self.sleep = sleep
        self.progress = progress

    def close(self) -> None:
        if self._own_http:
            self.http.close()

    def __enter__(self) -> CBSClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- table information ---------------------------------------------------
    def table_info(self, table_id: str, *, api: Api = "v3") -> TableInfo:
        """Title and ``Modified`` date: v3 ``TableInfos`` or v4 ``Properties``."""
        if api == "v4":
            body = self._json(self._v4(table_id, "Properties"), table_id)
            return TableInfo(table_id, body.get("Title"), body.get("Modified"), "v4")
        rows = self._values(self._v3(table_id, "TableInfos"), table_id)
        if not rows:
            raise CBSError(
                f"CBS sent no TableInfos for table {table_id}.",
                hint="Check the table ID on StatLine.",
                table=table_id,
            )
        return TableInfo(table_id, rows[0].get("Title"), rows[0].get("Modified"), "v3")

    def data_properties(self, table_id: str) -> list[dict[str, Any]]:
        return self._values(self._v3(table_id, "DataProperties"), table_id)

    def dimension(self, table_id: str, name: str) -> list[dict[str, Any]]:
        """Rows of a v3 dimension table (``RegioS``, ``Perioden``, ...): Key, Title, ..."""
        return self._values(self._v3(table_id, name), table_id)

    def v4_codes(self, table_id: str, entity: str) -> list[dict[str, Any]]:
        """A v4 code list (``MeasureCodes``, ``RegioSCodes``, ``PeriodenCodes``)."""
        return list(self._pages(self._v4(table_id, entity), table_id, v4=True, label=entity))

    # --- whole tables ----------------------------------------------------------
    def download(
        self,
        table_id: str,
        *,
        api: Api = "v3",
        region_dimension: str | None = None,
        period_dimension: str | None = None,
        year: int | None = None,
        topics: Callable[[str], bool] | None = None,
        progress: bool = True,
    ) -> Download:
        """Download a table in full (metadata and all data pages) into memory.

        ``topics`` chooses the numeric columns to parse (all by default);
        ``year`` is the year of a table without a period dimension; ``progress``
        False hides the progress bar.
        """
        info = self.table_info(table_id, api=api)
        if api == "v4":
            return self._download_v4(info, region_dimension, period_dimension, year, progress)
        props = self.data_properties(table_id)
        region = region_dimension or _first_key(props, _REGION_TYPES) or "RegioS"
        period = (
            period_dimension if period_dimension is not None else _first_key(props, _PERIOD_TYPES)
        )
        dims = [p["Key"] for p in props if p.get("Type") in _DIMENSION_TYPES]
        meta = {dim: self.dimension(table_id, dim) for dim in dims}
        url = f"{self.settings.cbs_feed_url}/{table_id}/TypedDataSet"
        rows = self.feed_rows(table_id, progress=progress)
        frame = pd.DataFrame(rows)
        wanted = [
            p["Key"]
            for p in props
            if p.get("Type") == "Topic"
            and p.get("Datatype") not in _TEXT_DATATYPES
            and p["Key"] in frame.columns
            and (topics is None or topics(p["Key"]))
        ]
        others = [d for d in dims if d not in (region, period) and d in frame.columns]
        parsed = parse_wide(
            frame,
            table_id=table_id,
            region_dimension=region,
            period_dimension=period or None,
            topics=wanted,
            dimensions=others,
            year=year,
            period_info=_period_info(meta.get(period or "", []), "Key"),
            region_names=_titles(meta.get(region, []), "Key"),
            dimension_titles={d: _titles(meta.get(d, []), "Key") for d in others},
            title=info.title,
            modified=info.modified,
        )
        return Download(info, raw_frame(frame), parsed, url)

    def _download_v4(
        self,
        info: TableInfo,
        region: str | None,
        period: str | None,
        year: int | None,
        progress: bool,
    ) -> Download:
        table_id = info.table_id
        region = region or "RegioS"
        period = "Perioden" if period is None else period
        measures = self.v4_codes(table_id, "MeasureCodes")
        regions = self.v4_codes(table_id, f"{region}Codes")
        periods = self.v4_codes(table_id, f"{period}Codes") if period else []
        url = self._v4(table_id, "Observations")
        frame = pd.DataFrame(self.observation_rows(table_id, progress=progress))
        others = [
            c
            for c in frame.columns
            if c not in {"Id", "Measure", "ValueAttribute", "Value", "StringValue", region, period}
        ]
        dimension_titles = {
            d: _titles(self.v4_codes(table_id, f"{d}Codes"), "Identifier") for d in others
        }
        parsed = parse_v4(
            frame,
            table_id=table_id,
            region_dimension=region,
            period_dimension=period or None,
            period_info=_period_info(periods, "Identifier"),
            region_names=_titles(regions, "Identifier"),
            dimension_titles=dimension_titles,
            topic_titles=_titles(measures, "Identifier"),
            year=year,
            title=info.title,
            modified=info.modified,
        )
        return Download(info, raw_frame(frame), parsed, url)

    def feed_rows(self, table_id: str, *, progress: bool = True) -> list[dict[str, Any]]:
        """All rows of the v3 bulk feed ``TypedDataSet``, following ``odata.nextLink``."""
        base = f"{self.settings.cbs_feed_url}/{table_id}/TypedDataSet"
        url = f"{base}?$format=json&$inlinecount=allpages"
        return list(
            self._pages(
                url,
                table_id,
                v4=False,
                label="TypedDataSet",
                count_url=f"{base}/$count",
                progress=progress,
            )
        )

    def observation_rows(self, table_id: str, *, progress: bool = True) -> list[dict[str, Any]]:
        """All v4 ``Observations`` of a table, following ``@odata.nextLink``."""
        url = self._v4(table_id, "Observations") + "?$count=true"
        return list(self._pages(url, table_id, v4=True, label="Observations", progress=progress))

    # --- paging ----------------------------------------------------------------
    def _pages(
        self,
        url: str,
        table_id: str,
        *,
        v4: bool,
        label: str,
        count_url: str | None = None,
        progress: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Rows of every page; the total comes from the first page or ``count_url``."""
        count_key, next_key = (
            ("@odata.count", "@odata.nextLink") if v4 else ("odata.count", "odata.nextLink")
        )
        total: int | None = None
        seen, page = 0, 1
        with self._progress(f"{table_id} {label}", progress) as (bar, task):
            next_url: str | None = url
            while next_url:
                body = self._json(next_url, table_id, page=page)
                if page == 1:
                    total = _int(body.get(count_key))
                    if total is None and count_url:
                        total = self._count(count_url)
                    bar.update(task, total=total)
                rows = body.get("value", [])
                seen += len(rows)
                bar.update(task, completed=seen)
                yield from rows
                link = body.get(next_key)
                next_url = urljoin(next_url, link) if link else None
                page += 1
        if total is not None and seen != total:
            raise CBSError(
                f"CBS announced {total} rows of {table_id} but the pages held {seen}.",
                hint="The download was cut short; try again later.",
                table=table_id,
                page=page - 1,
                url=url,
            )

    # --- one request, with retries ---------------------------------------------
    def _json(self, url: str, table_id: str, *, page: int | None = None) -> dict[str, Any]:
        """GET ``url`` and decode its JSON, retrying what may pass; raise a clear error."""
        attempts = self.settings.http_retries + 1
        problem = ""
        for attempt in range(attempts):
            if attempt:
                self.sleep(self.settings.http_backoff * 2 ** (attempt - 1))
            try:
                response = self.http.get(
                    url, timeout=self.settings.http_timeout, headers={"Accept": "application/json"}
                )
            except httpx.TimeoutException:
                problem = f"no answer within {self.settings.http_timeout:g} s"
                continue
            except httpx.TransportError as exc:
                problem = f"connection failed ({type(exc).__name__}: {exc})"
                continue
            if response.status_code >= _FIRST_SERVER_ERROR:
                problem = f"server error {response.status_code}"
                continue
            if response.status_code >= _FIRST_STATUS_ERROR:
                raise CBSError(
                    f"CBS answered {response.status_code} for table {table_id}.",
                    hint="Check the table ID (is it on StatLine?) and the base URLs in the "
                    "settings (BLUEZONES_CBS_*_URL).",
                    table=table_id,
                    url=url,
                    page=page,
                )
            try:
                body = json.loads(response.content)
            except ValueError:
                problem = "the answer was cut off or is not valid JSON"
                continue
            if not isinstance(body, dict):
                problem = "the answer is not a JSON object"
                continue
            return body
        raise CBSError(
            f"Could not download table {table_id} from CBS: {problem}, "
            f"after {attempts} attempt{'s' if attempts > 1 else ''}.",
            hint="CBS may be busy or down; try again later, or raise BLUEZONES_HTTP_RETRIES "
            "/ BLUEZONES_HTTP_TIMEOUT.",
            table=table_id,
            page=page,
            url=url,
        )

    def _count(self, url: str) -> int | None:
        """The row count of an entity (``.../$count``), or ``None`` if the server gives none."""
        try:
            response = self.http.get(url, timeout=self.settings.http_timeout)
        except httpx.HTTPError:
            return None
        return _int(response.text.strip()) if response.status_code < _FIRST_STATUS_ERROR else None

    def _values(self, url: str, table_id: str) -> list[dict[str, Any]]:
        return list(self._json(url, table_id).get("value", []))

    def _v3(self, table_id: str, entity: str) -> str:
        return f"{self.settings.cbs_v3_url}/{table_id}/{entity}?$format=json"

    def _v4(self, table_id: str, entity: str) -> str:
        return f"{self.settings.cbs_v4_url}/{table_id}/{entity}"

    def _progress(self, label: str, wanted: bool) -> _ProgressContext:
        enabled = wanted and self.progress and sys.stderr.isatty()
        return _ProgressContext(label, enabled)


class _ProgressContext:
    """A rich progress bar for one download (rows fetched of the total where known)."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("rows"),
            disable=not enabled,
            transient=True,
        )
        self.label = label

    def __enter__(self) -> tuple[Progress, Any]:
        self.progress.start()
        return self.progress, self.progress.add_task(self.label, total=None)

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _first_key(props: list[dict[str, Any]], types: tuple[str, ...]) -> str | None:
    return next((p["Key"] for p in props if p.get("Type") in types), None)


def _titles(rows: list[dict[str, Any]], key: str) -> dict[str, str]:
    return {
        str(r[key]).strip(): str(r.get("Title") or "").strip()
        for r in rows
        if r.get(key) is not None
    }


def _period_info(rows: list[dict[str, Any]], key: str) -> dict[str, tuple[str | None, str | None]]:
    return {
        str(r[key]).strip(): (r.get("Title"), r.get("Status"))
        for r in rows
        if r.get(key) is not None
    }
