"""The table registry: which CBS StatLine table holds which measure for which year.

The registry is data, not code: ``tables.toml`` beside this module lists every
table ID bluezones knows, with its years, levels, dimensions and the mapping
from CBS column keys to measures of :data:`bluezones.indicators.MEASURES`.
CBS renumbers the columns of a table every year
(``JongerenMetJeugdzorgInNatura_84`` in 2018, ``_96`` in 2023), so a mapping
names the column without its ``_NN`` suffix and matches on that.

>>> REGISTRY.kwb_table(2024).table_id
'85984NED'
>>> [t.table_id for t in REGISTRY.tables_for("jeugdzorg", 2022, level="wijk")]
['85335NED', '85318NED']
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from bluezones.errors import CBSError, ConfigError
from bluezones.indicators import MEASURES
from bluezones.regions.codes import LEVELS, Level
from bluezones.sources.cbs.odata import base_name

__all__ = ["REGISTRY", "ColumnMap", "Registry", "TableSpec"]

Api = Literal["v3", "v4"]
_APIS = ("v3", "v4")


@dataclass(frozen=True)
class ColumnMap:
    """One CBS column (optionally one category of a dimension) that gives a measure."""

    column: str
    measure: str
    title: str | None = None  # header of a StatLine CSV download, without the unit
    excel: str | None = None  # name in CBS's kwb Excel files
    where: tuple[tuple[str, str], ...] = ()  # (dimension, key or title)

    def matches(self, topic: str, title: str | None = None) -> bool:
        """Whether a table column is this one: by key without suffix, CSV title or Excel name.

        ``title`` is the column's own title where the table gives one (v4 measures).
        """
        if base_name(topic).casefold() == self.column.casefold():
            return True
        aliases = {n.strip().casefold() for n in (self.title, self.excel) if n}
        return bool(aliases & {t.strip().casefold() for t in (topic, title) if t})


@dataclass(frozen=True)
class TableSpec:
    """What bluezones knows of one CBS table."""

    table_id: str
    title: str
    years: tuple[int, int]
    levels: tuple[Level, ...]
    region_dimension: str
    period_dimension: str | None
    columns: tuple[ColumnMap, ...] = ()
    select: tuple[tuple[str, str], ...] = ()
    api: Api = "v3"
    precedence: int = 0
    kind: str = "table"
    verified: bool = False
    note: str = ""

    def covers(self, year: int) -> bool:
        return self.years[0] <= year <= self.years[1]

    @property
    def single_year(self) -> int | None:
        """The year of a table without a period dimension (the kwb tables)."""
        return self.years[0] if self.period_dimension is None else None

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.measure for c in self.columns))

    def columns_for(self, topic: str, title: str | None = None) -> list[ColumnMap]:
        """The mappings of a table column (a key with suffix, a CSV title or an Excel name)."""
        return [c for c in self.columns if c.matches(topic, title)]


@dataclass(frozen=True)
class Registry:
    """All known tables, looked up by ID, measure and year."""

    tables: Mapping[str, TableSpec] = field(default_factory=dict)

    @classmethod
    def from_specs(cls, specs: Iterable[TableSpec]) -> Registry:
        return cls({spec.table_id: spec for spec in specs})

    @classmethod
    def load(cls, path: Path | str | None = None) -> Registry:
        """Read a registry file; by default the one shipped with bluezones."""
        if path is None:
            text = resources.files(__package__).joinpath("tables.toml").read_text("utf-8")
            where = "tables.toml"
        else:
            text, where = Path(path).read_text("utf-8"), str(path)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"The table registry is not valid TOML: {exc}", file=where) from exc
        return cls.from_specs(_specs(data, where))

    # --- lookups -------------------------------------------------------------
    def __contains__(self, table_id: object) -> bool:
        return isinstance(table_id, str) and table_id.strip().upper() in self.tables

    def __iter__(self) -> Iterator[TableSpec]:
        return iter(sorted(self.tables.values(), key=lambda t: (t.kind, t.years, t.table_id)))

    def __len__(self) -> int:
        return len(self.tables)

    def table(self, table_id: str) -> TableSpec:
        """The spec of ``table_id``; a clear error if bluezones does not know it."""
        key = table_id.strip().upper()
        if key not in self.tables:
            raise CBSError(
                f"Table {table_id} is not in the bluezones table registry.",
                hint="List the known tables with 'bluezones tables', or add the table to "
                "the registry (tables.toml) with its columns and measures.",
                table=table_id,
            )
        return self.tables[key]

    def tables_for(self, measure: str, year: int, *, level: Level | None = None) -> list[TableSpec]:
        """Tables giving ``measure`` for ``year`` (and ``level``), best first."""
        found = [
            t
            for t in self.tables.values()
            if measure in t.measures and t.covers(year) and (level is None or level in t.levels)
        ]
        return sorted(found, key=lambda t: (-t.precedence, t.table_id))

    def kwb_table(self, year: int) -> TableSpec:
        """The "Kerncijfers wijken en buurten" table of ``year``."""
        for spec in self.tables.values():
            if spec.kind == "kwb" and spec.covers(year):
                return spec
        years = sorted(t.years[0] for t in self.tables.values() if t.kind == "kwb")
        raise CBSError(
            f"No 'Kerncijfers wijken en buurten' table is registered for {year}.",
            hint=f"Registered years: {years[0]}-{years[-1]}.",
            year=year,
        )

    def precedence(self, table_id: str) -> int:
        """Precedence of a source; sources outside the registry rank below all tables."""
        spec = self.tables.get(table_id)
        return -1 if spec is None else spec.precedence

    def to_frame(self) -> pd.DataFrame:
        """One row per table, for listing (``bluezones tables``)."""
        rows = [
            {
                "table_id": t.table_id,
                "title": t.title,
                "first_year": t.years[0],
                "last_year": t.years[1],
                "levels": ", ".join(t.levels),
                "measures": ", ".join(t.measures),
                "verified": t.verified,
                "note": t.note,
            }
            for t in self
        ]
        return pd.DataFrame(rows)


def _specs(data: Mapping[str, Any], where: str) -> list[TableSpec]:
    column_sets = {
        name: [_column(c, where, name) for c in body.get("columns", [])]
        for name, body in data.get("column_sets", {}).items()
    }
    specs = []
    for table_id, body in data.get("tables", {}).items():
        specs.append(_spec(table_id, body, column_sets, where))
    return specs


def _spec(
    table_id: str, body: Mapping[str, Any], column_sets: Mapping[str, list[ColumnMap]], where: str
) -> TableSpec:
    def bad(message: str) -> ConfigError:
        return ConfigError(message, file=where, table=table_id, hint="Fix the registry entry.")

    if "column_set" in body:
        if body["column_set"] not in column_sets:
            raise bad(f"Unknown column_set {body['column_set']!r}.")
        columns = column_sets[body["column_set"]]
    else:
        columns = [_column(c, where, table_id) for c in body.get("columns", [])]
    years = tuple(int(y) for y in body.get("years", ()))
    if len(years) != 2 or years[0] > years[1]:
        raise bad("'years' must be [first, last] with first <= last.")
    levels = tuple(body.get("levels", ()))
    if not levels or any(level not in LEVELS for level in levels):
        raise bad(f"'levels' must be a non-empty list of {', '.join(LEVELS)}.")
    api = body.get("api", "v3")
    if api not in _APIS:
        raise bad(f"'api' must be one of {_APIS}.")
    period = body.get("period_dimension") or None
    if period is None and years[0] != years[1]:
        raise bad("A table without a period dimension must cover exactly one year.")
    return TableSpec(
        table_id=table_id.upper(),
        title=body.get("title", table_id),
        years=(years[0], years[1]),
        levels=levels,
        region_dimension=body.get("region_dimension", "RegioS"),
        period_dimension=period,
        columns=tuple(columns),
        select=tuple(sorted(body.get("select", {}).items())),
        api=api,
        precedence=int(body.get("precedence", 0)),
        kind=body.get("kind", "table"),
        verified=bool(body.get("verified", False)),
        note=body.get("note", ""),
    )


def _column(body: Mapping[str, Any], where: str, owner: str) -> ColumnMap:
    measure = body.get("measure")
    if measure not in MEASURES:
        raise ConfigError(
            f"Registry column {body.get('column')!r} maps to unknown measure {measure!r}.",
            hint="Use a measure of bluezones.indicators.MEASURES.",
            file=where,
            table=owner,
        )
    return ColumnMap(
        column=base_name(body["column"]),
        measure=measure,
        title=body.get("title"),
        excel=body.get("excel"),
        where=tuple(sorted(body.get("where", {}).items())),
    )


REGISTRY = Registry.load()
