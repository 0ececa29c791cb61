"""Readers for CBS data that arrived as a file instead of over the API.

People download StatLine tables by hand, or pass on files others saved. Each
reader here turns one such format into :class:`ParsedTable` objects through
the same parsing code as the API client (key cleaning, period parsing,
suppressed cells, suffix matching), so :func:`to_facts` treats them alike:

- :func:`read_statline_csv`: a StatLine CSV download (``;``, decimal comma,
  UTF-8 BOM, regions by *name*, ``2022*`` for provisional years);
- :func:`read_typed_csv`: a ``TypedDataSet`` saved as CSV (padded keys, an
  unnamed index column), e.g. the gemeente rows of "Jongeren met jeugdzorg in
  natura; wijken";
- :func:`read_kwb_csv`: "Kerncijfers wijken en buurten" rows, possibly the union
  of several years (a ``Peildatum`` column, each year with its own suffixes);
- :func:`read_kwb_merged_csv`: kwb Excel columns merged with the jeugdzorg-per-wijk
  table (``gwb_code_10``, ``year``, ``a_inw``, ``TotaalJongerenMetJeugdzorgInNatura_1``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from bluezones.errors import DataError
from bluezones.indicators import MEASURES
from bluezones.sources.cbs.odata import ParsedTable, base_name, clean_keys, parse_values, parse_wide
from bluezones.sources.cbs.registry import REGISTRY, Registry

__all__ = ["read_kwb_csv", "read_kwb_merged_csv", "read_statline_csv", "read_typed_csv"]

NATIONAL_CODE = "NL01"  # StatLine's code for "Nederland" in RegioS
_UNIT = re.compile(r"^(?P<title>.*?)\s+\((?P<unit>.*)\)$")
_QUALIFIER = re.compile(r"\s+\([^()]*\)$")
_PEILDATUM = re.compile(r"\d{1,2}-\d{1,2}-(\d{4})")
_REGION_HEADERS = ("Regio's", "Regios", "Wijken en buurten", "Wijken")
_PERIOD_HEADER = "Perioden"


def read_statline_csv(
    path: Path | str,
    *,
    table_id: str,
    region_codes: Mapping[str, str] | None = None,
) -> ParsedTable:
    """Read a CSV downloaded from StatLine (regions by name) as table ``table_id``.

    StatLine writes region *names*, not codes; ``region_codes`` maps names to
    codes (``'Nederland'`` is ``NL01`` by default), e.g. from the store's regions
    of that year. Regions left without a code are dropped when all their cells are
    empty (gemeenten dissolved that year), and are an error otherwise. Topic
    columns are named by their title without the unit: ``'Jongeren met jeugdhulp
    in natura (% (zie toelichting))'`` becomes ``'Jongeren met jeugdhulp in natura'``.
    """
    frame = _read(path, sep=";")
    region_col = next((c for c in _REGION_HEADERS if c in frame.columns), frame.columns[0])
    if _PERIOD_HEADER not in frame.columns:
        raise DataError(
            "The StatLine CSV has no 'Perioden' column.",
            hint="Download the table with periods as a column ('Perioden').",
            file=str(path),
        )
    topics = [c for c in frame.columns if c not in (region_col, _PERIOD_HEADER)]
    frame = frame.rename(columns={c: _title(c) for c in topics})
    topics = [_title(c) for c in topics]
    lookup = {"nederland": NATIONAL_CODE}
    lookup |= {str(k).strip().casefold(): str(v).strip() for k, v in (region_codes or {}).items()}
    names = frame[region_col].str.strip()
    codes = names.map(lambda name: _code_of(name, lookup))
    _check_unresolved(frame, names, codes, topics, path)
    frame = frame.assign(RegioS=codes)
    return parse_wide(
        frame,
        table_id=table_id,
        region_dimension="RegioS",
        period_dimension=_PERIOD_HEADER,
        topics=topics,
        decimal=",",
        region_names=dict(zip(codes.dropna(), names[codes.notna()], strict=True)),
        title=Path(path).name,
    )


def read_typed_csv(
    path: Path | str,
    *,
    table_id: str,
    region_dimension: str,
    period_dimension: str | None = "Perioden",
    dimensions: Sequence[str] = (),
    year: int | None = None,
    sep: str = ",",
) -> ParsedTable:
    """Read a CBS ``TypedDataSet`` saved as CSV (keys padded, maybe a pandas index column).

    Numeric columns are found by parsing them; text columns (names, region types)
    are left out. ``dimensions`` are further dimension columns to keep as keys.
    """
    frame = _read(path, sep=sep)
    frame = frame.drop(columns=[c for c in frame.columns if _is_index_column(c)])
    keys = {"ID", region_dimension, *(period_dimension or "",), *dimensions}
    topics = [c for c in frame.columns if c not in keys and _numeric(frame[c])]
    return parse_wide(
        frame,
        table_id=table_id,
        region_dimension=region_dimension,
        period_dimension=period_dimension,
        topics=topics,
        dimensions=dimensions,
        year=year,
        title=Path(path).name,
    )


def read_kwb_csv(
    path: Path | str,
    *,
    year: int | None = None,
    sep: str = ";",
    mapped_only: bool = True,
    registry: Registry = REGISTRY,
) -> list[ParsedTable]:
    """Read "Kerncijfers wijken en buurten" rows; one table per year in the file.

    A file that unites several kwb years has a ``Peildatum`` column (``1-1-2023``)
    and each year's own column suffixes (``JongerenMetJeugdzorgInNatura_87`` and
    ``_96``); each year keeps the columns it fills, named without the suffix. A file of one
    year needs ``year``. Caution: some published extracts lost their decimal
    separators ("114" for 11.4); take only counts from such files
    (``to_facts(..., kinds={'count'})``). With ``mapped_only`` (the default) only
    the columns the registry maps to measures are parsed, which is much faster.
    """
    frame = _read(path, sep=sep)
    if "Peildatum" in frame.columns:
        years = frame["Peildatum"].map(lambda p: _peildatum_year(p, path))
    elif year is not None:
        years = pd.Series(year, index=frame.index)
    else:
        raise DataError(
            "The kwb file has no Peildatum column; give the year of its figures.",
            hint="Pass year=... (the kwb year, e.g. 2023).",
            file=str(path),
        )
    tables = []
    for kwb_year in sorted(years.unique()):
        part = frame[(years == kwb_year).to_numpy()].drop(columns=["Peildatum"], errors="ignore")
        part = _one_year_columns(part)
        spec = registry.kwb_table(int(kwb_year))
        keys = {"ID", spec.region_dimension}
        topics = [
            c
            for c in part.columns
            if c not in keys and (not mapped_only or spec.columns_for(c)) and _numeric(part[c])
        ]
        tables.append(
            parse_wide(
                part,
                table_id=spec.table_id,
                region_dimension=spec.region_dimension,
                period_dimension=None,
                topics=topics,
                year=int(kwb_year),
                region_names=_gemeente_names(part, spec.region_dimension),
                title=spec.title,
            )
        )
    return tables


def read_kwb_merged_csv(path: Path | str, *, registry: Registry = REGISTRY) -> list[ParsedTable]:
    """Read kwb Excel columns merged with "Jongeren met jeugdzorg in natura; wijken".

    The file (``gwb_code_10``, ``year``, kwb Excel names such as ``a_inw``, and the
    OData keys of the jeugdzorg table) gives two tables per year: the kwb table
    and the jeugdzorg-per-wijk table, as the registry names them for that year.
    **Only integer counts are read**: in the 2021 rows of the known extract the
    decimal separator was lost (``17`` for 1.7), so shares and means are left out.
    """
    frame = _read(path, sep=",")
    for needed in ("gwb_code_10", "year"):
        if needed not in frame.columns:
            raise DataError(
                f"The merged kwb file has no {needed!r} column.",
                hint="Expected the kwb + jeugdzorg merge with gwb_code_10 and year.",
                file=str(path),
                column=needed,
            )
    years = pd.to_numeric(frame["year"], errors="raise").astype(int)
    names = dict(zip(clean_keys(frame["gwb_code_10"]), frame.get("regio", ""), strict=True))
    tables = []
    for year in sorted(years.unique()):
        rows = frame[(years == year).to_numpy()]
        kwb = registry.kwb_table(int(year))
        counts = [
            c.excel
            for c in kwb.columns
            if c.excel and c.excel in rows.columns and MEASURES[c.measure].kind == "count"
        ]
        counts = [c for c in counts if rows[c].replace("", None).notna().any()]
        tables.append(
            parse_wide(
                rows,
                table_id=kwb.table_id,
                region_dimension="gwb_code_10",
                period_dimension=None,
                topics=counts,
                year=int(year),
                region_names=names,
                title=kwb.title,
            )
        )
        wijk = next(
            t for t in registry.tables_for("jeugdzorg", int(year), level="wijk") if t.kind != "kwb"
        )
        topics = [
            c
            for c in rows.columns
            if any(MEASURES[m.measure].kind == "count" for m in wijk.columns_for(c))
        ]
        dims = [d for d, _ in wijk.select]
        tables.append(
            parse_wide(
                rows[rows[wijk.region_dimension].str.strip() != ""],
                table_id=wijk.table_id,
                region_dimension=wijk.region_dimension,
                period_dimension=wijk.period_dimension,
                topics=topics,
                dimensions=dims,
                region_names=names,
                title=wijk.title,
            )
        )
    return tables


def _read(path: Path | str, *, sep: str) -> pd.DataFrame:
    """All cells as text ('' for empty), BOM removed; a clear error if unreadable."""
    try:
        return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(
            f"Cannot read {path}: {exc}",
            hint="Is it a CSV file in UTF-8 as downloaded from CBS?",
            file=str(path),
        ) from exc


def _code_of(name: str, lookup: Mapping[str, str]) -> str | None:
    """The code of a region name; ``'Beek (L.)'`` falls back to ``'Beek'``."""
    key = name.casefold()
    if key in lookup:
        return lookup[key]
    return lookup.get(_QUALIFIER.sub("", key))


def _title(header: str) -> str:
    """A StatLine CSV header without its unit: ``'X (% (zie toelichting))'`` -> ``'X'``."""
    match = _UNIT.match(header.strip())
    return match.group("title") if match else header.strip()


def _numeric(values: pd.Series) -> bool:
    try:
        parse_values(values)
    except DataError:
        return False
    return True


def _is_index_column(name: str) -> bool:
    return name == "" or name.startswith("Unnamed:")


def _peildatum_year(value: str, path: Path | str) -> int:
    match = _PEILDATUM.fullmatch(str(value).strip())
    if not match:
        raise DataError(
            f"Cannot read the Peildatum {value!r}.",
            hint="Expected a date like 1-1-2023.",
            file=str(path),
            column="Peildatum",
        )
    return int(match.group(1))


def _one_year_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns one kwb year fills, named by their base where that base is unique.

    A file uniting several years holds each year's own suffixes; the columns of
    other years are empty in this year's rows and are dropped. Within one year a
    base name can occur twice for different variables (``Appartement_49`` and
    ``_56``); those keep their full names.
    """
    filled = list(frame.columns[(frame != "").any(axis=0).to_numpy()])
    bases = [base_name(c) for c in filled]
    names = {c: b if bases.count(b) == 1 else c for c, b in zip(filled, bases, strict=True)}
    return frame[filled].rename(columns=names)


def _gemeente_names(frame: pd.DataFrame, region_dimension: str) -> dict[str, str]:
    """Names of the gemeente rows of a kwb table (its Gemeentenaam column)."""
    if "Gemeentenaam" not in frame.columns or "SoortRegio" not in frame.columns:
        return {}
    gemeente = frame["SoortRegio"].str.strip() == "Gemeente"
    codes = clean_keys(frame.loc[gemeente, region_dimension])
    return dict(zip(codes, frame.loc[gemeente, "Gemeentenaam"].str.strip(), strict=True))


def _check_unresolved(
    frame: pd.DataFrame,
    names: pd.Series,
    codes: pd.Series,
    topics: list[str],
    path: Path | str,
) -> None:
    unresolved = codes.isna()
    if not unresolved.any():
        return
    filled = frame.loc[unresolved, topics].apply(lambda c: c.str.strip() != "").any(axis=1)
    if filled.any():
        bad = names[unresolved][filled.to_numpy()].tolist()
        raise DataError(
            f"No region code for {len(bad)} region name(s) with figures: {', '.join(bad[:5])}.",
            hint="Pass region_codes (name -> code), e.g. the store's regions of that year.",
            file=str(path),
            region=bad[0],
        )
