"""What drives an area's expectation: its covariates against the average, per model.

The expected-use models are fitted on standardised covariates, so each term's
coefficient ``beta`` is the change in log-odds (or log-rate) per standard
deviation. For an area with (transformed) value ``x`` the term moves the
expectation by the factor ``exp(beta (x - mean) / sd)`` against an area with
average values; the browser computes that factor from what is stored here.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from bluezones.indicators import MEASURES
from bluezones.model.fitted import FittedModel
from bluezones.regions.harmonise import HARMONISED_TABLE
from bluezones.store import Store

__all__ = ["covariate_data"]

#: Transformations the model formulas use, as the browser needs to know them.
_TRANSFORM = re.compile(r"^np\.(log)\((\w+)\)$")
#: Significant digits of covariate values.
VALUE_DIGITS = 4


def covariate_data(
    store: Store,
    dataset: str,
    year: int,
    index: pd.Index,
    models: dict[str, Any],
    indicators: list[str],
) -> dict[str, Any] | None:
    """Covariate terms, their values per area in ``year``, and each model's coefficients."""
    fitted = {}
    for name in indicators:
        raw = models.get(f"{name}:expected")
        if raw is None:
            continue
        try:
            fitted[name] = (FittedModel.from_dict(raw), raw)
        except (KeyError, TypeError, ValueError):
            continue
    if not fitted:
        return None
    first, raw = next(iter(fitted.values()))
    design = raw.get("design", {})
    columns = list(design.get("columns", []))
    if not columns or "means" not in design or "sds" not in design:
        return None
    terms = []
    for col in columns:
        match = _TRANSFORM.match(col)
        measure, transform = (match.group(2), match.group(1)) if match else (col, None)
        m = MEASURES.get(measure)
        label = {"nl": m.label_nl, "en": m.label_en} if m else {"nl": measure, "en": measure}
        terms.append({"term": col, "measure": measure, "transform": transform, "label": label})
    measures = sorted({t["measure"] for t in terms})
    if not store.has_table(HARMONISED_TABLE):
        return None
    facts = store.read(
        HARMONISED_TABLE, where={"dataset": dataset, "year": year, "measure": measures}
    )
    wide = facts.pivot_table(
        index="region_code", columns="measure", values="value", aggfunc="first"
    )
    values = {
        t["measure"]: [
            _sig(v) for v in wide.get(t["measure"], pd.Series(dtype=float)).reindex(index)
        ]
        for t in terms
    }
    beta = {}
    for name, (model, model_raw) in fitted.items():
        cols = list(model_raw.get("design", {}).get("columns", []))
        if cols != columns:
            continue
        position = {n: i for i, n in enumerate(model.names)}
        beta[name] = [round(float(model.beta[position[c]]), 5) for c in columns]
    return {
        "year": year,
        "terms": terms,
        "mean": [round(float(v), 5) for v in design["means"]],
        "sd": [round(float(v), 5) for v in design["sds"]],
        "beta": beta,
        "family": first.spec.family if hasattr(first, "spec") else None,
        "values": values,
    }


def _sig(value: object) -> float | None:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not math.isfinite(v):
        return None
    return float(f"{v:.{VALUE_DIGITS}g}")
