"""Fetch CBS tables into the store: incremental, all-or-nothing per table.

For each table :func:`fetch` first asks CBS for its ``Modified`` date. If the
store already holds a snapshot with that date (and ``force`` is not set),
nothing is downloaded. Otherwise the whole table is downloaded into memory and
only then written, in one store transaction: the raw snapshot, the facts and
the regions. A download that fails or is killed leaves the store as it was.

Two tables may give the same measure for the same region and year (the kwb
table and the jeugdzorg-per-wijk table both count young people with
jeugdzorg). The store keeps one: the fact of the table with the higher
``precedence`` in the registry (ties: the higher table ID, i.e. the newer
table), whichever was fetched first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import duckdb
import pandas as pd

from bluezones.sources.cbs.client import CBSClient, Download
from bluezones.sources.cbs.facts import missing_columns, to_facts, to_regions
from bluezones.sources.cbs.registry import REGISTRY, Registry, TableSpec
from bluezones.store import TABLE_SCHEMAS, Store

__all__ = ["SNAPSHOT_SOURCE", "FetchResult", "fetch"]

SNAPSHOT_SOURCE = "cbs"
_REGION_KEY = ("dataset", "year", "region_code")


@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch` did with one table."""

    table_id: str
    status: Literal["fetched", "unchanged"]
    modified: str | None
    rows: int = 0
    facts: int = 0
    regions: int = 0
    superseded: int = 0  # facts left out because a table of higher precedence gives them
    replaced: int = 0  # facts of a table of lower precedence removed in favour of these
    missing_columns: tuple[str, ...] = ()


def fetch(
    store: Store,
    table_ids: Iterable[str],
    *,
    client: CBSClient,
    force: bool = False,
    progress: bool = True,
    dataset: str = "cbs",
    registry: Registry = REGISTRY,
) -> list[FetchResult]:
    """Refresh CBS tables in the store; one :class:`FetchResult` per table, in order.

    Parameters
    ----------
    store
        The store to write to.
    table_ids
        Registered table IDs (see ``registry``); unknown IDs fail before any download.
    client
        The CBS client (its ``httpx.Client`` decides where requests go).
    force
        Download even when the stored snapshot has CBS's current ``Modified`` date.
    progress
        Show progress bars (on a terminal only).
    dataset
        Dataset name of the facts and regions written.

    Tables are fetched one after another, each in its own transaction: when a
    later table fails, earlier ones stay fetched and the error is raised.
    """
    specs = [registry.table(t) for t in table_ids]
    results = []
    for spec in specs:
        info = client.table_info(spec.table_id, api=spec.api)
        snapshot = store.snapshot(SNAPSHOT_SOURCE, spec.table_id)
        if not force and snapshot is not None and snapshot.modified == info.modified:
            results.append(FetchResult(spec.table_id, "unchanged", info.modified))
            continue
        download = client.download(
            spec.table_id,
            api=spec.api,
            region_dimension=spec.region_dimension,
            period_dimension=spec.period_dimension or "",
            year=spec.single_year,
            topics=_mapped_by(spec),
            progress=progress,
        )
        results.append(_write(store, spec, download, dataset, registry))
    return results


def _mapped_by(spec: TableSpec) -> Callable[[str], bool]:
    """Whether a column key is mapped to a measure by ``spec`` (only those are parsed)."""

    def mapped(key: str) -> bool:
        return bool(spec.columns_for(key))

    return mapped


def _write(
    store: Store, spec: TableSpec, download: Download, dataset: str, registry: Registry
) -> FetchResult:
    facts = to_facts(download.parsed, spec=spec, dataset=dataset)
    regions = to_regions(download.parsed, spec=spec, dataset=dataset)
    with store.transaction() as con:
        store.write_snapshot(
            SNAPSHOT_SOURCE,
            spec.table_id,
            download.raw,
            modified=download.info.modified,
            url=download.url,
        )
        facts, superseded, replaced = _resolve_overlaps(con, facts, spec, dataset, registry)
        if len(facts):
            store.write_facts(facts, source=spec.table_id)
        else:
            _clear(con, dataset, spec.table_id)
        _upsert_regions(con, regions)
    return FetchResult(
        spec.table_id,
        "fetched",
        download.info.modified,
        rows=len(download.raw),
        facts=len(facts),
        regions=len(regions),
        superseded=superseded,
        replaced=replaced,
        missing_columns=tuple(missing_columns(download.parsed, spec)),
    )


def _resolve_overlaps(
    con: duckdb.DuckDBPyConnection,
    facts: pd.DataFrame,
    spec: TableSpec,
    dataset: str,
    registry: Registry,
) -> tuple[pd.DataFrame, int, int]:
    """Keep one fact per (region, year, measure) across tables: the higher precedence wins."""
    if facts.empty:
        return facts, 0, 0
    con.register("_new_keys", facts[["region_code", "year", "measure"]])
    try:
        others = con.execute(
            "SELECT f.region_code, f.year, f.measure, f.source FROM facts f "
            "JOIN _new_keys n USING (region_code, year, measure) "
            "WHERE f.dataset = ? AND f.source IS DISTINCT FROM ?",
            [dataset, spec.table_id],
        ).df()
    finally:
        con.unregister("_new_keys")
    if others.empty:
        return facts, 0, 0
    mine = (spec.precedence, spec.table_id)
    wins = others["source"].map(lambda s: (registry.precedence(s), str(s)) > mine)
    keys = ["region_code", "year", "measure"]
    stronger = others.loc[wins, keys].drop_duplicates()
    weaker = others.loc[~wins]
    if not stronger.empty:
        marked = facts.merge(stronger.assign(_drop=True), on=keys, how="left")
        facts = facts[marked["_drop"].isna().to_numpy()].reset_index(drop=True)
    if not weaker.empty:
        con.register("_weaker", weaker)
        try:
            con.execute(
                "DELETE FROM facts USING _weaker w WHERE facts.dataset = ? "
                "AND facts.source = w.source AND facts.region_code = w.region_code "
                "AND facts.year = w.year AND facts.measure = w.measure",
                [dataset],
            )
        finally:
            con.unregister("_weaker")
    return facts, len(stronger), len(weaker)


def _clear(con: duckdb.DuckDBPyConnection, dataset: str, table_id: str) -> None:
    con.execute("DELETE FROM facts WHERE dataset = ? AND source = ?", [dataset, table_id])


def _upsert_regions(con: duckdb.DuckDBPyConnection, regions: pd.DataFrame) -> None:
    """Insert or update regions by (dataset, year, region_code); known names are kept."""
    if regions.empty:
        return
    columns = ", ".join(f'"{c}"' for c in TABLE_SCHEMAS["regions"])
    con.register("_regions_in", regions)
    try:
        merged = con.execute(
            "SELECT n.dataset, n.year, n.region_code, n.level, "
            "coalesce(n.name, r.name) AS name, "
            "coalesce(n.gemeente_code, r.gemeente_code) AS gemeente_code, "
            "coalesce(n.jeugdregio_code, r.jeugdregio_code) AS jeugdregio_code "
            "FROM _regions_in n LEFT JOIN regions r "
            "ON r.dataset = n.dataset AND r.year = n.year AND r.region_code = n.region_code"
        ).df()
        join = " AND ".join(f"regions.{k} = n.{k}" for k in _REGION_KEY)
        con.execute(f"DELETE FROM regions USING _regions_in n WHERE {join}")
    finally:
        con.unregister("_regions_in")
    con.register("_regions_merged", merged)
    try:
        con.execute(f"INSERT INTO regions ({columns}) SELECT {columns} FROM _regions_merged")
    finally:
        con.unregister("_regions_merged")
