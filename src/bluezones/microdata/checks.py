"""Checks of person files: columns, values, duplicates and region codes.

Each check raises one :class:`~bluezones.errors.DataError` or
:class:`~bluezones.errors.RegionError` naming the file, the column and up to
:data:`EXAMPLES` records (numbered from 1, the header not counted), never a
person number. Value checks read the raw cells of the aggregation pass
(temporary table ``_micro_raw``) and look up example records only when a
problem is found.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from bluezones.errors import DataError, RegionError
from bluezones.microdata._sql import BAD, MISSING, execute, fetch
from bluezones.microdata.mapping import Mapping
from bluezones.microdata.patterns import MAX_AGE
from bluezones.microdata.read import SourceFile, sql_string
from bluezones.sources.validate import closest
from bluezones.store import Store

__all__ = [
    "EXAMPLES",
    "check_codes",
    "check_columns",
    "check_duplicates",
    "check_values",
    "normalise_code",
]

EXAMPLES = 3
_PREFIX = {"gemeente": ("GM", 4), "wijk": ("WK", 6)}
Progress = Callable[[str, int, int], None]


def check_columns(f: SourceFile, mapping: Mapping) -> None:
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


def _examples(
    con: duckdb.DuckDBPyConnection, f: SourceFile, e: dict[str, str], condition: str
) -> str:
    """Up to :data:`EXAMPLES` record numbers (1 = first record) where ``condition`` holds."""
    sql = (
        f"SELECT _record FROM (SELECT *, {condition} AS _hit FROM {f.scan_with_rows()}) "
        f"WHERE _hit ORDER BY _record LIMIT {EXAMPLES}"
    )
    rows = fetch(con, sql, f)
    return ", ".join(str(int(r[0])) for r in rows)


def check_values(
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


def check_duplicates(
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
    execute(con, sql, "duplicates", total, progress, files)
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


def check_codes(
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
