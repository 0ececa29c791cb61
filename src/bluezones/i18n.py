"""Texts a policy user reads, in Dutch first and English on request.

One catalogue, keyed by message id; :func:`text` picks the language and fills
in the fields. A test checks that every message has both languages and the
same fields in each.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["LANGUAGES", "MESSAGES", "Language", "text"]

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = ("nl", "en")

MESSAGES: dict[str, dict[Language, str]] = {
    "error": {"nl": "Fout: {message}", "en": "Error: {message}"},
    "demo.generating": {
        "nl": "Demoland maken (seed {seed})",
        "en": "Generating the demo country (seed {seed})",
    },
    "demo.done": {
        "nl": "Demoland in de store gezet: {gemeenten} gemeenten, {wijken} wijken, "
        "{regions} jeugdregio's, jaren {first}-{last} ({facts} cijfers).",
        "en": "Demo country stored: {gemeenten} gemeenten, {wijken} wijken, "
        "{regions} youth-care regions, years {first}-{last} ({facts} figures).",
    },
    "demo.written": {
        "nl": "Bestanden en grondwaarheid geschreven naar {folder}",
        "en": "Files and ground truth written to {folder}",
    },
    "store.location": {"nl": "Store: {path}", "en": "Store: {path}"},
    "status.empty": {
        "nl": "De store is leeg. Begin met 'bluezones demo' of 'bluezones fetch'.",
        "en": "The store is empty. Start with 'bluezones demo' or 'bluezones fetch'.",
    },
    "status.datasets": {"nl": "Datasets", "en": "Datasets"},
    "status.snapshots": {"nl": "Opgehaalde tabellen (CBS)", "en": "Fetched tables (CBS)"},
    "status.derived": {"nl": "Afgeleide tabellen", "en": "Derived tables"},
    "fetch.unchanged": {
        "nl": "{table}: ongewijzigd sinds {modified}, niets gedownload.",
        "en": "{table}: unchanged since {modified}, nothing downloaded.",
    },
    "fetch.done": {
        "nl": "{table}: {rows} rijen opgehaald, {facts} cijfers opgeslagen (gewijzigd {modified}).",
        "en": "{table}: {rows} rows fetched, {facts} figures stored (modified {modified}).",
    },
    "load.done": {
        "nl": "{file}: {facts} cijfers geladen in dataset '{dataset}'.",
        "en": "{file}: {facts} figures loaded into dataset '{dataset}'.",
    },
    "harmonise.done": {
        "nl": "Dataset '{dataset}' omgezet naar de indeling van {year}: {facts} cijfers.",
        "en": "Dataset '{dataset}' harmonised to the {year} boundaries: {facts} figures.",
    },
}


def text(key: str, lang: str = "nl", **fields: object) -> str:
    """The message ``key`` in ``lang`` (falling back to Dutch), with ``fields`` filled in.

    >>> text("store.location", "en", path="/tmp/x.duckdb")
    'Store: /tmp/x.duckdb'
    """
    entry = MESSAGES[key]
    template = entry.get(lang, entry["nl"])  # type: ignore[call-overload]
    return template.format(**fields)
