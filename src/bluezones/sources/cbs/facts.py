"""From a parsed CBS table to the store's tidy facts and region list.

The registry says which column (and which category of a further dimension)
gives which measure; :func:`to_facts` applies that to a :class:`ParsedTable`
and :func:`to_regions` lists the regions found, per year, with their level.
Only yearly figures become facts: the store holds one value per region, year
and measure.
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from bluezones.errors import DataError
from bluezones.indicators import MEASURES
from bluezones.regions.codes import gemeente_of, level_of
from bluezones.sources.cbs.odata import ParsedTable
from bluezones.sources.cbs.registry import REGISTRY, Registry, TableSpec
from bluezones.store import FACT_COLUMNS, TABLE_SCHEMAS

__all__ = ["missing_columns", "to_facts", "to_regions"]

_REGION_COLUMNS = tuple(TABLE_SCHEMAS["regions"])
_FACT_KEY = ["dataset", "region_code", "year", "measure"]


def to_facts(
    parsed: ParsedTable,
    *,
    spec: TableSpec | None = None,
    registry: Registry = REGISTRY,
    dataset: str = "cbs",
    source: str | None = None,
    kinds: Collection[str] | None = None,
) -> pd.DataFrame:
    """Tidy facts (``FACT_COLUMNS``) of the mapped columns of a parsed table.

    Parameters
    ----------
    parsed
        The table, from the client or a file reader.
    spec
        Its registry entry; by default looked up by ``parsed.table_id``.
    dataset, source
        Written into every fact; ``source`` defaults to the table ID.
    kinds
        Keep only measures of these kinds (``count``, ``share``, ``mean``), for
        files whose decimals cannot be trusted.

    Missing cells keep their status (``suppressed``/``missing``) and a NULL value;
    figures of a provisional period get status ``provisional``. Regions whose code
    is not a land, jeugdregio, gemeente, wijk or buurt code (provinces, COROP) are
    left out.
    """
    spec = spec or registry.table(parsed.table_id)
    obs = _yearly(parsed, spec)
    parts = []
    for topic in obs["topic"].unique():
        for column in spec.columns_for(topic, parsed.topic_titles.get(topic)):
            if kinds is not None and MEASURES[column.measure].kind not in kinds:
                continue
            part = obs[obs["topic"] == topic]
            part = _select(part, parsed, column.where)
            parts.append(part.assign(measure=column.measure))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in FACT_COLUMNS})
    facts = pd.concat(parts, ignore_index=True)
    facts["status"] = facts["status"].astype(object).where(facts["status"].notna(), None)
    provisional = facts["provisional"].to_numpy(dtype=bool) & facts["status"].isna().to_numpy()
    facts.loc[provisional, "status"] = "provisional"
    facts = facts.assign(dataset=dataset, source=source or parsed.table_id)
    facts = facts[list(FACT_COLUMNS)].reset_index(drop=True)
    facts["year"] = facts["year"].astype("int64")
    _check_unique(facts, spec)
    return facts


def to_regions(parsed: ParsedTable, *, spec: TableSpec, dataset: str = "cbs") -> pd.DataFrame:
    """The regions of a table, one row per (year, region), in the store's ``regions`` shape."""
    obs = _yearly(parsed, spec)
    pairs = obs[["region_code", "year"]].drop_duplicates()
    names = dict(zip(parsed.regions["region_code"], parsed.regions["name"], strict=True))
    level = pairs["region_code"].map(level_of)
    regions = pd.DataFrame(
        {
            "dataset": dataset,
            "year": pairs["year"].astype("int64"),
            "region_code": pairs["region_code"],
            "level": level,
            "name": pairs["region_code"].map(lambda c: names.get(c) or None),
            "gemeente_code": [
                gemeente_of(c) if lv in ("gemeente", "wijk", "buurt") else None
                for c, lv in zip(pairs["region_code"], level, strict=True)
            ],
            "jeugdregio_code": None,
        }
    )
    return regions[list(_REGION_COLUMNS)].reset_index(drop=True)


def missing_columns(parsed: ParsedTable, spec: TableSpec) -> list[str]:
    """Registry columns of ``spec`` that the parsed table does not have."""
    topics = parsed.observations["topic"].unique()
    titles = parsed.topic_titles
    return sorted(
        {c.column for c in spec.columns if not any(c.matches(t, titles.get(t)) for t in topics)}
    )


def _yearly(parsed: ParsedTable, spec: TableSpec) -> pd.DataFrame:
    """Yearly observations of recognised regions, filtered by the table's ``select``."""
    obs = parsed.observations
    obs = obs[(obs["period_kind"] == "year") & obs["region_code"].map(level_of).notna()]
    return _select(obs, parsed, spec.select)


def _select(
    obs: pd.DataFrame, parsed: ParsedTable, where: tuple[tuple[str, str], ...]
) -> pd.DataFrame:
    """Rows whose dimension ``dim`` has key or title ``wanted``, for each (dim, wanted)."""
    for dim, wanted in where:
        if dim not in obs.columns:
            raise DataError(
                f"Table {parsed.table_id} has no dimension {dim!r} to select {wanted!r} from.",
                hint="Fix the table's 'select'/'where' in the registry.",
                table=parsed.table_id,
                column=dim,
            )
        titles = parsed.dimension_titles.get(dim, {})
        target = wanted.strip().casefold()
        keys = {k for k, t in titles.items() if target in (k.casefold(), t.casefold())}
        keys.add(wanted.strip())
        obs = obs[obs[dim].isin(keys)]
    return obs


def _check_unique(facts: pd.DataFrame, spec: TableSpec) -> None:
    dup = facts.duplicated(_FACT_KEY, keep=False)
    if dup.any():
        first = facts.loc[dup].iloc[0]
        raise DataError(
            f"Table {spec.table_id} gives {first['measure']} twice for one region and year.",
            hint="The table has a further dimension; choose one category with 'select' or "
            "'where' in the registry.",
            table=spec.table_id,
            region=first["region_code"],
            year=int(first["year"]),
            measure=first["measure"],
        )
