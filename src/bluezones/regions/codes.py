"""Region codes as CBS writes them, validated at the boundary.

========  ==============  ====================================================
level     pattern         example
========  ==============  ====================================================
land      ``NL01``        Nederland (CBS also writes ``NL00``)
jeugdregio ``JZ`` + 2     ``JZ13`` (jeugdzorgregio)
gemeente  ``GM`` + 4      ``GM0363``
wijk      ``WK`` + 6      ``WK036300``; since 2022 Amsterdam uses letters:
                          ``WK0363MJ``
buurt     ``BU`` + 8      ``BU03630000``
========  ==============  ====================================================

CBS pads keys to 10 characters (``'GM0014    '``); :func:`normalise_code`
strips that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from bluezones.errors import RegionError

__all__ = [
    "LEVELS",
    "Level",
    "check_code",
    "check_codes",
    "gemeente_of",
    "level_of",
    "normalise_code",
]

Level = Literal["land", "jeugdregio", "gemeente", "wijk", "buurt"]
LEVELS: tuple[Level, ...] = ("land", "jeugdregio", "gemeente", "wijk", "buurt")

_PATTERNS: dict[Level, re.Pattern[str]] = {
    "land": re.compile(r"NL0[01]"),
    "jeugdregio": re.compile(r"JZ\d{2}"),
    "gemeente": re.compile(r"GM\d{4}"),
    "wijk": re.compile(r"WK\d{4}[0-9A-Z]{2}"),
    "buurt": re.compile(r"BU\d{4}[0-9A-Z]{4}"),
}
_EXAMPLE: dict[Level, str] = {
    "land": "NL00",
    "jeugdregio": "JZ13",
    "gemeente": "GM0363",
    "wijk": "WK036300",
    "buurt": "BU03630000",
}


def normalise_code(raw: object) -> str:
    """Strip CBS padding and upper-case a code (``' gm0014   '`` -> ``'GM0014'``)."""
    return str(raw).strip().upper()


def level_of(code: str) -> Level | None:
    """The level of a well-formed code, or ``None`` if it matches no pattern.

    >>> level_of("WK036300"), level_of("GM0363"), level_of("GM363")
    ('wijk', 'gemeente', None)
    """
    for level, pattern in _PATTERNS.items():
        if pattern.fullmatch(code):
            return level
    return None


def check_code(raw: object, level: Level | None = None, **where: object) -> str:
    """Return the normalised code, or raise :class:`RegionError` saying what is wrong.

    ``where`` is context for the message (``file=``, ``row=``, ``column=``).
    """
    code = normalise_code(raw)
    found = level_of(code)
    if found is None:
        expected = _EXAMPLE[level] if level else "GM0363, WK036300 or BU03630000"
        raise RegionError(
            f"Malformed region code {str(raw)!r}.",
            hint=f"Use a CBS code such as {expected}.",
            region=str(raw),
            **where,
        )
    if level is not None and found != level:
        raise RegionError(
            f"Region code {code!r} is a {found} code where a {level} code is expected.",
            hint=f"Use a {level} code such as {_EXAMPLE[level]}.",
            region=code,
            **where,
        )
    return code


def check_codes(
    raws: Iterable[object], level: Level | None = None, *, first_row: int = 1, **where: object
) -> list[str]:
    """Normalise and check many codes; the error names the first bad one and its row."""
    return [check_code(raw, level, row=first_row + i, **where) for i, raw in enumerate(raws)]


def gemeente_of(code: str) -> str:
    """The gemeente code a wijk or buurt code belongs to (``WK036300`` -> ``GM0363``).

    >>> gemeente_of("BU03630000")
    'GM0363'
    """
    level = level_of(code)
    if level == "gemeente":
        return code
    if level in ("wijk", "buurt"):
        return "GM" + code[2:6]
    raise RegionError(
        f"Region code {code!r} does not belong to one gemeente.",
        hint="Give a gemeente, wijk or buurt code.",
        region=code,
    )
