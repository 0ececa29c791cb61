"""Boundary checks for area-year data, shared by every loader.

Each ``check_*`` function takes raw input, returns the cleaned value, or raises
one :class:`~bluezones.errors.DataError` / :class:`~bluezones.errors.RegionError`
that names where the problem is and what to do about it. The own-files
reader, the CBS loaders and the microdata loader all call the same checks, so
a bad value reads the same whichever road it came in by.

Row numbers
    Checks on a ``Series`` or ``DataFrame`` report a row as its *index label*.
    Readers give their frames an index of the row numbers the user sees (in a
    spreadsheet the header is row 1, the first data row is row 2); a loader
    without meaningful rows can leave the default index.

Context
    ``file=`` and ``column=`` (and any other keyword, such as ``sheet=``) are
    passed through to the error, so messages name the file and the column.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Iterable
from numbers import Real
from typing import Any, Literal

import numpy as np
import pandas as pd

from bluezones.errors import DataError, RegionError
from bluezones.indicators import INDICATORS, MEASURES
from bluezones.regions.codes import level_of, normalise_code

__all__ = [
    "MISSING_MARKERS",
    "SUPPRESSED_MARKERS",
    "YEAR_RANGE",
    "check_columns",
    "check_counts",
    "check_measure_names",
    "check_numbers",
    "check_numerators",
    "check_region_codes",
    "check_shares",
    "check_unique_keys",
    "check_values",
    "check_years",
    "closest",
]

Decimal = Literal[".", ","]

# Cell contents meaning "not published" (CBS writes '.', spreadsheets often 'x' or '-').
SUPPRESSED_MARKERS = frozenset({".", "x", "X", "-"})
# Cell contents meaning "no value"; never read as 0.
MISSING_MARKERS = frozenset({""})
# Years we accept: youth-care statistics start well after 1990, and anything past
# 2100 is a typo (a count pasted into the year column).
YEAR_RANGE = (1990, 2100)
SHARE_RANGE = (0.0, 100.0)
# How alike two names must be (difflib ratio) before we suggest one for the other.
SUGGEST_CUTOFF = 0.6

_NUMBER_POINT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_NUMBER_COMMA = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?")
_LOOKS_LIKE_COMMA = re.compile(r"[+-]?[\d.]*\d,\d+")
_PADDING = {"GM": 4, "WK": 6, "BU": 8}


def closest(name: str, choices: Iterable[str]) -> str | None:
    """The choice most like ``name``, or ``None`` if none is close.

    >>> closest("jeugdhlup", ["jeugdhulp", "jeugdzorg", "population"])
    'jeugdhulp'
    """
    found = difflib.get_close_matches(name, list(choices), n=1, cutoff=SUGGEST_CUTOFF)
    return found[0] if found else None


def _did_you_mean(name: str, choices: Iterable[str]) -> str:
    match = closest(name, choices)
    return f"Did you mean {match!r}? " if match else ""


# --- columns ----------------------------------------------------------------
def check_columns(
    columns: Iterable[str],
    *,
    required: Collection[str],
    allowed: Collection[str] = (),
    ignore: Collection[str] = (),
    **where: Any,
) -> list[str]:
    """Check a header: required columns present, no unknown ones; return the kept columns.

    Parameters
    ----------
    columns
        The header as read (already normalised by the caller, e.g. lower-cased).
    required
        Columns that must be present.
    allowed
        Further columns that may be present (measure names, ``status``).
    ignore
        Columns the user asked to skip; they are dropped from the result.
    **where
        Context for the error (``file=``, ``sheet=``).
    """
    columns = list(columns)
    missing = [c for c in required if c not in columns]
    if missing:
        raise DataError(
            f"Required column {missing[0]!r} is missing.",
            hint=f"The header must contain {', '.join(required)}; it has {', '.join(columns)}.",
            column=missing[0],
            **where,
        )
    known = set(required) | set(allowed)
    for name in columns:
        if name not in known and name not in ignore:
            raise DataError(
                f"Unknown column {name!r}.",
                hint=f"{_did_you_mean(name, sorted(known))}"
                f"Rename it to a known measure, or pass ignore=[{name!r}] to skip it.",
                column=name,
                **where,
            )
    return [c for c in columns if c not in ignore]


def check_measure_names(names: pd.Series, **where: Any) -> pd.Series:
    """Every value must be a measure of :data:`bluezones.indicators.MEASURES`."""
    cleaned = names.map(lambda v: "" if _is_empty(v) else str(v).strip().lower())
    bad = ~cleaned.isin(list(MEASURES))
    if bad.any():
        row, name = names[bad].index[0], names[bad].iloc[0]
        raise DataError(
            f"Unknown measure {name!r}.",
            hint=f"{_did_you_mean(str(name), sorted(MEASURES))}"
            "See the measure names in docs/own-files.md.",
            row=row,
            **where,
        )
    return cleaned.astype(object)


# --- region codes -----------------------------------------------------------
def check_region_codes(
    codes: pd.Series, *, known: Collection[str] | None = None, **where: Any
) -> pd.Series:
    """Normalise region codes (strip, upper-case) and check pattern and, if given, existence.

    A malformed code (``GM363``) raises a :class:`RegionError` suggesting the
    padded form where one is obvious; a well-formed code missing from
    ``known`` raises one suggesting the closest known code.
    """
    known_set = None if known is None else {normalise_code(k) for k in known}
    cleaned = codes.map(lambda v: "" if _is_empty(v) else normalise_code(v))
    for row, code in cleaned.items():
        if level_of(code) is None:
            raise RegionError(
                "Missing region code." if code == "" else f"Malformed region code {code!r}.",
                hint=_code_hint(code),
                row=row,
                region=code or None,
                **where,
            )
        if known_set is not None and code not in known_set:
            suggestion = closest(code, sorted(known_set))
            raise RegionError(
                f"Unknown region code {code!r}.",
                hint=(f"Did you mean {suggestion!r}? " if suggestion else "")
                + "Use a code that exists in the boundary year of your data.",
                row=row,
                region=code,
                **where,
            )
    return cleaned.astype(object)


def _code_hint(code: str) -> str:
    prefix, digits = code[:2], code[2:]
    if prefix in _PADDING and digits.isdigit() and len(digits) < _PADDING[prefix]:
        return f"Did you mean {prefix + digits.zfill(_PADDING[prefix])!r}? Codes are zero-padded."
    if code.isdigit():
        return "Add the level prefix: GM + 4 digits, WK + 6 digits or BU + 8 digits (GM0363)."
    return "Use a CBS code such as GM0363, WK036300 or BU03630000."


# --- years ------------------------------------------------------------------
def check_years(years: pd.Series, **where: Any) -> pd.Series:
    """Years as integers within :data:`YEAR_RANGE`; ``2020.0`` is fine, ``2020.5`` is not."""
    low, high = YEAR_RANGE
    out: dict[Any, int] = {}
    for row, raw in years.items():
        year = _as_int(raw)
        if year is None:
            raise DataError(
                f"Year {_show(raw)} is not a whole number.",
                hint="Write the year as four digits, e.g. 2022.",
                row=row,
                **where,
            )
        if not low <= year <= high:
            raise DataError(
                f"Year {year} is outside {low}-{high}.",
                hint="Check the year column; did a count end up there?",
                row=row,
                **where,
            )
        out[row] = year
    return pd.Series(list(out.values()), index=years.index, dtype="int64")


def _as_int(raw: object) -> int | None:
    if isinstance(raw, bool) or _is_empty(raw):
        return None
    if isinstance(raw, Real):
        value = float(raw)
        return int(value) if math.isfinite(value) and value.is_integer() else None
    text = str(raw).strip()
    if re.fullmatch(r"\d+(\.0*)?", text):
        return int(text.split(".")[0])
    return None


# --- numbers ----------------------------------------------------------------
def check_numbers(
    raw: pd.Series, *, decimal: Decimal = ".", **where: Any
) -> tuple[pd.Series, pd.Series]:
    """Parse cells into numbers and a status: empty = 'missing', ``. x -`` = 'suppressed'.

    Returns ``(values, status)``: float values (NaN where not given) and an
    object series with ``None`` for a plain value. Numbers may arrive typed
    (Excel, Parquet) or as text. With ``decimal='.'`` a decimal comma
    (``12,5``) is an error suggesting ``decimal=','``; with ``decimal=','``
    ``12,5`` and ``1.234,5`` are read, and ``12.5`` is an error.
    """
    values = np.full(len(raw), np.nan)
    status: list[str | None] = [None] * len(raw)
    for i, (row, cell) in enumerate(raw.items()):
        parsed = _parse_cell(cell, decimal)
        if isinstance(parsed, str):
            status[i] = parsed
        elif parsed is None:
            raise _not_a_number(cell, decimal, row=row, **where)
        else:
            values[i] = parsed
    return (
        pd.Series(values, index=raw.index, dtype="float64"),
        pd.Series(status, index=raw.index, dtype=object),
    )


def _parse_cell(cell: object, decimal: Decimal) -> float | str | None:
    """A float, a status string for an empty or suppressed cell, or None if unreadable."""
    if _is_empty(cell):
        return "missing"
    if isinstance(cell, bool):
        return None
    if isinstance(cell, Real):
        value = float(cell)
        return value if math.isfinite(value) else None
    text = str(cell).strip()
    if text in MISSING_MARKERS:
        return "missing"
    if text in SUPPRESSED_MARKERS:
        return "suppressed"
    if decimal == ".":
        return float(text) if _NUMBER_POINT.fullmatch(text) else None
    if _NUMBER_COMMA.fullmatch(text):
        return float(text.replace(".", "").replace(",", "."))
    return None


def _not_a_number(cell: object, decimal: Decimal, **where: Any) -> DataError:
    text = str(cell).strip()
    if decimal == "." and _LOOKS_LIKE_COMMA.fullmatch(text):
        return DataError(
            f"Value {text!r} has a decimal comma.",
            hint="The file uses decimal commas: pass decimal=',' (CLI: --decimal ,).",
            **where,
        )
    if decimal == "," and _NUMBER_POINT.fullmatch(text):
        return DataError(
            f"Value {text!r} has a decimal point, but decimal=',' was given.",
            hint="Leave decimal at '.' for this file, or write 12,5 and 1.234,5.",
            **where,
        )
    return DataError(
        f"Value {_show(cell)} is not a number.",
        hint="Use a number; leave the cell empty for missing or write '.' for suppressed.",
        **where,
    )


# --- values per measure kind ------------------------------------------------
def check_counts(values: pd.Series, **where: Any) -> pd.Series:
    """Counts of people or households cannot be negative."""
    bad = values < 0
    if bad.any():
        row = values[bad].index[0]
        raise DataError(
            f"Count {_show(values[bad].iloc[0])} is negative.",
            hint="Counts of people or households are 0 or more; check the sign.",
            row=row,
            **where,
        )
    return values


def check_shares(values: pd.Series, **where: Any) -> pd.Series:
    """Percentages lie between 0 and 100 (a fraction 0-1 is a different unit: multiply by 100)."""
    low, high = SHARE_RANGE
    bad = (values < low) | (values > high)
    if bad.any():
        row = values[bad].index[0]
        raise DataError(
            f"Share {_show(values[bad].iloc[0])} is outside {low:g}-{high:g}.",
            hint="Shares are percentages from 0 to 100.",
            row=row,
            **where,
        )
    return values


def check_values(long: pd.DataFrame, *, column: str | None = None, **where: Any) -> pd.DataFrame:
    """Check ``value`` of a tidy frame by each measure's kind (count, share, mean).

    ``column`` names the column the values came from; ``None`` means each
    measure had its own column (a wide file), so the measure name is the column.
    """
    for name, part in long.groupby("measure", sort=True):
        kind = MEASURES[str(name)].kind
        values = part["value"].dropna()
        context = {"column": column or name, "measure": name, **where}
        if kind == "count":
            check_counts(values, **context)
        elif kind == "share":
            check_shares(values, **context)
    return long


def check_numerators(
    long: pd.DataFrame, *, column: str | None = None, **where: Any
) -> pd.DataFrame:
    """No indicator's numerator above its denominator (``jeugdhulp > youth_0_17``).

    Checks every indicator of :data:`bluezones.indicators.INDICATORS` whose
    two measures both occur in ``long`` (columns ``region_code, year,
    measure, value``); the error names the numerator's row.
    """
    keys = ["region_code", "year"]
    for ind in INDICATORS.values():
        num = long[long["measure"] == ind.numerator]
        den = long[long["measure"] == ind.denominator]
        if num.empty or den.empty:
            continue
        num = num.assign(_row=num.index)
        pairs = num.merge(den, on=keys, suffixes=("", "_den"))
        bad = pairs["value"] > pairs["value_den"]
        if bad.any():
            first = pairs[bad].iloc[0]
            raise DataError(
                f"{ind.numerator} ({_show(first['value'])}) is larger than its denominator "
                f"{ind.denominator} ({_show(first['value_den'])}).",
                hint=f"{ind.numerator} counts part of {ind.denominator}; check both columns.",
                row=first["_row"],
                column=column or ind.numerator,
                region=first["region_code"],
                year=int(first["year"]),
                **where,
            )
    return long


def check_unique_keys(
    frame: pd.DataFrame, keys: Iterable[str] = ("region_code", "year", "measure"), **where: Any
) -> pd.DataFrame:
    """No key twice; the error names both rows."""
    keys = list(keys)
    dup = frame.duplicated(keys, keep=False)
    if dup.any():
        first = frame.loc[dup, keys].iloc[0]
        same = (frame[keys] == first).all(axis=1)
        rows = list(frame.index[same])[:2]
        what = ", ".join(f"{k} {first[k]}" for k in keys)
        raise DataError(
            f"Rows {rows[0]} and {rows[1]} have the same {what}.",
            hint="Keep one of the two rows, or load them as separate datasets.",
            row=rows[1],
            **_key_context(first, keys),
            **where,
        )
    return frame


def _key_context(first: pd.Series, keys: list[str]) -> dict[str, Any]:
    names = {"region_code": "region", "year": "year", "measure": "measure"}
    return {names[k]: first[k] for k in keys if k in names}


# --- small helpers ----------------------------------------------------------
def _is_empty(cell: object) -> bool:
    if cell is None:
        return True
    if isinstance(cell, float) and math.isnan(cell):
        return True
    return cell is pd.NA or cell is pd.NaT


def _show(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)
