"""The monitor's texts for policy readers, Dutch first and English on request.

The templates live in the one catalogue, :data:`bluezones.i18n.MESSAGES`, under
``monitor.*``; this module turns an evaluation's numbers into its sentence and caveats.
"""

from __future__ import annotations

import numpy as np

from bluezones.i18n import text as i18n_text

__all__ = ["SIGNIFICANCE", "interpretation", "text"]

#: An RI p-value below this is called a clear difference.
SIGNIFICANCE = 0.05


def text(key: str, lang: str = "nl", **fields: object) -> str:
    """A monitor message from the catalogue (:data:`bluezones.i18n.MESSAGES`, ``monitor.*``)."""
    return i18n_text(f"monitor.{key}", lang, **fields)


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
