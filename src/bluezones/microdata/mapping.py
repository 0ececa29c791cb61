"""The mapping file: which of a researcher's columns is which of ours.

Person-level files inside CBS Remote Access carry CBS's own column names
(``RINPERSOON``, ``GBAGESLACHT``, ``gem2024`` ...) and codes (sex ``1``/``2``,
household type ``1``-``8``). A small TOML file says once how they map to
bluezones' fields, so nothing in the code knows a CBS column name::

    boundary_year = 2024
    regions_from = "demo"
    ignore = ["RINPERSOONS"]

    [columns]
    person = "RINPERSOON"
    year = "jaar"
    gemeente = "gem2024"
    wijk = "wc2024"
    age = "leeftijd"
    sex = "GBAGESLACHT"
    household = "TYPHH"
    income_percentile = "INHP100HBEST"
    parent_psych = "OUDER_GGZ"

    [care]
    jeugdhulp = "JEUGDHULP"

    [codes.sex]
    man = ["1"]
    vrouw = ["2"]

    [codes.household]
    paar = ["4", "5"]
    eenouder = ["6"]
    overig = ["1", "2", "3", "7", "8"]

:func:`load_mapping` reads and checks it (unknown keys, missing required
fields, unknown care measures, incomplete code lists) and returns a frozen
:class:`Mapping`. docs/microdata.md documents every key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bluezones.errors import ConfigError
from bluezones.indicators import MEASURES
from bluezones.sources.validate import closest

__all__ = [
    "CARE_MEASURES",
    "CODED_FIELDS",
    "FIELDS",
    "OPTIONAL_FIELDS",
    "REQUIRED_FIELDS",
    "Mapping",
    "load_mapping",
    "parse_mapping",
]

# Our person-level fields: required ones, then optional characteristics.
REQUIRED_FIELDS = ("person", "year", "gemeente", "age", "sex")
OPTIONAL_FIELDS = ("wijk", "household", "income_percentile", "parent_psych")
FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS
# Fields whose raw codes are translated by a [codes.<field>] table, with our values.
CODED_FIELDS: dict[str, tuple[str, ...]] = {
    "sex": ("man", "vrouw"),
    "household": ("paar", "eenouder", "overig"),
}
# Care flags a file may carry: the count measures of bluezones.indicators they fill.
CARE_MEASURES = (
    "jeugdhulp",
    "jeugdhulp_zonder_verblijf",
    "jeugdhulp_met_verblijf",
    "jeugdbescherming",
    "ots",
    "jeugdreclassering",
    "uithuisplaatsing",
    "jeugdzorg",
)
_TOP_KEYS = (
    "boundary_year",
    "regions_from",
    "ignore",
    "columns",
    "care",
    "codes",
    "dataset",
    "area",
    "year_from_file_name",
)
DEFAULT_REGIONS_FROM = "cbs"


@dataclass(frozen=True)
class Mapping:
    """A checked mapping from a researcher's columns to bluezones' fields.

    Attributes
    ----------
    columns
        Our field -> their column, for the fields present (``person``, ``year``,
        ``gemeente``, ``age``, ``sex`` always).
    care
        Our care measure -> their 0/1 flag column.
    codes
        Per coded field, their code (as text) -> our value.
    boundary_year
        The year whose gemeente and wijk boundaries every code is on.
    regions_from
        The dataset in the store whose region lists (and maps) of
        ``boundary_year`` the codes are checked against.
    ignore
        Their columns bluezones does not use; any other unmapped column is an error.
    dataset
        Default dataset name in the store (the CLI's ``--dataset`` overrides it).
    year_from_file_name
        Files without a year column (one file per year, as often in RA): the
        year is the four-digit number in each file's name (``jeugd2022.sav``).
    area_dataset, area_covariates
        Area characteristics the persons' records lack (urbanity, migration,
        ...): formula terms over measures of that dataset's facts harmonised
        to ``boundary_year``, added to the model beside the person patterns.
    source
        The file the mapping was read from, for messages.
    """

    columns: dict[str, str]
    care: dict[str, str]
    codes: dict[str, dict[str, str]]
    boundary_year: int
    regions_from: str = DEFAULT_REGIONS_FROM
    ignore: tuple[str, ...] = ()
    dataset: str | None = None
    area_dataset: str | None = None
    area_covariates: tuple[str, ...] = ()
    year_from_file_name: bool = False
    source: str | None = field(default=None, compare=False)

    def used_columns(self) -> list[str]:
        """Every column of theirs we read, in a stable order."""
        return [*self.columns.values(), *self.care.values()]

    def has(self, name: str) -> bool:
        return name in self.columns

    def to_dict(self) -> dict[str, Any]:
        return {
            "boundary_year": self.boundary_year,
            "regions_from": self.regions_from,
            "ignore": list(self.ignore),
            "columns": dict(self.columns),
            "care": dict(self.care),
            "codes": {k: dict(v) for k, v in self.codes.items()},
            "dataset": self.dataset,
            "year_from_file_name": self.year_from_file_name,
            "area": {"dataset": self.area_dataset, "covariates": list(self.area_covariates)},
        }


def load_mapping(path: Path | str) -> Mapping:
    """Read and check a mapping file (TOML)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"The mapping file {path} does not exist.",
            hint="Write one as in docs/microdata.md, or give its path with --mapping.",
            file=str(path),
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"The mapping file is not valid TOML: {exc}",
            hint="Compare it with the example in docs/microdata.md.",
            file=str(path),
        ) from exc
    return parse_mapping(data, source=str(path))


def parse_mapping(data: dict[str, Any], *, source: str | None = None) -> Mapping:
    """Check a mapping given as a dict (the parsed TOML)."""
    _unknown_keys(data, _TOP_KEYS, "", source)
    year = data.get("boundary_year")
    if not isinstance(year, int) or not 1990 <= year <= 2100:
        raise ConfigError(
            f"boundary_year must be a year such as 2024, got {year!r}.",
            hint="Give the year whose gemeente and wijk boundaries the codes in the files follow.",
            file=source,
        )
    columns = _string_table(data.get("columns"), "columns", source)
    _unknown_keys(columns, FIELDS, "columns.", source)
    from_name = data.get("year_from_file_name", False)
    if not isinstance(from_name, bool):
        raise ConfigError("year_from_file_name must be true or false.", file=source)
    if from_name and "year" in columns:
        raise ConfigError(
            "The mapping gives both a year column and year_from_file_name.",
            hint="Keep one: the column when the files have one, else the file names.",
            file=source,
        )
    needed = [f for f in REQUIRED_FIELDS if not (f == "year" and from_name)]
    missing = [f for f in needed if f not in columns]
    if missing:
        raise ConfigError(
            f"The mapping has no column for {', '.join(missing)}.",
            hint='Add them under [columns], e.g. person = "RINPERSOON" (docs/microdata.md).',
            file=source,
        )
    care = _string_table(data.get("care"), "care", source)
    _unknown_keys(care, CARE_MEASURES, "care.", source)
    if not care:
        raise ConfigError(
            "The mapping names no care flag column.",
            hint='Add at least one under [care], e.g. jeugdhulp = "JEUGDHULP".',
            file=source,
        )
    codes = _codes(data.get("codes") or {}, columns, source)
    ignore = data.get("ignore") or []
    if not isinstance(ignore, list) or not all(isinstance(c, str) for c in ignore):
        raise ConfigError("ignore must be a list of column names.", file=source)
    theirs = [*columns.values(), *care.values()]
    doubled = sorted({c for c in theirs if theirs.count(c) > 1})
    if doubled:
        raise ConfigError(
            f"Column {doubled[0]!r} is mapped to two fields.",
            hint="Each of your columns can fill one field only.",
            file=source,
            column=doubled[0],
        )
    regions_from = data.get("regions_from", DEFAULT_REGIONS_FROM)
    dataset = data.get("dataset")
    for key, value in (("regions_from", regions_from), ("dataset", dataset)):
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{key} must be a dataset name.", file=source)
    area_dataset, area_covariates = _area(data.get("area"), source)
    return Mapping(
        columns=columns,
        care=care,
        codes=codes,
        boundary_year=year,
        regions_from=regions_from,
        ignore=tuple(ignore),
        dataset=dataset,
        area_dataset=area_dataset,
        area_covariates=area_covariates,
        year_from_file_name=from_name,
        source=source,
    )


def _area(data: Any, source: str | None) -> tuple[str | None, tuple[str, ...]]:
    """The optional [area] table: dataset and covariate terms over its measures."""
    if data is None:
        return None, ()
    if not isinstance(data, dict):
        raise ConfigError("[area] must be a table with dataset and covariates.", file=source)
    _unknown_keys(data, ("dataset", "covariates"), "area.", source)
    dataset, terms = data.get("dataset"), data.get("covariates") or []
    if not isinstance(dataset, str) or not isinstance(terms, list) or not terms:
        raise ConfigError(
            '[area] needs dataset = "NAME" and a list of covariates.',
            hint='e.g. dataset = "cbs" and covariates = ["pct_migration_nonwestern"].',
            file=source,
        )
    for term in terms:
        if not isinstance(term, str) or not any(
            re.search(rf"(?<![A-Za-z0-9_]){name}(?![A-Za-z0-9_])", term) for name in MEASURES
        ):
            guess = closest(str(term), MEASURES)
            raise ConfigError(
                f"Area covariate {term!r} uses no known measure.",
                hint=(f"Did you mean {guess!r}? " if guess else "")
                + "Write terms over measure names, e.g. 'np.log(address_density)'.",
                file=source,
            )
    return dataset, tuple(terms)


def _string_table(value: Any, name: str, source: str | None) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(
            f"[{name}] must map our names to your column names (text).",
            hint='Write lines such as person = "RINPERSOON".',
            file=source,
        )
    return dict(value)


def _codes(data: Any, columns: dict[str, str], source: str | None) -> dict[str, dict[str, str]]:
    if not isinstance(data, dict):
        raise ConfigError("[codes] must hold one table per coded field.", file=source)
    _unknown_keys(data, tuple(CODED_FIELDS), "codes.", source)
    out: dict[str, dict[str, str]] = {}
    for name, ours in CODED_FIELDS.items():
        if name not in columns:
            continue
        table = data.get(name)
        if not isinstance(table, dict) or not table:
            raise ConfigError(
                f"The mapping has no [codes.{name}] table saying what your {name} codes mean.",
                hint=f"Add it, listing your codes for each of: {', '.join(ours)}.",
                file=source,
            )
        _unknown_keys(table, ours, f"codes.{name}.", source)
        lookup: dict[str, str] = {}
        for value, raw in table.items():
            items = raw if isinstance(raw, list) else [raw]
            for code in items:
                text = str(code).strip()
                if text in lookup:
                    raise ConfigError(
                        f"Code {text!r} of {name} is listed twice.",
                        hint="Each of your codes can mean one value only.",
                        file=source,
                    )
                lookup[text] = value
        out[name] = lookup
    return out


def _unknown_keys(
    data: dict[str, Any], known: tuple[str, ...], prefix: str, source: str | None
) -> None:
    for key in data:
        if key not in known:
            guess = closest(key, known)
            raise ConfigError(
                f"Unknown key {prefix}{key} in the mapping.",
                hint=(f"Did you mean {prefix}{guess}? " if guess else "")
                + f"Known keys: {', '.join(known)}.",
                file=source,
            )
