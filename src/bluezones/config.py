"""Settings: one immutable record, each setting declared once with its help text.

Values come from (in order of precedence) explicit arguments, environment
variables ``BLUEZONES_<NAME>`` and the defaults below. ``Settings.describe()``
lists every setting with its help; the README's settings table is checked
against it by a test.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from bluezones.errors import ConfigError

__all__ = ["Settings", "default_store_path"]

ENV_PREFIX = "BLUEZONES_"


def default_store_path() -> Path:
    """The per-user default location of the DuckDB store."""
    return Path(platformdirs.user_data_dir("bluezones", appauthor=False)) / "bluezones.duckdb"


def _setting(default: Any, help: str, **kwargs: Any) -> Any:
    return field(default=default, metadata={"help": help}, **kwargs)


@dataclass(frozen=True)
class Settings:
    """All settings of bluezones; build with :meth:`from_env`."""

    # --- store -------------------------------------------------------------
    store: Path = field(
        default_factory=default_store_path,
        metadata={"help": "Path of the DuckDB store file (default: a per-user data folder)."},
    )

    # --- CBS StatLine ------------------------------------------------------
    cbs_v3_url: str = _setting(
        "https://opendata.cbs.nl/ODataApi/odata",
        "Base URL of the CBS OData v3 API (metadata and TypedDataSet).",
    )
    cbs_feed_url: str = _setting(
        "https://opendata.cbs.nl/ODataFeed/odata",
        "Base URL of the CBS OData v3 bulk feed (pages via odata.nextLink).",
    )
    cbs_v4_url: str = _setting(
        "https://datasets.cbs.nl/odata/v1/CBS",
        "Base URL of the CBS OData v4 API (Observations).",
    )
    http_timeout: float = _setting(60.0, "Seconds before an HTTP request to CBS times out.")
    http_retries: int = _setting(4, "How often a failed request (5xx, timeout) is retried.")
    http_backoff: float = _setting(
        1.0, "First wait in seconds before a retry; doubles on each further retry."
    )

    # --- analysis ----------------------------------------------------------
    reference_year: int = _setting(
        2024, "Boundary year to which all years are harmonised (herindeling)."
    )
    seed: int = _setting(20190101, "Seed for the demo country and every random step.")
    language: str = _setting("nl", "Language of messages, pages and reports: nl or en.")

    # --- disclosure control (microdata) -------------------------------------
    min_cell: int = _setting(
        10,
        "Minimum persons per published cell for microdata datasets (disclosure control); "
        "never below the minimum recorded when the data were loaded.",
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``BLUEZONES_*`` environment variables, then ``overrides``."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _convert(f, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.language not in ("nl", "en"):
            raise ConfigError(
                f"Unknown language {self.language!r}.", hint="Use 'nl' or 'en'.", setting="language"
            )
        if self.http_retries < 0 or self.http_timeout <= 0 or self.http_backoff < 0:
            raise ConfigError(
                "HTTP retries, timeout and backoff must be positive.",
                hint="Check BLUEZONES_HTTP_RETRIES, _TIMEOUT and _BACKOFF.",
            )
        if self.min_cell < 1:
            raise ConfigError(
                f"The minimum cell count must be at least 1, not {self.min_cell}.",
                hint="CBS's usual rule is 10; check BLUEZONES_MIN_CELL.",
                setting="min_cell",
            )

    @classmethod
    def describe(cls) -> list[tuple[str, str]]:
        """(environment variable, help) for every setting."""
        return [(ENV_PREFIX + f.name.upper(), f.metadata["help"]) for f in dataclasses.fields(cls)]


def _convert(f: dataclasses.Field[Any], raw: str) -> Any:
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    word = {"int": "a whole number", "float": "a number", "Path": "a path"}.get(kind, kind)
    try:
        if kind == "Path":
            return Path(raw).expanduser()
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        raise ConfigError(
            f"Setting {ENV_PREFIX + f.name.upper()} has value {raw!r}, which is not {word}.",
            hint=f"Give {word}.",
        ) from None
    return raw
