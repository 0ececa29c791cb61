"""One error root with a subclass per stage of the data road.

Every error carries the context a user needs to find the problem (file, row,
column, region code, table ID) and, where we know it, a hint that says what to
change. The CLI maps ``BlueZonesError`` to a non-zero exit code and prints
``str(error)``; nothing else is needed to make a message readable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "BlueZonesError",
    "CBSError",
    "ConfigError",
    "DataError",
    "DetectError",
    "ModelError",
    "RegionError",
    "SourceError",
    "StoreError",
]

# The order in which context appears in a message; anything else follows alphabetically.
_CONTEXT_ORDER = ("file", "table", "sheet", "row", "column", "region", "year", "measure")


class BlueZonesError(Exception):
    """Root of every error bluezones raises on purpose.

    Parameters
    ----------
    message
        What went wrong, in one sentence.
    hint
        What the user can do about it.
    **context
        Where it went wrong: ``file=``, ``row=``, ``column=``, ``region=``,
        ``table=`` and so on. ``None`` values are left out.
    """

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None, **context: Any) -> None:
        self.message = message
        self.hint = hint
        self.context: dict[str, Any] = {k: v for k, v in context.items() if v is not None}
        super().__init__(self._render())

    def _render(self) -> str:
        parts = [self.message]
        if self.context:
            parts.append(f"({_format_context(self.context)})")
        text = " ".join(parts)
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


def _format_context(context: Mapping[str, Any]) -> str:
    order = {key: i for i, key in enumerate(_CONTEXT_ORDER)}
    keys = sorted(context, key=lambda k: (order.get(k, len(order)), k))
    return ", ".join(f"{key}: {context[key]}" for key in keys)


class ConfigError(BlueZonesError):
    """A setting is missing or invalid."""


class SourceError(BlueZonesError):
    """Data could not be obtained from a source (CBS, a file, microdata)."""


class CBSError(SourceError):
    """The CBS StatLine API answered with something we cannot use."""


class DataError(SourceError):
    """Input data is malformed: wrong columns, codes, values or encoding."""


class StoreError(BlueZonesError):
    """The local store cannot be opened, read or written."""


class RegionError(BlueZonesError):
    """A region code is malformed or unknown, or a crosswalk is inconsistent."""


class ModelError(BlueZonesError):
    """A model cannot be specified or fitted as asked (bad spec, singular design, ...)."""


class DetectError(BlueZonesError):
    """Detection cannot run as asked (too few years, no expected values, ...)."""
