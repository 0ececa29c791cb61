"""Parsing CBS StatLine output into one tidy shape, whatever road it came by.

CBS data reaches bluezones as OData v3 JSON (wide: one column per topic), OData
v4 JSON (long: one row per observation) or a file someone downloaded (a StatLine
CSV, a TypedDataSet saved by pandas, a kwb export). Every road ends in a
:class:`ParsedTable` with the same observation columns, built by the same small
functions that

- strip the padding from keys (``'GM0014    '`` -> ``'GM0014'``),
- parse periods (``2022JJ00`` -> 2022; ``HJ``, ``KW``, ``MM``; ``2022*`` provisional),
- turn ``.``, ``x``, empty and null cells into a missing value with a status,
  never into 0 (CBS's ``-`` means *nil* and is 0),
- match column keys on their name without the yearly ``_NN`` suffix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from bluezones.errors import DataError

__all__ = [
    "OBSERVATION_COLUMNS",
    "ParsedTable",
    "Period",
    "base_name",
    "clean_keys",
    "is_provisional",
    "parse_period",
    "parse_v4",
    "parse_values",
    "parse_wide",
    "raw_frame",
]

PeriodKind = Literal["year", "half_year", "quarter", "month"]
Status = Literal["suppressed", "missing"]

OBSERVATION_COLUMNS = (
    "region_code",
    "year",
    "period",
    "period_kind",
    "provisional",
    "topic",
    "value",
    "status",
)

_SUFFIX = re.compile(r"_\d+$")
_PERIOD_KEY = re.compile(r"(\d{4})(JJ|HJ|KW|MM)(\d{2})")
_PERIOD_TEXT = re.compile(r"(\d{4})\s*(\*)?")
_PERIOD_KINDS: dict[str, PeriodKind] = {
    "JJ": "year",
    "HJ": "half_year",
    "KW": "quarter",
    "MM": "month",
}
_PROVISIONAL_MARKERS = ("*", "voorlopig", "nader voorlopig")
# CBS's symbols: "." unknown, too unreliable or secret; "x" (or "×") secret.
_SUPPRESSED_SYMBOLS = frozenset({".", "x", "×", "X"})
_NIL_SYMBOL = "-"  # "nihil": the value is zero
# v4 ValueAttribute values that mean "no value can exist" rather than "withheld".
_V4_NOT_APPLICABLE = frozenset({"Impossible", "NotApplicable"})
_V4_PLAIN = "None"


def base_name(column: str) -> str:
    """A column key without CBS's yearly numeric suffix.

    >>> base_name("JongerenMetJeugdzorgInNatura_96"), base_name("k_0Tot15Jaar_8")
    ('JongerenMetJeugdzorgInNatura', 'k_0Tot15Jaar')
    """
    return _SUFFIX.sub("", column.strip())


def clean_keys(values: pd.Series) -> pd.Series:
    """Keys with CBS's padding stripped (``'GM0014    '`` -> ``'GM0014'``); nulls stay null."""
    text = values.astype("string").str.strip()
    return text.astype(object).where(text.notna() & (text != ""), None)


@dataclass(frozen=True)
class Period:
    """A parsed CBS period key."""

    key: str
    year: int
    kind: PeriodKind
    number: int
    provisional: bool = False


def is_provisional(title: str | None, status: str | None = None) -> bool:
    """Whether a period title (``'2022*'``) or status (``'Voorlopig'``) marks provisional figures.

    >>> is_provisional("2022*"), is_provisional("2021", "Definitief")
    (True, False)
    """
    texts = [t.strip().casefold() for t in (title, status) if isinstance(t, str)]
    return any(marker in text for text in texts for marker in _PROVISIONAL_MARKERS)


def parse_period(key: object, title: str | None = None, status: str | None = None) -> Period:
    """Parse a CBS period key (``2022JJ00``, ``2022HJ01``, ``2022KW03``, ``2022MM05``).

    A StatLine CSV download writes the title instead (``2022`` or ``2022*``); that is
    accepted too. A ``*`` or "voorlopig" in the key, title or status marks the
    figures provisional.

    >>> parse_period("2022KW03")
    Period(key='2022KW03', year=2022, kind='quarter', number=3, provisional=False)
    >>> parse_period("2022*").provisional
    True
    """
    text = str(key).strip()
    provisional = is_provisional(text, None) or is_provisional(title, status)
    match = _PERIOD_KEY.fullmatch(text.rstrip("*").strip())
    if match:
        year, code, number = match.groups()
        return Period(text, int(year), _PERIOD_KINDS[code], int(number), provisional)
    match = _PERIOD_TEXT.fullmatch(text)
    if match:
        return Period(text, int(match.group(1)), "year", 0, provisional)
    raise DataError(
        f"Cannot read the period {text!r}.",
        hint="CBS periods look like 2022JJ00 (year), 2022HJ01, 2022KW03 or 2022MM05.",
        column="Perioden",
    )


def parse_values(
    values: pd.Series, *, decimal: str = ".", column: str | None = None, table: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Numbers and statuses of one column of CBS cells.

    Returns ``(value, status)``: ``value`` is float with NaN where the cell holds no
    number; ``status`` is ``'suppressed'`` for ``.``/``x``, ``'missing'`` for empty or
    null, and ``None`` for a number. ``-`` (nil) is 0. Anything else that is not a
    number raises :class:`DataError` naming the column and row.

    >>> v, s = parse_values(pd.Series(["12,5", ".", None, "-"]), decimal=",")
    >>> v.tolist(), s.tolist()
    ([12.5, nan, nan, 0.0], [None, 'suppressed', 'missing', None])
    """
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        number = np.array(values.to_numpy(dtype=float, na_value=np.nan), copy=True)
        status = np.full(len(number), None, dtype=object)
        status[np.isnan(number)] = "missing"
        return number, status
    text = values.astype("string").str.strip().fillna("")
    missing = (text == "").to_numpy()
    suppressed = text.isin(_SUPPRESSED_SYMBOLS).to_numpy()
    nil = (text == _NIL_SYMBOL).to_numpy()
    if decimal != ".":
        text = text.str.replace(decimal, ".", regex=False)
    numeric = pd.to_numeric(text.where(~(missing | suppressed | nil), None), errors="coerce")
    number = np.array(numeric.to_numpy(dtype=float, na_value=np.nan), copy=True)
    bad = np.isnan(number) & ~(missing | suppressed | nil)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"Cell {values.iloc[row]!r} is not a number.",
            hint="CBS cells hold a number, '.', 'x', '-' or nothing; check the file or table.",
            table=table,
            column=column,
            row=row + 1,
        )
    number[nil] = 0.0
    status = np.full(len(text), None, dtype=object)
    status[missing] = "missing"
    status[suppressed] = "suppressed"
    return number, status


@dataclass(frozen=True)
class ParsedTable:
    """One CBS table in tidy long form, with its region names.

    ``observations`` has :data:`OBSERVATION_COLUMNS` plus one column per further
    dimension (keys in ``dimensions``); ``topic`` is the column key as CBS wrote it
    (with suffix), a CSV title, or a v4 measure code. ``regions`` has
    ``region_code`` and ``name``.
    """

    table_id: str
    observations: pd.DataFrame
    regions: pd.DataFrame
    title: str | None = None
    modified: str | None = None
    dimensions: tuple[str, ...] = ()
    dimension_titles: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    topic_titles: Mapping[str, str] = field(default_factory=dict)


def parse_wide(
    frame: pd.DataFrame,
    *,
    table_id: str,
    region_dimension: str,
    period_dimension: str | None,
    topics: Sequence[str],
    dimensions: Sequence[str] = (),
    year: int | None = None,
    decimal: str = ".",
    period_info: Mapping[str, tuple[str | None, str | None]] | None = None,
    region_names: Mapping[str, str] | None = None,
    dimension_titles: Mapping[str, Mapping[str, str]] | None = None,
    title: str | None = None,
    modified: str | None = None,
) -> ParsedTable:
    """Turn a wide CBS frame (v3 TypedDataSet or a file) into a :class:`ParsedTable`.

    ``topics`` are the numeric columns to keep; ``period_info`` maps a period key
    to its (title, status) so provisional periods are flagged; ``year`` is the
    year of a table without a period dimension (kwb).
    """
    needed = [region_dimension, *dimensions, *topics]
    if period_dimension:
        needed.append(period_dimension)
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise DataError(
            f"Table {table_id} has no column {absent[0]!r}.",
            hint=f"Columns found: {', '.join(map(str, frame.columns[:12]))} ...",
            table=table_id,
            column=absent[0],
        )
    keys = pd.DataFrame({"region_code": clean_keys(frame[region_dimension])})
    keys = pd.concat([keys, _periods(frame, period_dimension, year, period_info, table_id)], axis=1)
    for dim in dimensions:
        keys[dim] = clean_keys(frame[dim])
    parts = []
    for topic in topics:
        value, status = parse_values(frame[topic], decimal=decimal, column=topic, table=table_id)
        part = keys.copy()
        part["topic"] = topic
        part["value"] = value
        part["status"] = status
        parts.append(part)
    columns = [*OBSERVATION_COLUMNS, *dimensions]
    observations = pd.concat(parts, ignore_index=True)[columns] if parts else _empty(columns)
    observations = observations[observations["region_code"].notna()].reset_index(drop=True)
    return ParsedTable(
        table_id=table_id,
        observations=observations,
        regions=_regions(keys["region_code"], region_names),
        title=title,
        modified=modified,
        dimensions=tuple(dimensions),
        dimension_titles=dict(dimension_titles or {}),
    )


def parse_v4(
    observations: pd.DataFrame,
    *,
    table_id: str,
    region_dimension: str,
    period_dimension: str | None,
    period_info: Mapping[str, tuple[str | None, str | None]] | None = None,
    region_names: Mapping[str, str] | None = None,
    dimension_titles: Mapping[str, Mapping[str, str]] | None = None,
    topic_titles: Mapping[str, str] | None = None,
    year: int | None = None,
    title: str | None = None,
    modified: str | None = None,
) -> ParsedTable:
    """Turn v4 ``Observations`` (Measure, ValueAttribute, Value, dimensions) into a table.

    A ValueAttribute other than ``'None'`` makes the value missing: ``'Impossible'``
    gives status ``'missing'``, any other (confidential, unreliable) ``'suppressed'``.
    """
    reserved = {"Id", "Measure", "ValueAttribute", "Value", "StringValue"}
    for needed in ("Measure", "Value", region_dimension):
        if needed not in observations.columns:
            raise DataError(
                f"The v4 observations of {table_id} have no column {needed!r}.",
                hint="Is this a CBS OData v4 Observations response?",
                table=table_id,
                column=needed,
            )
    dims = [
        c
        for c in observations.columns
        if c not in reserved and c not in (region_dimension, period_dimension)
    ]
    frame = pd.DataFrame({"region_code": clean_keys(observations[region_dimension])})
    periods = _periods(observations, period_dimension, year, period_info, table_id)
    frame = pd.concat([frame, periods], axis=1)
    frame["topic"] = clean_keys(observations["Measure"])
    value, status = parse_values(observations["Value"], column="Value", table=table_id)
    if "ValueAttribute" in observations.columns:
        attribute = observations["ValueAttribute"].astype("string").str.strip().fillna(_V4_PLAIN)
        flagged = (attribute != _V4_PLAIN).to_numpy()
        value[flagged] = np.nan
        status[flagged] = np.where(
            attribute[flagged].isin(_V4_NOT_APPLICABLE), "missing", "suppressed"
        )
    frame["value"] = value
    frame["status"] = status
    for dim in dims:
        frame[dim] = clean_keys(observations[dim])
    frame = frame[[*OBSERVATION_COLUMNS, *dims]]
    return ParsedTable(
        table_id=table_id,
        observations=frame[frame["region_code"].notna()].reset_index(drop=True),
        regions=_regions(frame["region_code"], region_names),
        title=title,
        modified=modified,
        dimensions=tuple(dims),
        dimension_titles=dict(dimension_titles or {}),
        topic_titles=dict(topic_titles or {}),
    )


def raw_frame(rows: Iterable[Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """Rows as fetched, every cell as text (nulls kept), ready for a raw snapshot.

    Text keeps the snapshot faithful (padding, ``.``) and gives DuckDB one type per column.
    """
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    return pd.DataFrame({str(c): frame[c].astype("string") for c in frame.columns})


def _periods(
    frame: pd.DataFrame,
    period_dimension: str | None,
    year: int | None,
    period_info: Mapping[str, tuple[str | None, str | None]] | None,
    table_id: str,
) -> pd.DataFrame:
    n = len(frame)
    if not period_dimension:
        if year is None:
            raise DataError(
                f"Table {table_id} has no period dimension and no year was given.",
                hint="Give the year of the table (for kwb tables the registry knows it).",
                table=table_id,
            )
        return pd.DataFrame(
            {
                "year": np.full(n, year, dtype=np.int64),
                "period": pd.Series([None] * n, dtype=object, index=frame.index),
                "period_kind": "year",
                "provisional": False,
            },
            index=frame.index,
        )
    keys = clean_keys(frame[period_dimension])
    info = period_info or {}
    parsed = {k: parse_period(k, *info.get(k, (None, None))) for k in keys.dropna().unique()}
    if keys.isna().any():
        raise DataError(
            f"Table {table_id} has rows without a period.",
            table=table_id,
            column=period_dimension,
            row=int(np.flatnonzero(keys.isna().to_numpy())[0]) + 1,
        )
    return pd.DataFrame(
        {
            "year": keys.map(lambda k: parsed[k].year).astype(np.int64),
            "period": keys.map(lambda k: parsed[k].key),
            "period_kind": keys.map(lambda k: parsed[k].kind),
            "provisional": keys.map(lambda k: parsed[k].provisional).astype(bool),
        },
        index=frame.index,
    )


def _regions(codes: pd.Series, names: Mapping[str, str] | None) -> pd.DataFrame:
    unique = pd.Series(codes.dropna().unique(), dtype=object)
    lookup = {str(k).strip(): str(v).strip() for k, v in (names or {}).items()}
    return pd.DataFrame({"region_code": unique, "name": unique.map(lambda c: lookup.get(c))})


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
