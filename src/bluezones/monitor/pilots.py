"""The registry of pilot regions and their start years, kept as data.

The package ships ``pilots.toml`` (the six jeugdbeschermingspilots of 2020 and the
proeftuinen that joined in October 2022, with sources). Users extend or override it
with a TOML file of the same shape (:func:`load_pilots`). Before an evaluation,
:func:`resolve_pilots` ties every pilot to a jeugdregio code of the reference year and
checks its start year against the data; the demo country's own pilots come from its
truth table (:func:`demo_pilots`).

A ``[[pilot]]`` entry has ``name`` (as in the region list, or the proeftuin's name with
a ``code``), ``start_year`` (first calendar year treated), and optionally ``code``,
``cohort``, ``note`` and ``enabled`` (``false`` drops a shipped entry).
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from bluezones.errors import ConfigError, DataError

__all__ = [
    "MIN_PRE_YEARS",
    "Pilot",
    "demo_pilots",
    "load_pilots",
    "resolve_pilots",
]

#: Years of data before a start year an evaluation needs at least (one to fix the level,
#: one more to see a trend; fewer and the pre-trend check has nothing to test).
MIN_PRE_YEARS = 2
REGISTRY_FILE = "pilots.toml"
_FIELDS = {"name", "start_year", "code", "cohort", "note", "enabled"}


@dataclass(frozen=True)
class Pilot:
    """One pilot region: the jeugdregio, when it started, which cohort."""

    name: str
    start_year: int
    code: str | None = None
    cohort: str = ""
    note: str = ""


def _key(name: str) -> str:
    """Case-, accent-, space- and hyphen-insensitive form of a region name."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in text if ch.isalnum())


def _entries(data: Mapping[str, Any], source: str) -> list[tuple[Pilot, bool]]:
    raw = data.get("pilot", [])
    if not isinstance(raw, list):
        raise ConfigError(
            "The pilot registry must hold [[pilot]] tables.",
            hint="Write each region as a [[pilot]] table with name and start_year.",
            file=source,
        )
    out = []
    for i, entry in enumerate(raw, start=1):
        unknown = sorted(set(entry) - _FIELDS)
        if unknown or "name" not in entry:
            raise ConfigError(
                f"Pilot entry {i} has unknown fields {unknown} or no name.",
                hint=f"Use only {', '.join(sorted(_FIELDS))}; name is required.",
                file=source,
            )
        enabled = bool(entry.get("enabled", True))
        year = entry.get("start_year")
        if enabled and not isinstance(year, int):
            raise ConfigError(
                f"Pilot {entry['name']!r} needs a whole start_year, got {year!r}.",
                hint="Give the first calendar year the pilot is in effect, e.g. start_year = 2020.",
                file=source,
            )
        pilot = Pilot(
            name=str(entry["name"]),
            start_year=int(year or 0),
            code=entry.get("code"),
            cohort=str(entry.get("cohort", "")),
            note=str(entry.get("note", "")),
        )
        out.append((pilot, enabled))
    return out


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            "The pilot file does not exist.", hint="Check the path.", file=str(path)
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            f"The pilot file is not valid TOML: {error}.",
            hint="Fix the syntax; see the shipped pilots.toml for the shape.",
            file=str(path),
        ) from None


def load_pilots(path: Path | str | None = None, *, shipped: bool = True) -> tuple[Pilot, ...]:
    """The pilot registry: the shipped entries, overridden and extended by ``path``.

    Parameters
    ----------
    path
        A user's TOML file with ``[[pilot]]`` entries. An entry whose name matches a
        shipped one (ignoring case, accents, spaces and hyphens) replaces it;
        ``enabled = false`` removes it; other entries are added.
    shipped
        Start from the shipped registry (default); ``False`` uses the user's file only.

    Returns
    -------
    tuple of Pilot
        In registry order (shipped first, then added ones).
    """
    pilots: dict[str, Pilot] = {}
    if shipped:
        text = resources.files("bluezones.monitor").joinpath(REGISTRY_FILE).read_text("utf-8")
        for pilot, _ in _entries(tomllib.loads(text), REGISTRY_FILE):
            pilots[_key(pilot.name)] = pilot
    if path is not None:
        for pilot, enabled in _entries(_read(Path(path)), str(path)):
            key = _key(pilot.name)
            if not enabled:
                pilots.pop(key, None)
            elif key in pilots:
                pilots[key] = replace(pilot, cohort=pilot.cohort or pilots[key].cohort)
            else:
                pilots[key] = pilot
    return tuple(pilots.values())


def demo_pilots(truth_pilots: pd.DataFrame) -> tuple[Pilot, ...]:
    """The demo country's pilots from its ``demo_truth_pilots`` table (codes JZxx)."""
    first = truth_pilots.drop_duplicates("region_code").sort_values("region_code")
    return tuple(
        Pilot(str(n), int(y), str(c), cohort=f"demo {y}")
        for c, n, y in zip(first["region_code"], first["name"], first["start_year"], strict=True)
    )


def resolve_pilots(
    pilots: Iterable[Pilot],
    regions: pd.DataFrame,
    years: Sequence[int],
    *,
    min_pre_years: int = MIN_PRE_YEARS,
) -> dict[str, int]:
    """Jeugdregio code -> start year, every pilot checked against regions and years.

    Parameters
    ----------
    pilots
        From :func:`load_pilots` or :func:`demo_pilots`.
    regions
        The reference year's region rows (``region_code``, ``level``, ``name``).
    years
        The years with data for the indicator evaluated.
    min_pre_years
        Years of data each pilot needs before its start year.

    Raises
    ------
    ConfigError
        A pilot unknown among the reference year's jeugdregio's, a start year outside
        the data, or too few years before the start; the hint says what to change.
    """
    jz = regions[regions["level"] == "jeugdregio"]
    by_code = dict(zip(jz["region_code"].astype(str), jz["name"].astype(str), strict=True))
    by_name = {_key(n): c for c, n in by_code.items()}
    span = sorted(int(y) for y in years)
    if not span:
        raise DataError("There are no years of data to evaluate.", hint="Load data first.")
    out: dict[str, int] = {}
    for pilot in pilots:
        code = pilot.code if pilot.code is not None else by_name.get(_key(pilot.name))
        if code is None or code not in by_code:
            raise ConfigError(
                f"Pilot {pilot.name!r} is not a jeugdregio of the reference year.",
                hint="Spell it as the region list does, or give its code (code = 'JZxx') in "
                f"your pilot file; known jeugdregio's: {', '.join(sorted(by_code.values()))}.",
                region=pilot.code,
            )
        if not span[0] < pilot.start_year <= span[-1]:
            raise ConfigError(
                f"Pilot {pilot.name!r} starts in {pilot.start_year}, outside the data "
                f"({span[0]}-{span[-1]}).",
                hint="Load more years, or drop the pilot (enabled = false) from your pilot file.",
                region=code,
            )
        pre = sum(1 for y in span if y < pilot.start_year)
        if pre < min_pre_years:
            raise ConfigError(
                f"Pilot {pilot.name!r} has {pre} year(s) of data before its start in "
                f"{pilot.start_year}; at least {min_pre_years} are needed.",
                hint=f"Load years from {pilot.start_year - min_pre_years} on, or leave this "
                "pilot out.",
                region=code,
            )
        out[code] = pilot.start_year
    return out
