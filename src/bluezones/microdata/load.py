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
import re
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from bluezones.errors import DataError, RegionError
from bluezones.indicators import INDICATORS
from bluezones.microdata.mapping import CARE_MEASURES, Mapping
from bluezones.microdata.patterns import (
    AGE_GROUPS,
    DENOMINATOR_AGES,
    MAX_AGE,
    PATTERN_COLUMNS,
    UNKNOWN,
    age_groups_of,
)
from bluezones.microdata.read import SUFFIXES, SourceFile, open_files, sql_string
from bluezones.regions.harmonise import HARMONISED_SCHEMA, HARMONISED_TABLE
from bluezones.sources.validate import closest
from bluezones.store import Store

__all__ = [
    "CELLS_SCHEMA",
    "CELLS_TABLE",
    "LOADS_TABLE",
    "MIN_COUNT",
    "LoadResult",
    "area_facts",
    "expand_paths",
    "load_microdata",
    "normalise_code",
]

CELLS_TABLE = "micro_cells"
LOADS_TABLE = "micro_loads"
# The commonly used CBS minimum of persons behind any output cell.
MIN_COUNT = 10
EXAMPLES = 3
LOW_INCOME_PERCENTILE = 10
BAD = "!"  # marker of a value that cannot be used
MISSING = "?"  # marker of a required value that is empty
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
_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT")
_PREFIX = {"gemeente": ("GM", 4), "wijk": ("WK", 6)}
_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


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
) -> LoadResult:
    """Check person-level files and store them as cells and facts of ``dataset``.

    See the module docstring for the steps. Raises :class:`DataError` or
    :class:`RegionError` naming file, column and example records; the store is
    then unchanged.
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
    with tempfile.TemporaryDirectory(prefix=".microdata-", dir=store.path.parent) as work:
        files = open_files(con, files_in, Path(work), progress)
        for f in files:
            _check_columns(f, mapping)
        exprs = [_expressions(f, mapping) for f in files]
        try:
            records = _aggregate(con, files, exprs, mapping, progress)
            _check_values(con, files, exprs, mapping)
            _check_duplicates(con, files, exprs, progress)
            codes = _check_codes(con, store, files, exprs, mapping)
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


# --- columns -----------------------------------------------------------------
def _check_columns(f: SourceFile, mapping: Mapping) -> None:
    present = list(f.types)
    for field_, column in [*mapping.columns.items(), *mapping.care.items()]:
        if column not in f.types:
            guess = closest(column, present)
            raise DataError(
                f"{f.path.name} has no column {column!r} (mapped to {field_}).",
                hint=(f"Did you mean {guess!r}? " if guess else "")
                + "Correct the mapping file or the file's header.",
                file=str(f.path),
                column=column,
            )
    used = set(mapping.used_columns()) | set(mapping.ignore)
    unmapped = [c for c in present if c not in used]
    if unmapped:
        raise DataError(
            f"{f.path.name} has columns the mapping does not mention: {', '.join(unmapped)}.",
            hint="Map them in the mapping file, or list them under ignore = [...] if "
            "bluezones should not use them (a misspelt name in the mapping shows up here too).",
            file=str(f.path),
            column=unmapped[0],
        )


# --- expressions ---------------------------------------------------------------
def _col(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(column: str, kind: str) -> str:
    """A column's values as trimmed text; whole numbers without '.0' (SPSS stores doubles)."""
    c = _col(column)
    if kind.upper().startswith(_INTEGER_TYPES):
        return f"CAST({c} AS VARCHAR)"
    if kind.upper() in ("DOUBLE", "FLOAT", "REAL") or kind.upper().startswith("DECIMAL"):
        return (
            f"CASE WHEN {c} = floor({c}) THEN CAST(CAST({c} AS BIGINT) AS VARCHAR) "
            f"ELSE CAST({c} AS VARCHAR) END"
        )
    return f"trim(CAST({c} AS VARCHAR))"


def _number(column: str) -> str:
    return f"TRY_CAST({_col(column)} AS DOUBLE)"


def _is_numeric(kind: str) -> bool:
    k = kind.upper()
    return (
        k.startswith(_INTEGER_TYPES) or k in ("DOUBLE", "FLOAT", "REAL") or k.startswith("DECIMAL")
    )


def _coded(column: str, kind: str, lookup: dict[str, str], missing: str) -> str:
    """Their codes to our values; numbers are compared as numbers (SPSS stores 1 as 1.0)."""
    by_value: dict[str, list[str]] = {}
    for code, value in lookup.items():
        by_value.setdefault(value, []).append(code)
    numeric = _is_numeric(kind) and all(_is_number(c) for c in lookup)
    subject = _col(column) if numeric else _text(column, kind)
    whens = " ".join(
        f"WHEN {subject} IN ({', '.join(c if numeric else sql_string(c) for c in codes)}) "
        f"THEN {sql_string(v)}"
        for v, codes in by_value.items()
    )
    return f"CASE WHEN {_col(column)} IS NULL THEN '{missing}' {whens} ELSE '{BAD}' END"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _expressions(f: SourceFile, mapping: Mapping) -> dict[str, str]:
    """SQL per field: cleaned values, with markers for values that cannot be used."""
    cols, types = mapping.columns, f.types
    a = _number(cols["age"])
    age_cases = " ".join(f"WHEN {a} <= {hi} THEN '{name}'" for name, _, hi in AGE_GROUPS)
    out = {
        "year": _year(f, mapping),
        "gemeente": _text(cols["gemeente"], types[cols["gemeente"]]),
        "wijk": _text(cols["wijk"], types[cols["wijk"]]) if "wijk" in cols else "NULL",
        "age_group": (
            f"CASE WHEN {_col(cols['age'])} IS NULL THEN '{MISSING}' "
            f"WHEN {a} IS NULL OR {a} < 0 OR {a} > {MAX_AGE} OR {a} <> floor({a}) THEN '{BAD}' "
            f"{age_cases} END"
        ),
        "sex": _coded(cols["sex"], types[cols["sex"]], mapping.codes["sex"], MISSING),
        "person": _col(cols["person"]),
    }
    if "household" in cols:
        out["household"] = _coded(
            cols["household"], types[cols["household"]], mapping.codes["household"], UNKNOWN
        )
    else:
        out["household"] = f"'{UNKNOWN}'"
    if "income_percentile" in cols:
        p = _number(cols["income_percentile"])
        out["income_group"] = (
            f"CASE WHEN {_col(cols['income_percentile'])} IS NULL THEN '{UNKNOWN}' "
            f"WHEN {p} IS NULL OR {p} < 0 OR {p} > 100 THEN '{BAD}' "
            f"WHEN {p} <= {LOW_INCOME_PERCENTILE} THEN 'laag' ELSE 'overig' END"
        )
    else:
        out["income_group"] = f"'{UNKNOWN}'"
    if "parent_psych" in cols:
        out["parent_psych"] = _flag_text(cols["parent_psych"])
    else:
        out["parent_psych"] = f"'{UNKNOWN}'"
    for measure, column in mapping.care.items():
        out[f"y_{measure}"] = _number(column)
    return out


def _year(f: SourceFile, mapping: Mapping) -> str:
    """The year column, or the year in the file's name (``year_from_file_name``)."""
    if "year" in mapping.columns:
        return f"TRY_CAST({_col(mapping.columns['year'])} AS INTEGER)"
    found = _YEAR_IN_NAME.findall(f.path.stem)
    if len(found) != 1:
        raise DataError(
            f"Cannot tell the year from the file name {f.path.name}.",
            hint="With year_from_file_name the name must hold one year, e.g. jeugd_2022.sav; "
            "or map a year column under [columns].",
            file=str(f.path),
        )
    return str(int(found[0]))


def _flag_text(column: str) -> str:
    v = _number(column)
    return (
        f"CASE WHEN {_col(column)} IS NULL THEN '{UNKNOWN}' WHEN {v} = 1 THEN 'ja' "
        f"WHEN {v} = 0 THEN 'nee' ELSE '{BAD}' END"
    )


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
    _execute(con, sql, "aggregate", total, progress, files)
    return total


def _count_records(con: duckdb.DuckDBPyConnection, files: list[SourceFile]) -> int:
    total = 0
    for f in files:
        if f.kind == "parquet":
            location = f.scan.removeprefix("read_parquet(").removesuffix(")")
            sql = f"SELECT sum(num_rows) FROM parquet_file_metadata({location})"
        else:
            sql = f"SELECT count(*) FROM {f.scan}"
        row = _fetch(con, sql, f)
        total += int(row[0][0] or 0)
    return total


def _execute(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    step: str,
    total: int,
    progress: Progress | None,
    files: list[SourceFile],
) -> None:
    """Run ``sql``; while it runs, report DuckDB's progress as records done of ``total``."""
    if progress is None:
        _run(con, sql, files)
        return
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    error: list[BaseException] = []

    def work() -> None:
        try:
            _run(con, sql, files)
        except BaseException as exc:  # handed to the caller below
            error.append(exc)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    progress(step, 0, total)
    while worker.is_alive():
        worker.join(0.25)
        share = con.query_progress()
        if share >= 0:
            progress(step, int(total * share / 100), total)
    if error:
        raise error[0]
    progress(step, total, total)


def _run(con: duckdb.DuckDBPyConnection, sql: str, files: list[SourceFile]) -> None:
    try:
        con.execute(sql)
    except duckdb.Error as exc:
        raise _read_error(exc, files) from exc


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, f: SourceFile) -> list[Any]:
    try:
        return con.execute(sql).fetchall()
    except duckdb.Error as exc:
        raise _read_error(exc, [f]) from exc


def _read_error(exc: duckdb.Error, files: list[SourceFile]) -> DataError:
    text = str(exc)
    named = [f for f in files if str(f.path) in text or (f.scan.split("'")[1] in text)]
    f = named[0] if named else (files[0] if len(files) == 1 else None)
    first = text.strip().splitlines()[0]
    return DataError(
        f"Cannot read {f.path.name if f else 'the files'}: {first}",
        hint="The file may be cut off or damaged; export or copy it again. Nothing was loaded.",
        file=str(f.path) if f else None,
    )


# --- checks -------------------------------------------------------------------------
def _examples(
    con: duckdb.DuckDBPyConnection, f: SourceFile, e: dict[str, str], condition: str
) -> str:
    """Up to :data:`EXAMPLES` record numbers (1 = first record) where ``condition`` holds."""
    sql = (
        f"SELECT _record FROM (SELECT *, {condition} AS _hit FROM {f.scan_with_rows()}) "
        f"WHERE _hit ORDER BY _record LIMIT {EXAMPLES}"
    )
    rows = _fetch(con, sql, f)
    return ", ".join(str(int(r[0])) for r in rows)


def _check_values(
    con: duckdb.DuckDBPyConnection,
    files: list[SourceFile],
    exprs: list[dict[str, str]],
    mapping: Mapping,
) -> None:
    cols = mapping.columns
    checks: list[tuple[str, str, str, str, str]] = [
        # (field, column, condition on _micro_raw, message, hint)
        (
            "person",
            cols["person"],
            "no_person > 0",
            "has records without a person number",
            "Every record needs the person number; remove or complete these records.",
        ),
        (
            "year",
            cols.get("year", "year"),
            "year IS NULL",
            "has records without a valid year",
            "Write the year as a whole number such as 2022.",
        ),
        (
            "gemeente",
            cols["gemeente"],
            "gem_raw IS NULL",
            "has records without a gemeente code",
            "Every record needs its gemeente code.",
        ),
        (
            "age_group",
            cols["age"],
            f"age_group = '{MISSING}'",
            "has records without an age",
            "Every record needs the age in whole years.",
        ),
        (
            "age_group",
            cols["age"],
            f"age_group = '{BAD}'",
            f"has ages outside 0-{MAX_AGE} (or not whole years)",
            f"bluezones covers young people aged 0 to {MAX_AGE}; select them before loading, "
            "and check that the column holds the age, not a birth year.",
        ),
        (
            "sex",
            cols["sex"],
            f"sex = '{MISSING}'",
            "has records without sex",
            "Every record needs its sex code.",
        ),
        (
            "sex",
            cols["sex"],
            f"sex = '{BAD}'",
            "has sex codes the mapping does not list",
            "List every code under [codes.sex] in the mapping file.",
        ),
    ]
    if "household" in cols:
        checks.append(
            (
                "household",
                cols["household"],
                f"household = '{BAD}'",
                "has household codes the mapping does not list",
                "List every code under [codes.household] in the mapping file.",
            )
        )
    if "income_percentile" in cols:
        checks.append(
            (
                "income_group",
                cols["income_percentile"],
                f"income_group = '{BAD}'",
                "has income percentiles outside 0-100",
                "The column must hold the household income percentile (1-100).",
            )
        )
    if "parent_psych" in cols:
        checks.append(
            (
                "parent_psych",
                cols["parent_psych"],
                f"parent_psych = '{BAD}'",
                "has values other than 0, 1 or empty",
                "Use 1 for yes and 0 for no.",
            )
        )
    for measure, column in mapping.care.items():
        checks.append(
            (
                f"y_{measure}",
                column,
                f'"bad_{measure}" > 0',
                "has care flags other than 0, 1 or empty",
                "A care flag is 1 (had this care in the year) or 0 (did not).",
            )
        )
    for field_, column, condition, message, hint in checks:
        rows = con.execute(
            f"SELECT _file, count(*) FROM _micro_raw WHERE {condition} GROUP BY 1 ORDER BY 1"
        ).fetchall()
        if not rows:
            continue
        i = int(rows[0][0])
        f, e = files[i], exprs[i]
        found = _record_condition(field_, e, mapping, condition)
        raise DataError(
            f"{f.path.name} {message}.",
            hint=hint,
            file=str(f.path),
            column=column,
            row=f"records {_examples(con, f, e, found)}",
        )


def _record_condition(field_: str, e: dict[str, str], mapping: Mapping, condition: str) -> str:
    """The record-level form of a raw-cell check, for finding example records."""
    if field_ == "person":
        return f"{e['person']} IS NULL"
    if field_ == "year":
        return f"{e['year']} IS NULL"
    if field_ == "gemeente":
        return f"{e['gemeente']} IS NULL"
    if field_.startswith("y_"):
        v = e[field_]
        return f"({v} IS NOT NULL AND {v} NOT IN (0, 1))"
    value = condition.split(" = ")[1]
    return f"{e[field_]} = {value}"


def _check_duplicates(
    con: duckdb.DuckDBPyConnection,
    files: list[SourceFile],
    exprs: list[dict[str, str]],
    progress: Progress | None,
) -> None:
    """No person twice in one year, within a file or across files.

    One pass counts, per year, records against distinct person numbers (records
    without a number were refused before); only if they differ are the records
    compared in full, to name the first duplicates.
    """
    name = _person_column(exprs[0])
    kinds = {f.types[name] for f in files}
    person = "{p}" if len(kinds) == 1 else "CAST({p} AS VARCHAR)"
    union = " UNION ALL ".join(
        f"SELECT {person.format(p=e['person'])} AS p, {e['year']} AS y FROM {f.scan}"
        for f, e in zip(files, exprs, strict=True)
    )
    con.execute("DROP TABLE IF EXISTS _micro_dups")
    total = int(con.execute("SELECT sum(n) FROM _micro_raw").fetchone()[0])  # type: ignore[index]
    sql = (
        "CREATE TEMP TABLE _micro_dups AS SELECT coalesce(sum(c - d), 0) AS d FROM "
        f"(SELECT y, count(*) AS c, count(DISTINCT p) AS d FROM ({union}) GROUP BY y)"
    )
    _execute(con, sql, "duplicates", total, progress, files)
    doubled = int(con.execute("SELECT d FROM _micro_dups").fetchone()[0])  # type: ignore[index]
    con.execute("DROP TABLE _micro_dups")
    if doubled == 0:
        return
    union_rows = " UNION ALL ".join(
        f"SELECT {i} AS _file, _record, {e['person']} AS p, {e['year']} AS y "
        f"FROM {f.scan_with_rows()}"
        for i, (f, e) in enumerate(zip(files, exprs, strict=True))
    )
    rows = con.execute(
        f"SELECT y, list(_file ORDER BY _file, _record), list(_record ORDER BY _file, _record) "
        f"FROM ({union_rows}) GROUP BY p, y HAVING count(*) > 1 ORDER BY min(_file), "
        f"min(_record) LIMIT {EXAMPLES}"
    ).fetchall()
    if not rows:
        return
    year, file_ids, records = rows[0]
    where = [f"{files[i].path.name} record {r}" for i, r in zip(file_ids, records, strict=True)]
    first = files[file_ids[0]]
    raise DataError(
        f"The same person appears more than once in {year} ({doubled} extra records in all; "
        f"first: {', '.join(where)}).",
        hint="Each young person may have one record per year: remove the duplicates "
        "(or check that two files do not cover the same year twice).",
        file=str(first.path),
        column=next(iter(first.types)),
        year=int(year),
    )


def _person_column(e: dict[str, str]) -> str:
    """The person column's name (the expression is the quoted name)."""
    return e["person"].strip('"').replace('""', '"')


def normalise_code(text: str | None, level: str) -> str | None:
    """A gemeente or wijk code as bluezones writes it: '363' -> 'GM0363', 'wk036301' -> 'WK036301'.

    >>> normalise_code("363", "gemeente"), normalise_code("036301", "wijk")
    ('GM0363', 'WK036301')
    """
    if text is None:
        return None
    prefix, width = _PREFIX[level]
    t = text.strip().upper()
    if t.isdigit():
        return prefix + t.zfill(width)
    return t


def _check_codes(
    con: duckdb.DuckDBPyConnection,
    store: Store,
    files: list[SourceFile],
    exprs: list[dict[str, str]],
    mapping: Mapping,
) -> pd.DataFrame:
    """Region codes must exist on the boundary year; returns raw -> normalised codes."""
    year = mapping.boundary_year
    regions = store.read("regions", where={"dataset": mapping.regions_from, "year": year})
    if regions.empty:
        raise RegionError(
            f"The store has no {year} region lists of dataset {mapping.regions_from!r} "
            "to check the codes against.",
            hint="Load them first (bluezones demo, or bluezones fetch for CBS), or set "
            "regions_from in the mapping file to a dataset that has them.",
            year=year,
        )
    pairs = con.execute(
        "SELECT DISTINCT _file, gem_raw, wijk_raw FROM _micro_raw ORDER BY 1, 2, 3"
    ).df()
    pairs["gemeente_code"] = [normalise_code(c, "gemeente") for c in pairs["gem_raw"]]
    pairs["wijk_code"] = [
        normalise_code(c, "wijk") if isinstance(c, str) else None for c in pairs["wijk_raw"]
    ]
    known_gem = set(regions.loc[regions["level"] == "gemeente", "region_code"])
    wijk_rows = regions[regions["level"] == "wijk"]
    parent = dict(zip(wijk_rows["region_code"], wijk_rows["gemeente_code"], strict=True))
    bad_gem = pairs[~pairs["gemeente_code"].isin(known_gem)]
    if not bad_gem.empty:
        _unknown_code(con, store, files, exprs, mapping, bad_gem, "gemeente", "gem_raw")
    has_wijk = pairs["wijk_code"].notna()
    bad_wijk = pairs[has_wijk & ~pairs["wijk_code"].isin(set(parent))]
    if not bad_wijk.empty:
        _unknown_code(con, store, files, exprs, mapping, bad_wijk, "wijk", "wijk_raw")
    wrong = pairs[has_wijk & (pairs["wijk_code"].map(parent) != pairs["gemeente_code"])]
    if not wrong.empty:
        row = wrong.iloc[0]
        f, e = files[int(row["_file"])], exprs[int(row["_file"])]
        cond = (
            f"{e['gemeente']} = {sql_string(row['gem_raw'])} AND "
            f"{e['wijk']} = {sql_string(row['wijk_raw'])}"
        )
        raise RegionError(
            f"{f.path.name}: wijk {row['wijk_code']} does not lie in gemeente "
            f"{row['gemeente_code']} on the {year} boundaries.",
            hint="Check that the gemeente and wijk columns come from the same boundary year.",
            file=str(f.path),
            column=mapping.columns["wijk"],
            row=f"records {_examples(con, f, e, cond)}",
            region=row["wijk_code"],
        )
    codes = pairs.drop(columns="_file").drop_duplicates(["gem_raw", "wijk_raw"])
    return codes.reset_index(drop=True)


def _unknown_code(
    con: duckdb.DuckDBPyConnection,
    store: Store,
    files: list[SourceFile],
    exprs: list[dict[str, str]],
    mapping: Mapping,
    bad: pd.DataFrame,
    level: str,
    raw_col: str,
) -> None:
    year = mapping.boundary_year
    code_col = f"{level}_code"
    codes = sorted(set(bad[code_col]))
    listed = store.read(
        "regions", where={"dataset": mapping.regions_from, "region_code": codes[:50]}
    )
    other_years = sorted(set(int(y) for y in listed["year"]))
    row = bad.iloc[0]
    i = int(row["_file"])
    f, e = files[i], exprs[i]
    cond = f"{e['gemeente' if level == 'gemeente' else 'wijk']} = {sql_string(row[raw_col])}"
    hint = (
        f"These codes are on the boundaries of {', '.join(map(str, other_years))}, not "
        f"{year}: set boundary_year in the mapping to the year the codes follow, or convert "
        f"the codes to {year} first."
        if other_years
        else f"Check the codes: the {year} region lists of dataset {mapping.regions_from!r} "
        "do not know them in any year."
    )
    shown = ", ".join(codes[:5]) + (f" and {len(codes) - 5} more" if len(codes) > 5 else "")
    raise RegionError(
        f"{f.path.name} has {level} codes unknown on the {year} boundaries: {shown}.",
        hint=hint,
        file=str(f.path),
        column=mapping.columns[level],
        row=f"records {_examples(con, f, e, cond)}",
        region=codes[0],
    )


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
    columns = ", ".join(f'"{name}" {kind}' for name, kind in HARMONISED_SCHEMA.items())
    con = store.con
    con.execute(f'CREATE TABLE IF NOT EXISTS "{HARMONISED_TABLE}" ({columns})')
    con.execute(f'DELETE FROM "{HARMONISED_TABLE}" WHERE dataset = ?', [dataset])
    names = ", ".join(f'"{c}"' for c in HARMONISED_SCHEMA if c != "reference_year")
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
