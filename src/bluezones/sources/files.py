"""A municipality's own data: CSV, Excel (.xlsx) or Parquet files in the documented schema.

Two shapes are read (see ``docs/own-files.md``):

wide
    one row per region and year: ``region_code``, ``year``, then one column per
    measure of :data:`bluezones.indicators.MEASURES` (``youth_0_17``,
    ``jeugdhulp``, ``pct_single_parent`` ...).
long
    one row per number: ``region_code, year, measure, value`` and optionally
    ``status``.

An empty cell is *missing*, ``.``, ``x`` or ``-`` is *suppressed*; neither is
ever read as 0. Every problem raises one error naming the file, the row as a
spreadsheet shows it (header = row 1), the column and what to do. The result
is a facts frame (:data:`bluezones.store.FACT_COLUMNS`) ready for
:meth:`bluezones.store.Store.write_facts`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from bluezones.errors import DataError
from bluezones.indicators import MEASURES
from bluezones.sources._file_cells import SUPPORTED_SUFFIXES, is_blank, read_cells, write_cells
from bluezones.sources.validate import (
    Decimal,
    check_columns,
    check_measure_names,
    check_numbers,
    check_numerators,
    check_region_codes,
    check_unique_keys,
    check_values,
    check_years,
)
from bluezones.store import FACT_COLUMNS, Store

__all__ = [
    "REGION_COLUMN_ALIASES",
    "SUPPORTED_SUFFIXES",
    "facts_to_wide",
    "load_own_file",
    "read_own_file",
    "write_own_file",
]

# Header names accepted for the region column (compared case-insensitively).
REGION_COLUMN_ALIASES = ("region_code", "gwb_code", "regiocode", "code")
LONG_COLUMNS = ("region_code", "year", "measure", "value")
STATUS_COLUMN = "status"
EXPLICIT_STATUSES = ("suppressed", "missing", "provisional")
SUPPRESSED_CELL = "."  # what facts_to_wide writes for a suppressed fact
_DATASET = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def read_own_file(
    path: Path | str,
    *,
    dataset: str,
    sheet: str | int | None = None,
    encoding: str = "utf-8",
    decimal: Decimal = ".",
    sep: str | None = None,
    ignore: Iterable[str] = (),
    known_regions: Collection[str] | None = None,
) -> pd.DataFrame:
    """Read a municipality's own file into facts.

    Parameters
    ----------
    path
        A ``.csv`` (also ``.txt``, ``.tsv``), ``.xlsx`` or ``.parquet`` file.
    dataset
        Name of the dataset the facts belong to (``'amsterdam_eigen'``).
    sheet
        Excel sheet name or 0-based position; the first sheet if ``None``.
    encoding
        Text encoding of a CSV file; a UTF-8 byte order mark is skipped.
    decimal
        ``'.'`` or ``','``; with ``','`` thousands points are allowed (``1.234,5``).
    sep
        CSV separator; ``None`` detects ``,`` ``;`` tab or ``|`` from the header.
    ignore
        Extra columns to skip instead of rejecting them (names, case-insensitive).
    known_regions
        If given, every region code must be one of these.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`bluezones.store.FACT_COLUMNS`, sorted by region, year,
        measure; ``source`` is the file name.

    Raises
    ------
    DataError, RegionError
        The first problem found, with file, row, column and a hint.
    """
    path = Path(path)
    if decimal not in (".", ","):
        raise DataError(f"decimal must be '.' or ',', not {decimal!r}.", hint="Use . or ,.")
    if not _DATASET.fullmatch(dataset):
        raise DataError(
            f"Invalid dataset name {dataset!r}.", hint="Use letters, digits, '_', '-' or '.'."
        )
    where: dict[str, Any] = {"file": path.name}
    raw = read_cells(path, sheet=sheet, encoding=encoding, sep=sep, where=where)
    raw, names = _normalise_header(raw, where)
    ignored = {str(c).strip().lower() for c in ignore}
    shape = _long_from_long if {"measure", "value"} & set(raw.columns) else _long_from_wide
    long = shape(raw, names, decimal=decimal, ignore=ignored, known=known_regions, where=where)
    return _to_facts(long, dataset=dataset, source=path.name)


def load_own_file(store: Store, path: Path | str, *, dataset: str, **options: Any) -> int:
    """Read ``path`` with :func:`read_own_file` and write its facts in one transaction.

    Facts of ``dataset`` previously loaded from a file of the same name are
    replaced. Nothing is written when the file has any problem. Returns the
    number of facts written.
    """
    facts = read_own_file(path, dataset=dataset, **options)
    with store.transaction():
        return store.write_facts(facts, source=Path(path).name)


def facts_to_wide(facts: pd.DataFrame) -> pd.DataFrame:
    """Facts in the documented wide shape: ``region_code, year`` and one column per measure.

    Cells hold the value, ``'.'`` for a suppressed fact or ``None`` for a
    missing one. The wide shape has no place for ``'provisional'``; that
    status is dropped (use the long shape to keep it).
    """
    cells = facts["value"].astype(object).where(facts["value"].notna(), None)
    cells = cells.mask(facts["status"].eq("suppressed").to_numpy(), SUPPRESSED_CELL)
    tidy = facts[["region_code", "year", "measure"]].assign(cell=cells)
    wide = tidy.pivot(index=["region_code", "year"], columns="measure", values="cell")
    wide = wide.reset_index().rename_axis(columns=None)
    measures = [m for m in MEASURES if m in wide.columns]
    return wide[["region_code", "year", *measures]].astype(object).where(wide.notna(), None)


def write_own_file(
    facts: pd.DataFrame, path: Path | str, *, decimal: Decimal = ".", sep: str = ","
) -> Path:
    """Write facts as a wide own file (``.csv``, ``.xlsx`` or ``.parquet``), e.g. as a template.

    ``decimal`` and ``sep`` apply to CSV only. In Parquet a measure column with
    a suppressed cell is written as text (``'.'`` and numbers), others as floats.
    """
    path = Path(path)
    write_cells(facts_to_wide(facts), path, decimal=decimal, sep=sep)
    return path


# --- from raw cells to tidy rows ---------------------------------------------
def _normalise_header(
    raw: pd.DataFrame, where: dict[str, Any]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Lower-case header names, map region aliases; return the frame and names as written."""
    names: dict[str, str] = {}
    columns: list[str] = []
    for position, name in enumerate(raw.columns, start=1):
        if is_blank(name):
            if raw.iloc[:, position - 1].map(is_blank).all():
                columns.append(f"_empty_{position}")  # a trailing empty column: dropped below
                continue
            raise DataError(
                f"Column {position} has no name in the header.",
                hint="Name every column in row 1 (did an index column get exported?).",
                row=1,
                **where,
            )
        key = str(name).strip().lower()
        key = "region_code" if key in REGION_COLUMN_ALIASES else key
        if key in names:
            raise DataError(
                f"Column {str(name).strip()!r} appears twice (as {names[key]!r} too).",
                hint=f"Keep one; {', '.join(REGION_COLUMN_ALIASES)} all mean the region code.",
                column=str(name).strip(),
                row=1,
                **where,
            )
        names[key] = str(name).strip()
        columns.append(key)
    raw = raw.set_axis(columns, axis=1)
    return raw[[c for c in columns if not c.startswith("_empty_")]], names


def _long_from_wide(
    raw: pd.DataFrame,
    names: dict[str, str],
    *,
    decimal: Decimal,
    ignore: set[str],
    known: Collection[str] | None,
    where: dict[str, Any],
) -> pd.DataFrame:
    kept = check_columns(
        raw.columns,
        required=("region_code", "year"),
        allowed=MEASURES,
        ignore=ignore,
        row=1,
        **where,
    )
    measures = [c for c in kept if c in MEASURES]
    if not measures:
        raise DataError(
            "The file has no measure columns.",
            hint="Add columns named like the measures in docs/own-files.md (e.g. jeugdhulp).",
            row=1,
            **where,
        )
    keys = _keys(raw, names, known, where)
    check_unique_keys(keys, keys=("region_code", "year"), **where)
    parts = []
    for name in measures:
        values, status = check_numbers(raw[name], decimal=decimal, column=names[name], **where)
        parts.append(keys.assign(measure=name, value=values, status=status))
    long = pd.concat(parts)
    check_values(long, **where)
    check_numerators(long, **where)
    return long


def _long_from_long(
    raw: pd.DataFrame,
    names: dict[str, str],
    *,
    decimal: Decimal,
    ignore: set[str],
    known: Collection[str] | None,
    where: dict[str, Any],
) -> pd.DataFrame:
    check_columns(
        raw.columns, required=LONG_COLUMNS, allowed=(STATUS_COLUMN,), ignore=ignore, row=1, **where
    )
    long = _keys(raw, names, known, where)
    long["measure"] = check_measure_names(raw["measure"], column=names["measure"], **where)
    values, status = check_numbers(raw["value"], decimal=decimal, column=names["value"], **where)
    if STATUS_COLUMN in raw.columns:
        status = _explicit_status(raw[STATUS_COLUMN], values, status, names[STATUS_COLUMN], where)
    long = long.assign(value=values, status=status)
    check_unique_keys(long, **where)
    check_values(long, column=names["value"], **where)
    check_numerators(long, column=names["value"], **where)
    return long


def _keys(
    raw: pd.DataFrame,
    names: dict[str, str],
    known: Collection[str] | None,
    where: dict[str, Any],
) -> pd.DataFrame:
    regions = check_region_codes(
        raw["region_code"], known=known, column=names["region_code"], **where
    )
    years = check_years(raw["year"], column=names["year"], **where)
    return pd.DataFrame({"region_code": regions, "year": years}, index=raw.index)


def _explicit_status(
    given: pd.Series, values: pd.Series, derived: pd.Series, column: str, where: dict[str, Any]
) -> pd.Series:
    """Combine a ``status`` column with the status read from the value cells."""
    status = derived.tolist()
    for i, (row, cell, value) in enumerate(zip(given.index, given, values, strict=True)):
        if is_blank(cell):
            continue
        text = str(cell).strip().lower()
        has_value = pd.notna(value)
        problem = None
        if text not in EXPLICIT_STATUSES:
            problem = f"Unknown status {str(cell)!r}."
        elif has_value and text != "provisional":
            problem = f"Status {text!r} but the row has a value."
        elif not has_value and text == "provisional":
            problem = "Status 'provisional' but the row has no value."
        if problem:
            raise DataError(
                problem,
                hint=f"Leave status empty or use {', '.join(EXPLICIT_STATUSES)}; "
                "suppressed and missing rows have an empty value, provisional ones a value.",
                row=row,
                column=column,
                **where,
            )
        status[i] = text
    return pd.Series(status, index=given.index, dtype=object)


def _to_facts(long: pd.DataFrame, *, dataset: str, source: str) -> pd.DataFrame:
    facts = pd.DataFrame(
        {
            "dataset": dataset,
            "region_code": long["region_code"].astype(object),
            "year": long["year"].astype("int64"),
            "measure": long["measure"].astype(object),
            "value": long["value"].astype("float64"),
            "status": long["status"].astype(object),
            "source": source,
        }
    )
    facts = facts.sort_values(["region_code", "year", "measure"], kind="stable")
    return facts.reset_index(drop=True)[list(FACT_COLUMNS)]
