"""Loading person-level files into the store as cells, out of core.

:func:`load_microdata` reads the files through DuckDB and never holds the
persons in memory:

1. **Open** every file (SPSS converted to Parquet in chunks) and check its
   columns against the mapping: a mapped column that is missing, or a column
   neither mapped nor ignored, is refused with the closest name suggested.
2. **Aggregate** in one pass to raw cells: file, year, gemeente and wijk code
   as written, pattern (:mod:`~bluezones.microdata.patterns`), persons and
   care counts. Values that cannot be used (an age outside 0-22, a sex or
   household code the mapping does not list, a flag other than 0/1, a
   missing year) get a marker value there, so the same pass finds them.
3. **Check** the raw cells: marked values, a person twice in one year, and
   region codes unknown on the stated boundary year's regions (naming the
   years whose boundaries they do fit). Every message names the file, the
   column and example records (numbered from 1), never a person number.
4. **Write**, in one transaction: the cells (table ``micro_cells``, per
   gemeente and wijk), area-level facts (youth counts, care counts, shares),
   the same facts as harmonised to the boundary year, the region lists and
   maps of the boundary year, the dataset's origin (``microdata`` with its
   minimum cell count) and a load record (``micro_loads``). A failure at any
   step leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from bluezones.errors import ConfigError, DataError
from bluezones.indicators import INDICATORS
from bluezones.microdata._sql import execute, expressions, fetch
from bluezones.microdata.checks import (
    check_codes,
    check_columns,
    check_duplicates,
    check_values,
)
from bluezones.microdata.mapping import CARE_MEASURES, Mapping
from bluezones.microdata.patterns import (
    DENOMINATOR_AGES,
    PATTERN_COLUMNS,
    UNKNOWN,
    age_groups_of,
)
from bluezones.microdata.read import SUFFIXES, SourceFile, open_files, sql_string
from bluezones.regions.harmonise import HARMONISED_TABLE, create_harmonised_table
from bluezones.store import FACT_COLUMNS, Store

__all__ = [
    "CELLS_SCHEMA",
    "CELLS_TABLE",
    "LOADS_TABLE",
    "MIN_COUNT",
    "LoadResult",
    "area_facts",
    "expand_paths",
    "load_microdata",
]

CELLS_TABLE = "micro_cells"
LOADS_TABLE = "micro_loads"
# The commonly used CBS minimum of persons behind any output cell.
MIN_COUNT = 10
SOURCE = "microdata"
CELLS_SCHEMA: dict[str, str] = {
    "dataset": "VARCHAR NOT NULL",
    "level": "VARCHAR NOT NULL",
    "region_code": "VARCHAR NOT NULL",
    "year": "INTEGER NOT NULL",
    **{c: "VARCHAR NOT NULL" for c in PATTERN_COLUMNS},
    "n": "BIGINT NOT NULL",
    **{f"y_{m}": "BIGINT" for m in CARE_MEASURES},
}
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class LoadResult:
    """What :func:`load_microdata` stored."""

    dataset: str
    files: tuple[Path, ...]
    records: int
    years: tuple[int, ...]
    cells: int
    facts: int
    seconds: float


def expand_paths(paths: Sequence[Path | str]) -> list[Path]:
    """Files as given, and the microdata files inside any folder given (sorted)."""
    out: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            out += sorted(p for p in item.iterdir() if p.suffix.lower() in SUFFIXES)
        else:
            out.append(item)
    return out


def load_microdata(
    store: Store,
    paths: Sequence[Path | str],
    mapping: Mapping,
    *,
    dataset: str | None = None,
    min_count: int = MIN_COUNT,
    progress: Progress | None = None,
    memory_limit: str | None = None,
) -> LoadResult:
    """Check person-level files and store them as cells and facts of ``dataset``.

    See the module docstring for the steps. Raises :class:`DataError` or
    :class:`RegionError` naming file, column and example records; the store is
    then unchanged. ``memory_limit`` (DuckDB's, e.g. ``"2GB"``) caps the memory
    of the queries on a small machine; DuckDB spills to disk beyond it.
    """
    started = time.perf_counter()
    name = dataset or mapping.dataset
    if not name:
        raise DataError(
            "No dataset name was given for the microdata.",
            hint='Pass --dataset NAME, or set dataset = "NAME" in the mapping file.',
        )
    files_in = expand_paths(paths)
    con = store.con
    with (
        _memory_limit(con, memory_limit),
        tempfile.TemporaryDirectory(prefix=".microdata-", dir=store.path.parent) as work,
    ):
        files = open_files(con, files_in, Path(work), progress)
        for f in files:
            check_columns(f, mapping)
        exprs = [expressions(f, mapping) for f in files]
        try:
            records = _aggregate(con, files, exprs, mapping, progress)
            check_values(con, files, exprs, mapping)
            check_duplicates(con, files, exprs, progress)
            codes = check_codes(con, store, files, exprs, mapping)
            years = tuple(
                int(r[0])
                for r in con.execute("SELECT DISTINCT year FROM _micro_raw ORDER BY 1").fetchall()
            )
            if progress is not None:
                progress("store", 0, 1)
            with store.transaction():
                cells = _write_cells(store, name, codes)
                facts = _write_facts(store, name, mapping.boundary_year)
                _copy_regions(store, name, mapping, years)
                store.set_origin(name, "microdata", min_count=min_count)
                _record_load(store, name, files, records, mapping)
            if progress is not None:
                progress("store", 1, 1)
        finally:
            con.execute("DROP TABLE IF EXISTS _micro_raw")
            con.execute("DROP TABLE IF EXISTS _micro_codes")
    return LoadResult(
        name,
        tuple(f.path for f in files),
        records,
        years,
        cells,
        facts,
        time.perf_counter() - started,
    )


@contextmanager
def _memory_limit(con: duckdb.DuckDBPyConnection, limit: str | None) -> Iterator[None]:
    """DuckDB's memory limit set to ``limit`` for the block, then reset to DuckDB's default."""
    if limit is None:
        yield
        return
    try:
        con.execute(f"SET memory_limit = {sql_string(limit)}")
    except duckdb.Error as exc:
        raise ConfigError(
            f"Invalid memory limit {limit!r}.", hint="Write it like 2GB or 500MB."
        ) from exc
    try:
        yield
    finally:
        con.execute("RESET memory_limit")


# --- aggregation -----------------------------------------------------------------
def _aggregate(
    con: duckdb.DuckDBPyConnection,
    files: list[SourceFile],
    exprs: list[dict[str, str]],
    mapping: Mapping,
    progress: Progress | None,
) -> int:
    """One pass over every file to the raw cells (temporary table ``_micro_raw``)."""
    care = list(mapping.care)
    parts = []
    for i, (f, e) in enumerate(zip(files, exprs, strict=True)):
        flags = ", ".join(f'{e[f"y_{m}"]} AS "y_{m}"' for m in care)
        parts.append(
            f"SELECT {i} AS _file, {e['year']} AS year, {e['gemeente']} AS gem_raw, "
            f"{e['wijk']} AS wijk_raw, {e['age_group']} AS age_group, {e['sex']} AS sex, "
            f"{e['household']} AS household, {e['income_group']} AS income_group, "
            f"{e['parent_psych']} AS parent_psych, {e['person']} IS NULL AS no_person, "
            f"{flags} FROM {f.scan}"
        )
    sums = ", ".join(
        f'sum(coalesce("y_{m}", 0))::BIGINT AS "y_{m}", '
        f'count(*) FILTER ("y_{m}" IS NOT NULL AND "y_{m}" NOT IN (0, 1)) AS "bad_{m}"'
        for m in care
    )
    keys = "_file, year, gem_raw, wijk_raw, " + ", ".join(PATTERN_COLUMNS)
    sql = (
        f"CREATE OR REPLACE TEMP TABLE _micro_raw AS SELECT {keys}, count(*) AS n, "
        f"count(*) FILTER (no_person) AS no_person, {sums} "
        f"FROM ({' UNION ALL '.join(parts)}) GROUP BY ALL"
    )
    total = _count_records(con, files)
    execute(con, sql, "aggregate", total, progress, files)
    return total


def _count_records(con: duckdb.DuckDBPyConnection, files: list[SourceFile]) -> int:
    total = 0
    for f in files:
        if f.kind == "parquet":
            location = f.scan.removeprefix("read_parquet(").removesuffix(")")
            sql = f"SELECT sum(num_rows) FROM parquet_file_metadata({location})"
        else:
            sql = f"SELECT count(*) FROM {f.scan}"
        row = fetch(con, sql, f)
        total += int(row[0][0] or 0)
    return total


# --- writing ----------------------------------------------------------------------------
def _ensure_cells_table(store: Store) -> None:
    cols = ", ".join(f'"{c}" {t}' for c, t in CELLS_SCHEMA.items())
    store.con.execute(f'CREATE TABLE IF NOT EXISTS "{CELLS_TABLE}" ({cols})')


def _write_cells(store: Store, dataset: str, codes: pd.DataFrame) -> int:
    """Raw cells to ``micro_cells`` per wijk and per gemeente (all files summed)."""
    con = store.con
    _ensure_cells_table(store)
    con.execute(f'DELETE FROM "{CELLS_TABLE}" WHERE dataset = ?', [dataset])
    raw_cols = {r[0] for r in con.execute("DESCRIBE _micro_raw").fetchall()}
    care = [m for m in CARE_MEASURES if f"y_{m}" in raw_cols]
    con.register("_codes_frame", codes)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _micro_codes AS SELECT * FROM _codes_frame")
    finally:
        con.unregister("_codes_frame")
    sums = ", ".join(f'sum("y_{m}") AS "y_{m}"' for m in care)
    pattern = ", ".join(f"r.{c}" for c in PATTERN_COLUMNS)
    target = ", ".join(
        ["dataset", "level", "region_code", "year", *PATTERN_COLUMNS, "n"]
        + [f'"y_{m}"' for m in care]
    )
    for level, code in (("gemeente", "c.gemeente_code"), ("wijk", "c.wijk_code")):
        con.execute(
            f'INSERT INTO "{CELLS_TABLE}" ({target}) '
            f"SELECT ?, ?, {code}, r.year, {pattern}, sum(r.n), {sums} "
            "FROM _micro_raw r JOIN _micro_codes c "
            "ON r.gem_raw = c.gem_raw AND r.wijk_raw IS NOT DISTINCT FROM c.wijk_raw "
            f"WHERE {code} IS NOT NULL GROUP BY ALL",
            [dataset, level],
        )
    row = con.execute(
        f'SELECT count(*) FROM "{CELLS_TABLE}" WHERE dataset = ?', [dataset]
    ).fetchone()
    return int(row[0]) if row else 0


def _in_groups(groups: Sequence[str]) -> str:
    return f"age_group IN ({', '.join(sql_string(g) for g in groups)})"


def _measure_of(care: str) -> str:
    """The denominator a care count is counted among: that of its indicator."""
    ind = next(i for i in INDICATORS.values() if i.numerator == care)
    return ind.denominator


def area_facts(store: Store, dataset: str) -> pd.DataFrame:
    """Area-level facts of a microdata dataset from its cells (tidy, both levels).

    Youths per denominator, each care count among its indicator's
    denominator's ages, and as shares of youths 0-17: single-parent
    households, low household income (percentile 1-10) and a parent with a
    psychiatric condition.
    """
    con = store.con
    cols = {r[0] for r in con.execute(f'DESCRIBE "{CELLS_TABLE}"').fetchall()}
    present = con.execute(
        f"SELECT {', '.join(f'count(y_{m})' for m in CARE_MEASURES)} "
        f'FROM "{CELLS_TABLE}" WHERE dataset = ?',
        [dataset],
    ).fetchone()
    care = [m for m, k in zip(CARE_MEASURES, present or (), strict=True) if k and f"y_{m}" in cols]
    young = _in_groups(age_groups_of("youth_0_17"))
    parts = [
        f"coalesce(sum(n) FILTER ({_in_groups(age_groups_of(d))}), 0) AS {d}"
        for d in DENOMINATOR_AGES
    ]
    parts += [
        f"coalesce(sum(y_{m}) FILTER ({_in_groups(age_groups_of(_measure_of(m)))}), 0) AS {m}"
        for m in care
    ]
    shares = {
        "pct_single_parent": "household = 'eenouder'",
        "pct_low_income": "income_group = 'laag'",
        "pct_parent_psych": "parent_psych = 'ja'",
    }
    known = {
        "pct_single_parent": "household",
        "pct_low_income": "income_group",
        "pct_parent_psych": "parent_psych",
    }
    for name, cond in shares.items():
        parts.append(
            f"100.0 * coalesce(sum(n) FILTER ({young} AND {cond}), 0) / "
            f"nullif(sum(n) FILTER ({young} AND {known[name]} <> '{UNKNOWN}'), 0) AS {name}"
        )
    wide = con.execute(
        f'SELECT region_code, year, {", ".join(parts)} FROM "{CELLS_TABLE}" '
        "WHERE dataset = ? GROUP BY region_code, year",
        [dataset],
    ).df()
    tidy = wide.melt(id_vars=["region_code", "year"], var_name="measure", value_name="value")
    tidy = tidy.dropna(subset=["value"])
    tidy.insert(0, "dataset", dataset)
    tidy["year"] = tidy["year"].astype(int)
    tidy["status"] = None
    tidy["source"] = SOURCE
    return tidy.sort_values(["region_code", "year", "measure"], ignore_index=True)


def _write_facts(store: Store, dataset: str, boundary_year: int) -> int:
    """Facts, and the same facts as harmonised (they are on one boundary year already)."""
    facts = area_facts(store, dataset)
    store.write_facts(facts)
    con = store.con
    create_harmonised_table(con)
    con.execute(f'DELETE FROM "{HARMONISED_TABLE}" WHERE dataset = ?', [dataset])
    names = ", ".join(f'"{c}"' for c in FACT_COLUMNS)
    con.execute(
        f'INSERT INTO "{HARMONISED_TABLE}" ({names}, reference_year) '
        f"SELECT {names}, ? FROM facts WHERE dataset = ?",
        [boundary_year, dataset],
    )
    return len(facts)


def _copy_regions(store: Store, dataset: str, mapping: Mapping, years: tuple[int, ...]) -> None:
    """The boundary year's region lists (for every data year) and maps, under ``dataset``."""
    source = {"dataset": mapping.regions_from, "year": mapping.boundary_year}
    regions = store.read("regions", where=source)
    frames = [
        regions.assign(dataset=dataset, year=y) for y in sorted({*years, mapping.boundary_year})
    ]
    store.replace("regions", pd.concat(frames, ignore_index=True), where={"dataset": dataset})
    geometries = store.read("geometries", where=source).assign(dataset=dataset)
    store.replace("geometries", geometries, where={"dataset": dataset})


def _record_load(
    store: Store, dataset: str, files: list[SourceFile], records: int, mapping: Mapping
) -> None:
    row = pd.DataFrame(
        {
            "dataset": [dataset],
            "loaded_at": [dt.datetime.now(dt.UTC).replace(tzinfo=None)],
            "files": [json.dumps([f.path.name for f in files])],
            "records": [records],
            "boundary_year": [mapping.boundary_year],
            "mapping": [json.dumps(mapping.to_dict(), sort_keys=True)],
        }
    )
    if store.has_table(LOADS_TABLE):
        store.replace(LOADS_TABLE, row, where={"dataset": dataset})
    else:
        store.replace(LOADS_TABLE, row)
