"""The ground truth behind the demo country, as tidy tables.

Detection and model code can be scored against these tables: the persistent
area effects per indicator (logit scale, reference-year codes), which areas
were planted as ``low``, ``high`` or ``escalation``, the coefficients and year
effects of the care model and the standard deviations of its random parts.
Derived indicators (jeugdhulp zonder verblijf, OTS) report the effects of the
modelled indicator they follow, named in ``source_model``.
"""

from __future__ import annotations

import pandas as pd

from bluezones.indicators import INDICATORS
from bluezones.sources.demo.outcomes import (
    CARE_MODELS,
    COVARIATE_SCALES,
    GEMEENTE_EFFECT_SD,
    GEMEENTE_YEAR_SD,
    TERMS,
    TRUTH_SOURCE,
    WIJK_EFFECT_SD,
    WIJK_YEAR_SD,
    Outcomes,
)

__all__ = ["truth_tables"]

TRUTH_TABLES = (
    "truth_areas",
    "truth_planted",
    "truth_coefficients",
    "truth_years",
    "truth_components",
)
LOGIT = "logit"


def _source(indicator: str) -> str:
    return TRUTH_SOURCE.get(indicator, indicator)


def _with_truth(out: Outcomes) -> list[str]:
    """The indicators the demo's care model generates (others have no true effects)."""
    return [name for name in INDICATORS if _source(name) in out.gemeente_effects]


def _areas(out: Outcomes, gemeente_of_wijk: dict[str, str]) -> pd.DataFrame:
    planted = dict(zip(out.planted["region_code"], out.planted["planted"], strict=True))
    frames = []
    for name in _with_truth(out):
        g = out.gemeente_effects[_source(name)]
        w = out.wijk_effects[_source(name)]
        gem_of_w = w.index.map(gemeente_of_wijk)
        frames.append(
            pd.DataFrame(
                {
                    "level": "gemeente",
                    "region_code": g.index,
                    "gemeente_code": g.index,
                    "indicator": name,
                    "effect": g.to_numpy(),
                    "total_effect": g.to_numpy(),
                }
            )
        )
        frames.append(
            pd.DataFrame(
                {
                    "level": "wijk",
                    "region_code": w.index,
                    "gemeente_code": gem_of_w,
                    "indicator": name,
                    "effect": w.to_numpy(),
                    "total_effect": w.to_numpy() + g.loc[gem_of_w].to_numpy(),
                }
            )
        )
    areas = pd.concat(frames, ignore_index=True)
    areas["scale"] = LOGIT
    areas["planted"] = areas["region_code"].map(planted)
    areas = areas.sort_values(["level", "region_code", "indicator"], kind="stable")
    return areas.reset_index(drop=True)


def _coefficients(out: Outcomes) -> pd.DataFrame:
    models = {m.indicator: m for m in CARE_MODELS}
    rows = []
    for name in _with_truth(out):
        m = models[_source(name)]
        rows.append(
            (name, m.indicator, "intercept", "identity", 0.0, 1.0, out.intercepts[m.indicator])
        )
        for term, beta in zip(TERMS, m.coefficients, strict=True):
            transform, centre, scale = COVARIATE_SCALES[term]
            rows.append((name, m.indicator, term, transform, centre, scale, beta))
    cols = ["indicator", "source_model", "term", "transform", "centre", "scale", "coefficient"]
    return pd.DataFrame(rows, columns=cols)


def _years(out: Outcomes) -> pd.DataFrame:
    frames = []
    for name in _with_truth(out):
        part = out.year_effects[out.year_effects["indicator"] == _source(name)].copy()
        part.insert(1, "source_model", part.pop("indicator"))
        part.insert(0, "indicator", name)
        frames.append(part)
    return pd.concat(frames, ignore_index=True)


def _components(out: Outcomes) -> pd.DataFrame:
    sds = {
        "gemeente": GEMEENTE_EFFECT_SD,
        "wijk": WIJK_EFFECT_SD,
        "gemeente_year": GEMEENTE_YEAR_SD,
        "wijk_year": WIJK_YEAR_SD,
    }
    rows = [
        (name, _source(name), comp, sd) for name in _with_truth(out) for comp, sd in sds.items()
    ]
    return pd.DataFrame(rows, columns=["indicator", "source_model", "component", "sd"])


def truth_tables(
    out: Outcomes, names: dict[str, str], gemeente_of_wijk: dict[str, str]
) -> dict[str, pd.DataFrame]:
    """The truth tables keyed by :data:`TRUTH_TABLES` name.

    Parameters
    ----------
    out
        The drawn outcomes with their effects.
    names
        Region names by code.
    gemeente_of_wijk
        Reference-year gemeente code of each reference-year wijk code.
    """
    planted = out.planted.copy()
    planted["name"] = planted["region_code"].map(names)
    planted["gemeente_code"] = [gemeente_of_wijk.get(c, c) for c in planted["region_code"]]
    planted = planted[["level", "region_code", "gemeente_code", "name", "planted"]]
    return {
        "truth_areas": _areas(out, gemeente_of_wijk),
        "truth_planted": planted,
        "truth_coefficients": _coefficients(out),
        "truth_years": _years(out),
        "truth_components": _components(out),
    }
