"""Herindeling crosswalks: which share of an old unit lies in which new unit.

CBS publishes figures on the boundaries of their own year. A crosswalk says,
for a pair of years, how each changed unit of ``year_from`` is spread over the
units of ``year_to`` (by share of addresses). It is stored in the long form of
the store's ``crosswalk`` table::

    dataset, level, year_from, year_to, code_from, code_to, weight

Only changed units are listed; a code not listed for a year pair maps 1:1 to
itself. :class:`Crosswalk` validates such a frame once and answers
:meth:`Crosswalk.mapping` for any pair of years, directly when the pair is in
the frame and otherwise by composing the yearly steps (a sparse matrix
product). :func:`load_grenswijzigen` reads the VNG/CBS ``grenswijzigen``
extracts into that form.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from bluezones.errors import DataError, RegionError
from bluezones.regions.codes import LEVELS, check_code, level_of, normalise_code
from bluezones.store import TABLE_SCHEMAS, Store

__all__ = [
    "CROSSWALK_COLUMNS",
    "WEIGHT_SUM_TOLERANCE",
    "Crosswalk",
    "load_grenswijzigen",
    "write_crosswalk",
]

CROSSWALK_COLUMNS = ("level", "year_from", "year_to", "code_from", "code_to", "weight")
MAPPING_COLUMNS = ["code_from", "code_to", "weight"]

# The weights of one code_from must sum to 1 within this tolerance. Published
# shares are rounded (the grenswijzigen file to 6 decimals, so a unit split in k
# parts may be off by k * 5e-7); anything further off is an error, not rounding.
# Accepted weights are rescaled to sum to exactly 1, so totals are conserved.
WEIGHT_SUM_TOLERANCE = 1e-4

# The grenswijzigen extracts: file per level, and their column names.
GRENSWIJZIGEN_FILES = {
    "gemeente": "gemeente_omzetting_2016_2024.csv",
    "wijk": "wijk_omzetting_2016_2024.csv",
}
_GW_COLUMNS = {
    "jaar_van": "year_from",
    "jaar_naar": "year_to",
    "code_van": "code_from",
    "code_naar": "code_to",
}
_GW_ADDRESSES = "aantal_adressen"
_GW_SHARE = "aandeel_van"
_CSV_HEADER_LINES = 1


class Crosswalk:
    """An immutable, validated set of herindeling crosswalks.

    Parameters
    ----------
    frame
        Rows with :data:`CROSSWALK_COLUMNS` (a ``dataset`` column may be
        present but must hold one value).
    span
        ``(first_year, last_year)`` the crosswalk covers. Within the span a
        year pair without rows means "no change". By default each level's span
        runs from its smallest ``year_from`` to its largest ``year_to``.

    Raises
    ------
    RegionError
        For malformed codes, weights outside (0, 1], weights of one code that
        do not sum to 1, or duplicate rows.

    Examples
    --------
    >>> cw = Crosswalk(pd.DataFrame({
    ...     "level": "gemeente", "year_from": 2021, "year_to": 2022,
    ...     "code_from": ["GM0370"], "code_to": ["GM0439"], "weight": [1.0]}))
    >>> cw.mapping("gemeente", 2021, 2022).to_dict("records")
    [{'code_from': 'GM0370', 'code_to': 'GM0439', 'weight': 1.0}]
    """

    __slots__ = ("_cache", "_frame", "_pairs", "_spans")

    def __init__(self, frame: pd.DataFrame, *, span: tuple[int, int] | None = None) -> None:
        self._frame = _validated(frame)
        self._spans = _spans(self._frame, span)
        self._pairs = _pairs(self._frame)
        self._cache: dict[tuple[str, int, int], pd.DataFrame] = {}

    def __setattr__(self, name: str, value: object) -> None:
        if hasattr(self, "_cache"):
            raise AttributeError("Crosswalk is immutable")
        object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        spans = ", ".join(f"{lvl} {a}-{b}" for lvl, (a, b) in sorted(self._spans.items()))
        return f"Crosswalk({len(self._frame)} rows; {spans or 'empty'})"

    @property
    def frame(self) -> pd.DataFrame:
        """A copy of the validated rows (weights rescaled to sum to 1)."""
        return self._frame.copy()

    @property
    def levels(self) -> tuple[str, ...]:
        """The levels the crosswalk covers."""
        return tuple(sorted(self._spans))

    def span(self, level: str) -> tuple[int, int] | None:
        """``(first_year, last_year)`` covered at ``level``, or ``None``."""
        return self._spans.get(level)

    def pairs(self, level: str) -> list[tuple[int, int]]:
        """The year pairs listed at ``level``."""
        return list(self._pairs.get(level, ()))

    def mapping(self, level: str, year_from: int, year_to: int) -> pd.DataFrame:
        """How the units of ``year_from`` spread over the units of ``year_to``.

        Uses the listed pair when there is one, else composes the yearly steps
        in between (a step without rows inside the span is "no change").
        Codes absent from the result map 1:1 to themselves.

        Returns
        -------
        DataFrame
            ``code_from, code_to, weight``; each ``code_from``'s weights sum to 1.

        Raises
        ------
        RegionError
            If ``year_from >= year_to`` without a listed pair, or a step lies
            outside the crosswalk's span.
        """
        key = (level, int(year_from), int(year_to))
        if key not in self._cache:
            direct = self._direct(*key)
            self._cache[key] = self._compose(*key) if direct is None else direct
        return self._cache[key].copy()

    def composed(self, level: str, year_from: int, year_to: int) -> pd.DataFrame:
        """Like :meth:`mapping`, but always composed from the yearly steps.

        Exists to check a direct pair against the chain of yearly changes.
        """
        return self._compose(level, int(year_from), int(year_to))

    # --- kernels -----------------------------------------------------------
    def _rows(self, level: str, year_from: int, year_to: int) -> pd.DataFrame:
        f = self._frame
        mask = (f["level"] == level) & (f["year_from"] == year_from) & (f["year_to"] == year_to)
        return f.loc[mask, MAPPING_COLUMNS]

    def _direct(self, level: str, year_from: int, year_to: int) -> pd.DataFrame | None:
        if (year_from, year_to) not in self.pairs(level):
            return None
        return self._rows(level, year_from, year_to).reset_index(drop=True)

    def _compose(self, level: str, year_from: int, year_to: int) -> pd.DataFrame:
        if year_from >= year_to:
            raise RegionError(
                f"The crosswalk has no {level} pair from {year_from} to {year_to}; "
                "boundaries can only be carried forward in time.",
                hint="Choose a reference year at or after the latest year of the figures, "
                "or add that pair to the crosswalk.",
                year=year_from,
            )
        span = self._spans.get(level)
        if span is None or year_from < span[0] or year_to > span[1]:
            covered = f"covers {span[0]}-{span[1]}" if span else "has no rows"
            raise RegionError(
                f"The {level} crosswalk {covered}; it cannot map {year_from} to {year_to}.",
                hint="Load a crosswalk that covers these years, or restrict the figures to them.",
                year=year_from,
            )
        steps = [self._rows(level, y, y + 1) for y in range(year_from, year_to)]
        return _compose_steps(steps)


def _compose_steps(steps: list[pd.DataFrame]) -> pd.DataFrame:
    """Multiply the yearly step matrices (identity for unlisted codes)."""
    listed = [s for s in steps if not s.empty]
    if not listed:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in _MAPPING_DTYPES.items()})
    codes = pd.Index(
        sorted(set().union(*(set(s["code_from"]) | set(s["code_to"]) for s in listed)))
    )
    product = sparse.identity(len(codes), format="csr")
    for step in listed:
        product = product @ _step_matrix(step, codes)
    sources = np.unique(
        np.concatenate([codes.get_indexer(pd.Index(s["code_from"])) for s in listed])
    )
    coo = product[sources].tocoo()
    out = pd.DataFrame(
        {
            "code_from": codes[sources[coo.row]],
            "code_to": codes[coo.col],
            "weight": coo.data,
        }
    )
    return out.sort_values(["code_from", "code_to"], ignore_index=True)


_MAPPING_DTYPES = {"code_from": "str", "code_to": "str", "weight": "float64"}


def _step_matrix(step: pd.DataFrame, codes: pd.Index) -> sparse.csr_matrix:
    """One year's step as a square matrix; rows of unlisted codes are identity."""
    n = len(codes)
    rows = codes.get_indexer(pd.Index(step["code_from"]))
    cols = codes.get_indexer(pd.Index(step["code_to"]))
    unlisted = np.setdiff1d(np.arange(n), rows)
    return sparse.csr_matrix(
        (
            np.concatenate([step["weight"].to_numpy(float), np.ones(len(unlisted))]),
            (np.concatenate([rows, unlisted]), np.concatenate([cols, unlisted])),
        ),
        shape=(n, n),
    )


# --- validation --------------------------------------------------------------
def _validated(frame: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in CROSSWALK_COLUMNS if c not in frame.columns]
    if missing:
        raise RegionError(
            f"The crosswalk lacks columns {missing}.",
            hint=f"A crosswalk needs the columns {', '.join(CROSSWALK_COLUMNS)}.",
        )
    if "dataset" in frame.columns and frame["dataset"].nunique() > 1:
        raise RegionError(
            f"The crosswalk mixes datasets {sorted(frame['dataset'].unique().tolist())}.",
            hint="Build one Crosswalk per dataset.",
        )
    f = frame.loc[:, list(CROSSWALK_COLUMNS)].copy()
    f["year_from"] = f["year_from"].astype("int64")
    f["year_to"] = f["year_to"].astype("int64")
    f["weight"] = f["weight"].astype("float64")
    for column in ("level", "code_from", "code_to"):
        f[column] = f[column].astype("str").str.strip()
    f["code_from"] = f["code_from"].str.upper()
    f["code_to"] = f["code_to"].str.upper()
    _check_levels_and_codes(f)
    _check_years(f)
    _check_weights(f)
    group = ["level", "year_from", "year_to", "code_from"]
    f["weight"] = f["weight"] / f.groupby(group)["weight"].transform("sum")
    return f.sort_values([*group, "code_to"], ignore_index=True)


def _check_levels_and_codes(f: pd.DataFrame) -> None:
    bad_level = ~f["level"].isin(LEVELS)
    if bad_level.any():
        raise RegionError(
            f"Unknown crosswalk level {f.loc[bad_level, 'level'].iloc[0]!r}.",
            hint=f"Use one of {', '.join(LEVELS)}.",
            row=int(np.flatnonzero(bad_level)[0]) + 1,
        )
    for level, part in f.groupby("level"):
        for column in ("code_from", "code_to"):
            i = _first_bad_code(part[column], str(level))
            if i is not None:
                row = part.iloc[i]
                check_code(row[column], level, column=column, year=int(row["year_from"]))  # type: ignore[arg-type]


def _first_bad_code(codes: pd.Series, level: str) -> int | None:
    """Position of the first code that is not a well-formed ``level`` code, if any.

    Checks each distinct code once, so long crosswalks validate quickly.
    """
    distinct = pd.unique(codes)
    bad = {code for code in distinct if level_of(normalise_code(code)) != level}
    if not bad:
        return None
    return int(np.flatnonzero(codes.isin(bad).to_numpy())[0])


def _check_years(f: pd.DataFrame) -> None:
    same = f["year_from"] == f["year_to"]
    if same.any():
        row = f.loc[same].iloc[0]
        raise RegionError(
            "A crosswalk row maps a year to itself.",
            hint="year_from and year_to must differ.",
            region=row["code_from"],
            year=int(row["year_from"]),
        )
    dup = f.duplicated(["level", "year_from", "year_to", "code_from", "code_to"])
    if dup.any():
        row = f.loc[dup].iloc[0]
        raise RegionError(
            f"The crosswalk lists {row['code_from']} -> {row['code_to']} twice.",
            hint="Sum the duplicate rows' weights into one row.",
            region=row["code_from"],
            year=f"{row['year_from']}->{row['year_to']}",
        )


def _check_weights(f: pd.DataFrame) -> None:
    bad = ~((f["weight"] > 0) & (f["weight"] <= 1 + WEIGHT_SUM_TOLERANCE))
    if bad.any():
        row = f.loc[bad].iloc[0]
        raise RegionError(
            f"Crosswalk weight {row['weight']} of {row['code_from']} -> {row['code_to']} "
            "is not in (0, 1].",
            hint="Weights are shares of code_from's addresses; leave out zero shares.",
            region=row["code_from"],
            year=f"{row['year_from']}->{row['year_to']}",
        )
    sums = f.groupby(["level", "year_from", "year_to", "code_from"])["weight"].sum()
    off = sums[(sums - 1).abs() > WEIGHT_SUM_TOLERANCE]
    if not off.empty:
        _, year_from, year_to, code = off.index[0]
        total = float(off.iloc[0])
        raise RegionError(
            f"The weights of {code} from {year_from} to {year_to} sum to {total:.6g}, not 1.",
            hint="Each old unit's shares over the new units must add up to 1 "
            f"(tolerance {WEIGHT_SUM_TOLERANCE:g}); list every part it went to.",
            region=code,
            year=f"{year_from}->{year_to}",
        )


def _pairs(f: pd.DataFrame) -> dict[str, tuple[tuple[int, int], ...]]:
    rows = f[["level", "year_from", "year_to"]].drop_duplicates()
    pairs: dict[str, list[tuple[int, int]]] = {}
    for level, a, b in rows.itertuples(index=False, name=None):
        pairs.setdefault(str(level), []).append((int(a), int(b)))
    return {level: tuple(sorted(p)) for level, p in pairs.items()}


def _spans(f: pd.DataFrame, span: tuple[int, int] | None) -> dict[str, tuple[int, int]]:
    spans = {
        str(level): (
            int(min(part["year_from"].min(), part["year_to"].min())),
            int(max(part["year_from"].max(), part["year_to"].max())),
        )
        for level, part in f.groupby("level")
    }
    if span is None:
        return spans
    first, last = int(span[0]), int(span[1])
    outside = [lvl for lvl, (a, b) in spans.items() if a < first or b > last]
    if first >= last or outside:
        raise RegionError(
            f"The crosswalk span {first}-{last} is empty or does not contain its own rows.",
            hint="Give span=(first_year, last_year) covering every year pair listed.",
        )
    return {level: (first, last) for level in LEVELS}


def write_crosswalk(store: Store, frame: pd.DataFrame) -> int:
    """Validate a crosswalk and replace its dataset's rows in the store's ``crosswalk`` table.

    The rows are written as :class:`Crosswalk` validated them: codes
    normalised, weights rescaled to sum to exactly 1. Returns the rows written.

    >>> import tempfile, pathlib
    >>> rows = pd.DataFrame({"dataset": "demo", "level": "gemeente", "year_from": [2021],
    ...     "year_to": [2022], "code_from": ["GM0370"], "code_to": ["GM0439"], "weight": [1.0]})
    >>> with Store(pathlib.Path(tempfile.mkdtemp()) / "s.duckdb") as store:
    ...     write_crosswalk(store, rows)
    1
    """
    if "dataset" not in frame.columns or frame["dataset"].nunique() != 1:
        raise RegionError(
            "A crosswalk to store needs one value in its 'dataset' column.",
            hint="Set the dataset column, e.g. load_grenswijzigen(folder, dataset='cbs').",
        )
    dataset = str(frame["dataset"].iloc[0])
    rows = Crosswalk(frame).frame.assign(dataset=dataset)
    return store.replace(
        "crosswalk", rows.loc[:, list(TABLE_SCHEMAS["crosswalk"])], where={"dataset": dataset}
    )


# --- the grenswijzigen extracts ---------------------------------------------------
def load_grenswijzigen(
    folder: Path | str, dataset: str = "cbs", *, levels: Iterable[str] = ("gemeente", "wijk")
) -> pd.DataFrame:
    """Read the ``grenswijzigen`` address crosswalks into the store's crosswalk form.

    The files ``gemeente_omzetting_2016_2024.csv`` and
    ``wijk_omzetting_2016_2024.csv`` are long-form conversions of the R package
    ``grenswijzigen`` (Hans Weda, VNG; licence **CC BY-NC-SA 4.0**, so
    non-commercial and share-alike). They are read at run time from the user's
    folder and never copied into this package.

    The weight is recomputed as ``aantal_adressen`` over the old unit's total
    addresses in that pair, which is exact; the file's ``aandeel_van`` is the
    same share rounded to 6 decimals.

    Parameters
    ----------
    folder
        Folder holding the CSV files.
    dataset
        Value of the ``dataset`` column of the result.
    levels
        Which files to read.

    Returns
    -------
    DataFrame
        The columns of the store's ``crosswalk`` table.

    Raises
    ------
    DataError
        A file or column is missing, or a value is not a number.
    RegionError
        A code is malformed (with file, row and column).
    """
    frames = [_read_grenswijzigen(Path(folder), level, dataset) for level in levels]
    return pd.concat(frames, ignore_index=True)


def _read_grenswijzigen(folder: Path, level: str, dataset: str) -> pd.DataFrame:
    if level not in GRENSWIJZIGEN_FILES:
        raise DataError(
            f"There is no grenswijzigen file for level {level!r}.",
            hint=f"Choose from {', '.join(GRENSWIJZIGEN_FILES)}.",
        )
    path = folder / GRENSWIJZIGEN_FILES[level]
    if not path.is_file():
        raise DataError(
            f"The crosswalk file {path.name} is not in {folder}.",
            hint="Point to the folder with the grenswijzigen CSV files.",
            file=str(path),
        )
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    needed = [*_GW_COLUMNS, _GW_ADDRESSES]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise DataError(
            f"The crosswalk file lacks columns {missing}.",
            hint=f"Expected the columns {', '.join([*needed, _GW_SHARE])}.",
            file=str(path),
        )
    out = raw.rename(columns=_GW_COLUMNS)
    for column in ("year_from", "year_to", _GW_ADDRESSES):
        out[column] = _numbers(out[column], path, column)
    for column in ("code_from", "code_to"):
        _check_file_codes(out[column], level, path, raw_column=_source_name(column))
        out[column] = out[column].str.strip().str.upper()
    group = out.groupby(["year_from", "year_to", "code_from"])[_GW_ADDRESSES]
    out["weight"] = out[_GW_ADDRESSES] / group.transform("sum")
    out["dataset"] = dataset
    out["level"] = level
    out["year_from"] = out["year_from"].astype("int64")
    out["year_to"] = out["year_to"].astype("int64")
    return out.loc[:, ["dataset", *CROSSWALK_COLUMNS]]


def _source_name(column: str) -> str:
    return next(k for k, v in _GW_COLUMNS.items() if v == column)


def _numbers(values: pd.Series, path: Path, column: str) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{values.iloc[i]!r} is not a number.",
            hint="Repair or re-derive the crosswalk file.",
            file=str(path),
            row=i + 1 + _CSV_HEADER_LINES,
            column=_source_name(column) if column in _GW_COLUMNS.values() else column,
        )
    return numbers


def _check_file_codes(codes: pd.Series, level: str, path: Path, raw_column: str) -> None:
    i = _first_bad_code(codes, level)
    if i is not None:
        check_code(
            codes.iloc[i],
            level,  # type: ignore[arg-type]
            file=str(path),
            row=i + 1 + _CSV_HEADER_LINES,
            column=raw_column,
        )
