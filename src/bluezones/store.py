"""The local store: one DuckDB file with raw snapshots and derived tables.

Layout
------
``snapshots``
    One row per raw table fetched from a source: table ID, source, the
    source's ``Modified`` date, when we fetched it, row count, URL. The raw rows
    themselves live in schema ``raw`` under :func:`raw_table_name`.
``facts``
    Every number in tidy long form: ``(dataset, region_code, year, measure,
    value, status, source)``. ``status`` is ``NULL`` for a plain value,
    ``'suppressed'`` or ``'missing'`` (``value`` is then ``NULL``, never 0) or
    ``'provisional'``.
``dataset_origins``
    Where a dataset's numbers come from: ``origin`` is ``'aggregate'`` (published
    tables, own files, the demo) or ``'microdata'`` (person-level records, whose
    every output must pass disclosure control with at least ``min_count``
    persons per cell). A dataset without a row is an aggregate one.
``regions``, ``crosswalk``, ``geometries``
    Region names and parents per year, herindeling crosswalks, and GeoJSON
    geometries, each per dataset.
any other table
    Derived results (ground truth of the demo country, harmonised facts,
    detection results) written with :meth:`Store.replace`.

Atomicity
---------
Every write runs inside one DuckDB transaction (:meth:`Store.transaction`). A
process killed halfway leaves the file as it was before the transaction
began: DuckDB discards uncommitted work from its write-ahead log on the next
open. Callers that write several tables as one unit wrap them in a single
``with store.transaction():`` block.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from bluezones.errors import DataError, StoreError

__all__ = [
    "DATASET_ORIGINS",
    "FACT_COLUMNS",
    "FACT_STATUSES",
    "TABLE_SCHEMAS",
    "Snapshot",
    "Store",
    "raw_table_name",
]

FACT_COLUMNS = ("dataset", "region_code", "year", "measure", "value", "status", "source")
FACT_STATUSES = (None, "suppressed", "missing", "provisional")
DATASET_ORIGINS = ("aggregate", "microdata")

# Columns and DuckDB types of the tables whose shape the rest of bluezones relies on.
TABLE_SCHEMAS: dict[str, dict[str, str]] = {
    "facts": {
        "dataset": "VARCHAR NOT NULL",
        "region_code": "VARCHAR NOT NULL",
        "year": "INTEGER NOT NULL",
        "measure": "VARCHAR NOT NULL",
        "value": "DOUBLE",
        "status": "VARCHAR",
        "source": "VARCHAR",
    },
    "regions": {
        "dataset": "VARCHAR NOT NULL",
        "year": "INTEGER NOT NULL",
        "region_code": "VARCHAR NOT NULL",
        "level": "VARCHAR NOT NULL",
        "name": "VARCHAR",
        "gemeente_code": "VARCHAR",
        "jeugdregio_code": "VARCHAR",
    },
    "crosswalk": {
        "dataset": "VARCHAR NOT NULL",
        "level": "VARCHAR NOT NULL",
        "year_from": "INTEGER NOT NULL",
        "year_to": "INTEGER NOT NULL",
        "code_from": "VARCHAR NOT NULL",
        "code_to": "VARCHAR NOT NULL",
        "weight": "DOUBLE NOT NULL",
    },
    "geometries": {
        "dataset": "VARCHAR NOT NULL",
        "year": "INTEGER NOT NULL",
        "level": "VARCHAR NOT NULL",
        "region_code": "VARCHAR NOT NULL",
        "geojson": "VARCHAR NOT NULL",
    },
    "dataset_origins": {
        "dataset": "VARCHAR NOT NULL",
        "origin": "VARCHAR NOT NULL",
        "min_count": "INTEGER",
        "recorded_at": "TIMESTAMP NOT NULL",
    },
    "snapshots": {
        "source": "VARCHAR NOT NULL",
        "table_id": "VARCHAR NOT NULL",
        "modified": "VARCHAR",
        "fetched_at": "TIMESTAMP NOT NULL",
        "n_rows": "BIGINT NOT NULL",
        "url": "VARCHAR",
        "raw_table": "VARCHAR NOT NULL",
    },
}

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def raw_table_name(source: str, table_id: str) -> str:
    """Name of the raw table holding a snapshot, e.g. ``raw.cbs_85098NED``."""
    safe = re.sub(r"[^A-Za-z0-9_]", "_", f"{source}_{table_id}")
    return f'raw."{safe}"'


@dataclass(frozen=True)
class Snapshot:
    """What the store knows of one fetched raw table."""

    source: str
    table_id: str
    modified: str | None
    fetched_at: dt.datetime
    n_rows: int
    url: str | None
    raw_table: str


class Store:
    """A DuckDB file holding everything bluezones fetched and derived.

    >>> import tempfile, pathlib
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as store:
    ...     store.tables()
    ['crosswalk', 'dataset_origins', 'facts', 'geometries', 'regions', 'snapshots']
    """

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path = Path(path).expanduser()
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise StoreError(
                f"There is no store at {self.path}.",
                hint="Run 'bluezones demo' or 'bluezones fetch' first, or point --store at one.",
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(
                f"Cannot open the store {self.path}: {exc}",
                hint="Is another bluezones process using it? Is it a DuckDB file?",
            ) from exc
        self._depth = 0
        if not read_only:
            self._create_schema()

    # --- lifecycle ---------------------------------------------------------
    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _create_schema(self) -> None:
        self.con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        for table, columns in TABLE_SCHEMAS.items():
            cols = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
            self.con.execute(f'CREATE TABLE IF NOT EXISTS "{table}" ({cols})')

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One atomic unit of work; nested blocks join the outermost one."""
        if self._depth:
            self._depth += 1
            try:
                yield self.con
            finally:
                self._depth -= 1
            return
        self._depth = 1
        self.con.begin()
        try:
            yield self.con
        except BaseException:
            self.con.rollback()
            raise
        else:
            self.con.commit()
        finally:
            self._depth = 0

    # --- generic tables ----------------------------------------------------
    def tables(self) -> list[str]:
        rows = self.con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' ORDER BY table_name"
        ).fetchall()
        return [r[0] for r in rows]

    def has_table(self, table: str) -> bool:
        return table in self.tables()

    def columns(self, table: str) -> list[str]:
        """Column names of ``table``, in order."""
        _check_name(table)
        return [d[0] for d in self.con.execute(f'SELECT * FROM "{table}" LIMIT 0').description]

    def replace(
        self, table: str, frame: pd.DataFrame, *, where: Mapping[str, Any] | None = None
    ) -> int:
        """Replace the rows of ``table`` matching ``where`` (all rows if ``None``) by ``frame``.

        Tables in :data:`TABLE_SCHEMAS` must receive exactly their columns; any
        other table is created from the frame's columns (and replaced whole
        when ``where`` is ``None``). Returns the number of rows written.
        """
        _check_name(table)
        with self.transaction() as con:
            con.register("_incoming", frame)
            try:
                if table in TABLE_SCHEMAS:
                    _check_columns(table, frame, tuple(TABLE_SCHEMAS[table]))
                    con.execute(f'DELETE FROM "{table}"' + _where_sql(where), _params(where))
                    cols = ", ".join(f'"{c}"' for c in TABLE_SCHEMAS[table])
                    con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM _incoming')
                elif where is None or not self.has_table(table):
                    con.execute(f'CREATE OR REPLACE TABLE "{table}" AS SELECT * FROM _incoming')
                else:
                    con.execute(f'DELETE FROM "{table}"' + _where_sql(where), _params(where))
                    con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _incoming')
            finally:
                con.unregister("_incoming")
        return len(frame)

    def read(
        self,
        table: str,
        *,
        where: Mapping[str, Any] | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Rows of ``table`` matching ``where``; a value that is a list matches any of it."""
        _check_name(table)
        if not self.has_table(table):
            raise StoreError(
                f"The store {self.path} has no table {table!r}.",
                hint="Run the step that makes it first (see 'bluezones status').",
                table=table,
            )
        cols = ", ".join(f'"{c}"' for c in columns) if columns else "*"
        sql = f'SELECT {cols} FROM "{table}"' + _where_sql(where)
        return self.con.execute(sql, _params(where)).df()

    # --- raw snapshots -----------------------------------------------------
    def write_snapshot(
        self,
        source: str,
        table_id: str,
        frame: pd.DataFrame,
        *,
        modified: str | None,
        url: str | None = None,
        fetched_at: dt.datetime | None = None,
    ) -> Snapshot:
        """Store the raw rows of one fetched table and record the snapshot, atomically."""
        raw = raw_table_name(source, table_id)
        fetched = fetched_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        snap = Snapshot(source, table_id, modified, fetched, len(frame), url, raw)
        with self.transaction() as con:
            con.register("_raw", frame)
            try:
                con.execute(f"CREATE OR REPLACE TABLE {raw} AS SELECT * FROM _raw")
            finally:
                con.unregister("_raw")
            row = pd.DataFrame([snap.__dict__])
            self.replace("snapshots", row, where={"source": source, "table_id": table_id})
        return snap

    def snapshot(self, source: str, table_id: str) -> Snapshot | None:
        """The stored snapshot of a table, or ``None`` if it was never fetched."""
        rows = self.read("snapshots", where={"source": source, "table_id": table_id})
        if rows.empty:
            return None
        r = rows.iloc[0]
        return Snapshot(
            r["source"],
            r["table_id"],
            None if pd.isna(r["modified"]) else r["modified"],
            r["fetched_at"].to_pydatetime(),
            int(r["n_rows"]),
            None if pd.isna(r["url"]) else r["url"],
            r["raw_table"],
        )

    def read_raw(self, source: str, table_id: str) -> pd.DataFrame:
        snap = self.snapshot(source, table_id)
        if snap is None:
            raise StoreError(
                f"Table {table_id} from {source} is not in the store.",
                hint="Fetch it first with 'bluezones fetch'.",
                table=table_id,
            )
        return self.con.execute(f"SELECT * FROM {snap.raw_table}").df()

    # --- facts -------------------------------------------------------------
    def write_facts(self, facts: pd.DataFrame, *, source: str | None = None) -> int:
        """Replace the facts of the dataset(s) in ``facts`` (only ``source``'s, if given)."""
        _check_facts(facts)
        datasets = sorted(facts["dataset"].unique())
        with self.transaction():
            for dataset in datasets:
                part = facts[facts["dataset"] == dataset]
                where: dict[str, Any] = {"dataset": dataset}
                if source is not None:
                    where["source"] = source
                self.replace("facts", part, where=where)
        return len(facts)

    def read_facts(
        self,
        dataset: str,
        *,
        measures: Sequence[str] | None = None,
        years: Sequence[int] | None = None,
    ) -> pd.DataFrame:
        where: dict[str, Any] = {"dataset": dataset}
        if measures is not None:
            where["measure"] = list(measures)
        if years is not None:
            where["year"] = [int(y) for y in years]
        return self.read("facts", where=where)

    def set_origin(self, dataset: str, origin: str, *, min_count: int | None = None) -> None:
        """Record where ``dataset`` comes from (see ``dataset_origins`` above)."""
        if origin not in DATASET_ORIGINS:
            raise StoreError(
                f"Unknown origin {origin!r} for dataset {dataset!r}.",
                hint=f"Choose from {', '.join(DATASET_ORIGINS)}.",
            )
        row = pd.DataFrame(
            {
                "dataset": [dataset],
                "origin": [origin],
                "min_count": pd.array([min_count], dtype="Int32"),
                "recorded_at": [dt.datetime.now()],
            }
        )
        self.replace("dataset_origins", row, where={"dataset": dataset})

    def origin(self, dataset: str) -> tuple[str, int | None]:
        """``(origin, min_count)`` of ``dataset``; ``('aggregate', None)`` when unrecorded."""
        row = self.con.execute(
            "SELECT origin, min_count FROM dataset_origins WHERE dataset = ?", [dataset]
        ).fetchone()
        if row is None:
            return "aggregate", None
        return str(row[0]), None if row[1] is None else int(row[1])

    def datasets(self) -> list[str]:
        rows = self.con.execute("SELECT DISTINCT dataset FROM facts ORDER BY 1").fetchall()
        return [r[0] for r in rows]

    # --- overview ----------------------------------------------------------
    def status(self) -> dict[str, pd.DataFrame]:
        """What is in the store: datasets, raw snapshots, derived tables."""
        datasets = self.con.execute(
            """
            SELECT f.dataset,
                   min(f.year) AS first_year,
                   max(f.year) AS last_year,
                   count(DISTINCT f.measure) AS measures,
                   count(DISTINCT f.region_code) AS regions,
                   count(*) AS facts,
                   count(*) FILTER (WHERE f.status IN ('suppressed', 'missing')) AS missing
            FROM facts f GROUP BY f.dataset ORDER BY f.dataset
            """
        ).df()
        snapshots = self.read("snapshots").sort_values(["source", "table_id"])
        derived = [
            (t, self.con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])  # type: ignore[index]
            for t in self.tables()
            if t not in TABLE_SCHEMAS
        ]
        return {
            "datasets": datasets,
            "snapshots": snapshots.reset_index(drop=True),
            "derived": pd.DataFrame(derived, columns=["table", "rows"]),
        }


def _check_name(table: str) -> None:
    if not _NAME.fullmatch(table):
        raise StoreError(f"Invalid table name {table!r}.", hint="Use letters, digits and _.")


def _where_sql(where: Mapping[str, Any] | None) -> str:
    if not where:
        return ""
    clauses = []
    for key, value in where.items():
        _check_name(key)
        if isinstance(value, list | tuple | set):
            clauses.append(f'"{key}" IN (SELECT unnest(?))')
        else:
            clauses.append(f'"{key}" = ?')
    return " WHERE " + " AND ".join(clauses)


def _params(where: Mapping[str, Any] | None) -> list[Any]:
    if not where:
        return []
    return [list(v) if isinstance(v, list | tuple | set) else v for v in where.values()]


def _check_columns(table: str, frame: pd.DataFrame, expected: tuple[str, ...]) -> None:
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise StoreError(
            f"Cannot write table {table!r}: columns {missing} are missing.",
            hint=f"The table needs exactly these columns: {', '.join(expected)}.",
            table=table,
        )


def _check_facts(facts: pd.DataFrame) -> None:
    """Facts must be tidy, unique per key, and missing values must carry a status."""
    _check_columns("facts", facts, FACT_COLUMNS)
    key = ["dataset", "region_code", "year", "measure"]
    dup = facts.duplicated(key, keep=False)
    if dup.any():
        first = facts.loc[dup, key].iloc[0]
        raise DataError(
            "The same measure appears twice for one region and year.",
            hint="Remove the duplicate rows or load them as separate datasets.",
            region=first["region_code"],
            year=int(first["year"]),
            measure=first["measure"],
        )
    bad_status = ~facts["status"].isin([s for s in FACT_STATUSES if s]) & facts["status"].notna()
    if bad_status.any():
        raise DataError(
            f"Unknown fact status {facts.loc[bad_status, 'status'].iloc[0]!r}.",
            hint="Use suppressed, missing, provisional or leave it empty.",
        )
    silent = facts["value"].isna() & ~facts["status"].isin(["suppressed", "missing"])
    if silent.any():
        row = facts.loc[silent].iloc[0]
        raise DataError(
            "A missing value has no status; mark it 'suppressed' or 'missing'.",
            region=row["region_code"],
            year=int(row["year"]),
            measure=row["measure"],
        )
