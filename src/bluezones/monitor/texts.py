"""The monitor's texts for policy readers, Dutch first and English on request.

Kept beside the monitor (same shape as :data:`bluezones.i18n.MESSAGES`: message id ->
language -> template) so the evaluation's sentences live with the numbers they explain.
"""

from __future__ import annotations

import numpy as np

from bluezones.i18n import Language

__all__ = ["MESSAGES", "SIGNIFICANCE", "interpretation", "text"]

#: An RI p-value below this is called a clear difference.
SIGNIFICANCE = 0.05

MESSAGES: dict[str, dict[Language, str]] = {
    "effect": {
        "nl": "In de {n_pilots} pilotregio's lag {indicator} na de start naar schatting "
        "{size}% {direction} dan zonder pilot te verwachten was ({level}%-interval "
        "{lower}% tot {upper}%, p = {p}; beide uit het willekeurig herverdelen van de "
        "pilots over de {n_regions} jeugdregio's).",
        "en": "In the {n_pilots} pilot regions, {indicator} after the start was an estimated "
        "{size}% {direction} than expected without the pilot ({level}% interval "
        "{lower}% to {upper}%, p = {p}; both from reassigning the pilots at random over "
        "the {n_regions} youth-care regions).",
    },
    "lower": {"nl": "lager", "en": "lower"},
    "higher": {"nl": "hoger", "en": "higher"},
    "verdict.clear_good": {
        "nl": "Dat is een duidelijk verschil, in gunstige richting.",
        "en": "That is a clear difference, in the favourable direction.",
    },
    "verdict.clear_bad": {
        "nl": "Dat is een duidelijk verschil, in ongunstige richting.",
        "en": "That is a clear difference, in the unfavourable direction.",
    },
    "verdict.clear": {"nl": "Dat is een duidelijk verschil.", "en": "That is a clear difference."},
    "verdict.unclear": {
        "nl": "Dat verschil is niet duidelijk te onderscheiden van toeval.",
        "en": "That difference cannot be told apart from chance.",
    },
    "caveat.few": {
        "nl": "Er zijn maar {n_pilots} pilotregio's: één regio met een bijzonder jaar kan de "
        "uitkomst bepalen. Interval en p-waarde komen daarom uit het herverdelen van de "
        "pilots, niet uit een formule die veel pilotregio's veronderstelt; het interval "
        "gaat uit van een even groot effect in elke pilotregio.",
        "en": "There are only {n_pilots} pilot regions: one region with an unusual year can "
        "decide the result. Interval and p-value therefore come from reassigning the "
        "pilots, not from a formula that assumes many pilot regions; the interval assumes "
        "the same effect in every pilot region.",
    },
    "caveat.loo": {
        "nl": "Laat je één pilotregio weg, dan ligt de schatting tussen {lower}% en {upper}%.",
        "en": "Leaving out one pilot region at a time, the estimate lies between {lower}% and "
        "{upper}%.",
    },
    "caveat.pretrend_ok": {
        "nl": "Vóór de start liepen pilot- en andere regio's gelijk op (toets op trends vooraf: "
        "p = {p}).",
        "en": "Before the start, pilot and other regions moved alike (pre-trend test: p = {p}).",
    },
    "caveat.pretrend_bad": {
        "nl": "Vóór de start liepen pilot- en andere regio's al uiteen (toets op trends "
        "vooraf: p = {p}); het verschil kan dus deels ouder zijn dan de pilot.",
        "en": "Before the start, pilot and other regions already drifted apart (pre-trend "
        "test: p = {p}); part of the difference may predate the pilot.",
    },
    "caveat.breaks": {
        "nl": "De reeks heeft een trendbreuk in {years}; een landelijke breuk valt weg in de "
        "vergelijking, een breuk die per regio verschilt niet.",
        "en": "The series breaks in {years}; a national break cancels out in the comparison, "
        "a break that differs between regions does not.",
    },
    "caveat.selection": {
        "nl": "De pilotregio's zijn gekozen, niet geloot; de herverdeling toetst 'geen effect' "
        "alsof ze geloot waren.",
        "en": "The pilot regions were chosen, not drawn by lot; the reassignment tests "
        "'no effect' as if they had been.",
    },
    "caveat.spillover": {
        "nl": "Werkwijzen van pilots kunnen naar buurregio's overslaan; dan is het werkelijke "
        "verschil groter dan geschat.",
        "en": "Pilot practices may spill over to neighbouring regions; the true difference "
        "is then larger than estimated.",
    },
}


def text(key: str, lang: str = "nl", **fields: object) -> str:
    """The message ``key`` in ``lang`` (Dutch when unknown), with ``fields`` filled in."""
    entry = MESSAGES[key]
    template = entry.get(lang, entry["nl"])  # type: ignore[call-overload]
    return str(template).format(**fields)


def _pct(x: float, lang: str) -> str:
    if not np.isfinite(x):
        return "-∞" if x < 0 else "+∞"
    value = f"{100 * float(np.expm1(x)):+.1f}"
    return value.replace(".", ",") if lang == "nl" else value


def _p(p: float, lang: str) -> str:
    value = "< 0.001" if p < 0.001 else f"{p:.3f}"
    return value.replace(".", ",") if lang == "nl" else value


def interpretation(
    lang: str,
    *,
    indicator: str,
    polarity: str,
    estimate: float,
    interval: tuple[float, float],
    p_ri: float,
    p_pre: float,
    n_pilots: int,
    n_regions: int,
    breaks: tuple[int, ...],
    level: float,
    leave_one_out: tuple[float, float] | None = None,
) -> tuple[str, tuple[str, ...]]:
    """The plain-language sentence on an estimate (log scale) and its caveats.

    >>> s, c = interpretation("nl", indicator="OTS per 1.000", polarity="lower_is_better",
    ...     estimate=-0.16, interval=(-0.25, -0.07), p_ri=0.004, p_pre=0.6, n_pilots=10,
    ...     n_regions=42, breaks=(2021,), level=0.95)
    >>> s.split(" na de start")[0]
    "In de 10 pilotregio's lag OTS per 1.000"
    >>> s.split("schatting ")[1][:11]
    '14,8% lager'
    """
    direction = text("lower" if estimate < 0 else "higher", lang)
    size = abs(100 * float(np.expm1(estimate)))
    sentence = text(
        "effect",
        lang,
        n_pilots=n_pilots,
        indicator=indicator,
        size=f"{size:.1f}".replace(".", ",") if lang == "nl" else f"{size:.1f}",
        direction=direction,
        level=round(100 * level),
        lower=_pct(interval[0], lang),
        upper=_pct(interval[1], lang),
        p=_p(p_ri, lang),
        n_regions=n_regions,
    )
    if p_ri >= SIGNIFICANCE:
        verdict = "verdict.unclear"
    elif polarity == "neutral":
        verdict = "verdict.clear"
    else:
        good = (estimate < 0) == (polarity == "lower_is_better")
        verdict = "verdict.clear_good" if good else "verdict.clear_bad"
    caveats = [text("caveat.few", lang, n_pilots=n_pilots)]
    if leave_one_out is not None:
        lo, hi = leave_one_out
        caveats.append(text("caveat.loo", lang, lower=_pct(lo, lang), upper=_pct(hi, lang)))
    pre_key = "caveat.pretrend_ok" if p_pre >= SIGNIFICANCE else "caveat.pretrend_bad"
    caveats.append(text(pre_key, lang, p=_p(p_pre, lang)))
    if breaks:
        caveats.append(text("caveat.breaks", lang, years=", ".join(str(b) for b in breaks)))
    caveats += [text("caveat.selection", lang), text("caveat.spillover", lang)]
    return f"{sentence} {text(verdict, lang)}", tuple(caveats)
