"""SQL over person files: cleaned values with markers, and queries run with progress.

:func:`expressions` gives, per field, the DuckDB expression of its cleaned
value: a pattern value (``'eenouder'``), or a marker (:data:`BAD`,
:data:`MISSING`) where a value cannot be used, so one aggregation pass both
counts the persons and finds the bad values. :func:`execute` runs a long
query while reporting DuckDB's progress; any DuckDB error becomes a
:class:`~bluezones.errors.DataError` naming the file.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

import duckdb

from bluezones.errors import DataError
from bluezones.microdata.mapping import Mapping
from bluezones.microdata.patterns import AGE_GROUPS, MAX_AGE, UNKNOWN
from bluezones.microdata.read import SourceFile, sql_string

__all__ = ["BAD", "MISSING", "execute", "expressions", "fetch", "quoted", "run"]

BAD = "!"  # marker of a value that cannot be used
MISSING = "?"  # marker of a required value that is empty
LOW_INCOME_PERCENTILE = 10
_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT")
_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
Progress = Callable[[str, int, int], None]


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(column: str, kind: str) -> str:
    """A column's values as trimmed text; whole numbers without '.0' (SPSS stores doubles)."""
    c = quoted(column)
    if kind.upper().startswith(_INTEGER_TYPES):
        return f"CAST({c} AS VARCHAR)"
    if kind.upper() in ("DOUBLE", "FLOAT", "REAL") or kind.upper().startswith("DECIMAL"):
        return (
            f"CASE WHEN {c} = floor({c}) THEN CAST(CAST({c} AS BIGINT) AS VARCHAR) "
            f"ELSE CAST({c} AS VARCHAR) END"
        )
    return f"trim(CAST({c} AS VARCHAR))"


def _number(column: str) -> str:
    return f"TRY_CAST({quoted(column)} AS DOUBLE)"


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
    subject = quoted(column) if numeric else _text(column, kind)
    whens = " ".join(
        f"WHEN {subject} IN ({', '.join(c if numeric else sql_string(c) for c in codes)}) "
        f"THEN {sql_string(v)}"
        for v, codes in by_value.items()
    )
    return f"CASE WHEN {quoted(column)} IS NULL THEN '{missing}' {whens} ELSE '{BAD}' END"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def expressions(f: SourceFile, mapping: Mapping) -> dict[str, str]:
    """SQL per field: cleaned values, with markers for values that cannot be used."""
    cols, types = mapping.columns, f.types
    a = _number(cols["age"])
    age_cases = " ".join(f"WHEN {a} <= {hi} THEN '{name}'" for name, _, hi in AGE_GROUPS)
    out = {
        "year": _year(f, mapping),
        "gemeente": _text(cols["gemeente"], types[cols["gemeente"]]),
        "wijk": _text(cols["wijk"], types[cols["wijk"]]) if "wijk" in cols else "NULL",
        "age_group": (
            f"CASE WHEN {quoted(cols['age'])} IS NULL THEN '{MISSING}' "
            f"WHEN {a} IS NULL OR {a} < 0 OR {a} > {MAX_AGE} OR {a} <> floor({a}) THEN '{BAD}' "
            f"{age_cases} END"
        ),
        "sex": _coded(cols["sex"], types[cols["sex"]], mapping.codes["sex"], MISSING),
        "person": quoted(cols["person"]),
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
            f"CASE WHEN {quoted(cols['income_percentile'])} IS NULL THEN '{UNKNOWN}' "
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
        return f"TRY_CAST({quoted(mapping.columns['year'])} AS INTEGER)"
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
        f"CASE WHEN {quoted(column)} IS NULL THEN '{UNKNOWN}' WHEN {v} = 1 THEN 'ja' "
        f"WHEN {v} = 0 THEN 'nee' ELSE '{BAD}' END"
    )


def execute(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    step: str,
    total: int,
    progress: Progress | None,
    files: list[SourceFile],
) -> None:
    """Run ``sql``; while it runs, report DuckDB's progress as records done of ``total``."""
    if progress is None:
        run(con, sql, files)
        return
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    error: list[BaseException] = []

    def work() -> None:
        try:
            run(con, sql, files)
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


def run(con: duckdb.DuckDBPyConnection, sql: str, files: list[SourceFile]) -> None:
    try:
        con.execute(sql)
    except duckdb.Error as exc:
        raise _read_error(exc, files) from exc


def fetch(con: duckdb.DuckDBPyConnection, sql: str, f: SourceFile) -> list[Any]:
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
