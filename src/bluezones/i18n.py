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
    "crosswalk.done": {
        "nl": "Grenswijzigingen uit {folder}: {rows} regels opgeslagen voor dataset '{dataset}'.",
        "en": "Boundary changes from {folder}: {rows} rows stored for dataset '{dataset}'.",
    },
    "detect.running": {"nl": "Detectie", "en": "Detection"},
    "detect.done": {
        "nl": "Detectie op '{dataset}' ({level}, {years}): {counts}.",
        "en": "Detection on '{dataset}' ({level}, {years}): {counts}.",
    },
    "detect.saved": {
        "nl": "Resultaten opgeslagen in de store (tabellen detect_*).",
        "en": "Results saved in the store (tables detect_*).",
    },
    "detect.list": {"nl": "{status} ({n})", "en": "{status} ({n})"},
    "detect.item": {
        "nl": "  • {name} ({code}): gebruik/verwacht {ratio:.2f} "
        "(95%-interval {low:.2f}-{high:.2f})",
        "en": "  • {name} ({code}): observed/expected {ratio:.2f} "
        "(95% interval {low:.2f}-{high:.2f})",
    },
    "detect.moran": {
        "nl": "Ruimtelijke samenhang van de blijvende effecten: Moran's I = {i:.3f} "
        "(p = {p:.3f}); eilanden zonder buren apart gehouden: {islands}.",
        "en": "Spatial autocorrelation of the lasting effects: Moran's I = {i:.3f} "
        "(p = {p:.3f}); islands without neighbours left out: {islands}.",
    },
    "status.bluezone": {"nl": "BlueZone-kandidaat", "en": "BlueZone candidate"},
    "status.escalation": {
        "nl": "Laag gebruik, maar hoge bescherming of plaatsing",
        "en": "Low use, but high protection or placement",
    },
    "status.high": {"nl": "Opvallend hoog", "en": "Notably high"},
    "status.as_expected": {"nl": "Zoals verwacht", "en": "As expected"},
    "status.too_small": {"nl": "Te klein om te beoordelen", "en": "Too small to judge"},
    # --- classification reasons --------------------------------------------
    "reason.too_small": {
        "nl": "Te klein om te beoordelen: {years} bruikbare jaren en {expected:.0f} verwachte "
        "jongeren in zorg.",
        "en": "Too small to judge: {years} usable years and {expected:.0f} young people "
        "expected in care.",
    },
    "reason.lower": {
        "nl": "{indicator}: {pct:.0f}% lager dan verwacht (interval {low:.0f}-{high:.0f}%) "
        "over {years} jaar; kans dat het gebruik blijvend lager is: {prob}.",
        "en": "{indicator}: {pct:.0f}% lower than expected (interval {low:.0f}-{high:.0f}%) "
        "over {years} years; probability that use is lastingly lower: {prob}.",
    },
    "reason.higher": {
        "nl": "{indicator}: {pct:.0f}% hoger dan verwacht (interval {low:.0f}-{high:.0f}%) "
        "over {years} jaar; kans dat het gebruik blijvend hoger is: {prob}.",
        "en": "{indicator}: {pct:.0f}% higher than expected (interval {low:.0f}-{high:.0f}%) "
        "over {years} years; probability that use is lastingly higher: {prob}.",
    },
    "reason.no_escalation": {
        "nl": "Jeugdbescherming en uithuisplaatsingen zijn niet opvallend hoog.",
        "en": "Child protection and out-of-home placements are not notably high.",
    },
    "reason.as_expected": {
        "nl": "Geen blijvend verschil met de verwachting (kans lager {p_below}, "
        "kans hoger {p_above}).",
        "en": "No lasting difference from expectation (probability lower {p_below}, "
        "higher {p_above}).",
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
