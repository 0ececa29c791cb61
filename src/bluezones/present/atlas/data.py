"""The atlas's data: compact, column-wise payloads per level, built from the stored results.

Every array in a level's payloads is aligned with ``meta["areas"]["code"]``, so
the browser joins nothing; the one exception are an indicator's yearly ratios
``r``, ``lo`` and ``hi``, which list only the usable cells (flag bit 1) in area
order, because most wijk cells are suppressed. Numbers are rounded to what a reader can see
(:data:`RATIO_DECIMALS`, :data:`EXPECTED_DECIMALS`); missing values are ``null``,
never zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from bluezones.detect.classify import Rules, classify
from bluezones.detect.funnel import funnel_curves, funnel_ratio
from bluezones.errors import DetectError
from bluezones.i18n import LANGUAGES, MESSAGES
from bluezones.indicators import INDICATORS, TREND_BREAKS
from bluezones.present.atlas.covariates import covariate_data
from bluezones.present.atlas.geometry import svg_map
from bluezones.sdc import released_results, translate_suppressed
from bluezones.store import Store

__all__ = ["FLAG_BITS", "LevelData", "level_data", "mergers", "ui_texts"]

#: Decimals of ratios and interval bounds (as shown, so nothing is rounded twice).
RATIO_DECIMALS = 2
#: Decimals of probabilities (shown as whole percentages).
PROBABILITY_DECIMALS = 2
#: Decimals of expected counts.
EXPECTED_DECIMALS = 1
#: Peers listed per area (detection keeps more).
PEERS_SHOWN = 5
#: Classification statuses; yearly statuses are stored as positions in this list.
STATUSES = ("bluezone", "escalation", "high", "as_expected", "too_small")
#: Reasons the browser writes itself (in either language) from the probabilities.
GENERATED_REASONS = ("as_expected",)
#: Flag bits above this many hold the position of the cell's note in ``meta["notes"]``.
NOTE_SHIFT = 5
#: Points on each funnel's control-limit curves.
FUNNEL_POINTS = 40
#: Bit of each per-cell flag: usable, then low/high per control-limit level.
FLAG_BITS = {"usable": 1, "low_95": 2, "high_95": 4, "low_99.8": 8, "high_99.8": 16}
#: Scale of the detection funnels (see bluezones.detect.pipeline: CQC style).
FUNNEL_SCALE: Final = "sqrt"
#: Message-id prefixes the browser needs, in both languages.
UI_PREFIXES = ("atlas.", "status.")


@dataclass(frozen=True)
class LevelData:
    """What the site holds of one level: meta (areas, classification), geometry, indicators."""

    level: str
    meta: dict[str, Any]
    geo: dict[str, Any]
    indicators: dict[str, dict[str, Any]]
    run: dict[str, Any]


def level_data(store: Store, dataset: str, level: str) -> LevelData:
    """Collect the stored detection results of ``dataset`` at ``level`` for the atlas."""
    results = released_results(store, dataset, level)
    run = results["run"]
    year = run["reference_year"]
    classification = results["classification"].sort_values("region_code", ignore_index=True)
    codes = classification["region_code"].tolist()
    if not codes:
        raise DetectError(
            f"The detection results of {dataset} at {level} level list no areas.",
            hint=f"Run 'bluezones detect --dataset {dataset} --level {level}' again.",
        )
    regions = store.read("regions", where={"dataset": dataset, "year": year})
    regions = regions.drop_duplicates("region_code", keep="last").set_index("region_code")
    geoms = store.read("geometries", where={"dataset": dataset, "year": year, "level": level})
    area_year = results["area_year"]
    indicators = [i for i in run["summary"]["indicators"] if i in set(area_year["indicator"])]
    if not indicators:
        raise DetectError(
            f"The detection results of {dataset} at {level} level hold no indicator.",
            hint=f"Run 'bluezones detect --dataset {dataset} --level {level}' again.",
        )
    years = sorted(int(y) for y in area_year["year"].unique())
    index = pd.Index(codes)
    meta = {
        "dataset": dataset,
        "level": level,
        "reference_year": year,
        "created_at": run["created_at"],
        "years": years,
        "indicators": [_indicator_meta(name) for name in indicators],
        "primary": run["config"]["rules"]["primary"],
        "levels": run["config"]["levels"],
        "trend_breaks": {str(y): t for y, t in TREND_BREAKS.items() if years[0] < y <= years[-1]},
        "areas": {
            "code": codes,
            "name": [_text(regions["name"].get(c), c) for c in codes],
            "gemeente": [_text(regions["gemeente_code"].get(c), "") for c in codes],
            "jeugdregio": [_text(regions["jeugdregio_code"].get(c), "") for c in codes],
        },
        "classification": {
            **_classification(classification),
            **_translated_reasons(results["evidence"], classification, run["config"]),
        },
        "evidence": _evidence(results["evidence"], index, indicators),
        "statuses": list(STATUSES),
        "denominators": _denominators(area_year, index, indicators, years),
        "yearly_status": _yearly_status(results["yearly_status"], index, years),
        "changes": _changes(results["changes"]),
        "spatial": _spatial(results["spatial"], index),
        "peers": _peers(results["peers"], index),
        "notes": [],
        "mergers": mergers(store, dataset, level, index),
        "covariates": covariate_data(store, dataset, years[-1], index, run["models"], indicators),
    }
    notes: list[str] = [""]
    payloads = {
        name: _indicator_payload(area_year, name, index, years, run["config"], notes)
        for name in indicators
    }
    meta["notes"] = notes
    translate_suppressed(meta["classification"], results)
    outlines = pd.DataFrame(columns=["region_code", "geojson"])
    if level != "gemeente":
        outlines = store.read(
            "geometries", where={"dataset": dataset, "year": year, "level": "gemeente"}
        )
    svg = svg_map(
        zip(geoms["region_code"], geoms["geojson"], strict=True),
        zip(outlines["region_code"], outlines["geojson"], strict=True),
    )
    geo = {
        "view_box": svg.view_box,
        "paths": [svg.paths.get(c, "") for c in codes],
        # Borders of the gemeenten around the areas (wijk level), drawn on top.
        "outlines": sorted(svg.outlines.values()),
    }
    provenance = {k: run[k] for k in ("reference_year", "created_at", "config")}
    return LevelData(level, meta, geo, payloads, provenance)


def ui_texts() -> dict[str, dict[str, str]]:
    """The browser's texts per language: the catalogue's atlas and status messages."""
    return {
        lang: {key: entry[lang] for key, entry in MESSAGES.items() if key.startswith(UI_PREFIXES)}
        for lang in LANGUAGES
    }


# --------------------------------------------------------------------------- parts


def _indicator_meta(name: str) -> dict[str, Any]:
    ind = INDICATORS.get(name)
    if ind is None:
        return {
            "name": name,
            "label": {"nl": name, "en": name},
            "per": 100,
            "polarity": "neutral",
            "denominator": name,
        }
    return {
        "name": name,
        "denominator": ind.denominator,
        "label": {"nl": ind.label_nl, "en": ind.label_en},
        "per": ind.per,
        "polarity": ind.polarity,
    }


def _classification(frame: pd.DataFrame) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {
        "status": frame["status"].tolist(),
        "reasons": [
            "" if s in GENERATED_REASONS else _text(r, "")
            for s, r in zip(frame["status"], frame["reasons"], strict=True)
        ],
        "years": _ints(frame["years"]),
        "expected_total": _round(frame["expected_total"], 1),
    }
    for col in ("ratio", "ratio_low", "ratio_high"):
        out[col] = _round(frame[col], RATIO_DECIMALS)
    for col in ("p_below", "p_above", "p_low", "p_high"):
        out[col] = _round(frame[col], PROBABILITY_DECIMALS)
    if "rule_2019" in frame:
        out["rule_2019"] = [None if pd.isna(v) else bool(v) for v in frame["rule_2019"]]
    return out


def _translated_reasons(
    evidence: pd.DataFrame, classification: pd.DataFrame, config: dict[str, Any]
) -> dict[str, list[str]]:
    """The reasons in the languages detection did not write them in: ``reasons_<lang>``.

    Classifying the stored evidence again with the run's rules gives the same
    statuses; if it does not (results from an older rule set), nothing is added
    and readers see the stored reasons.
    """
    raw: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in config.get("rules", {}).items()
    }
    rules = Rules(**raw)
    evidence = evidence.drop(columns=[c for c in ("dataset", "level") if c in evidence])
    out = {}
    for lang in LANGUAGES:
        if lang == config.get("lang", "nl"):
            continue
        try:
            again = classify(evidence, rules, lang).set_index("region_code")
        except (DetectError, KeyError, TypeError, ValueError):
            return {}
        codes = classification["region_code"]
        if again["status"].reindex(codes).tolist() != classification["status"].tolist():
            return {}
        out[f"reasons_{lang}"] = [
            "" if s in GENERATED_REASONS else str(r)
            for s, r in zip(classification["status"], again["reasons"].reindex(codes), strict=True)
        ]
    return out


def _evidence(frame: pd.DataFrame, index: pd.Index, indicators: list[str]) -> dict[str, Any]:
    out: dict[str, dict[str, list[Any]]] = {}
    for name in indicators:
        part = frame[frame["indicator"] == name].set_index("region_code").reindex(index)
        out[name] = {
            col: _round(part[col], RATIO_DECIMALS) for col in ("ratio", "ratio_low", "ratio_high")
        }
        for col in ("p_below", "p_above", "p_low", "p_high"):
            out[name][col] = _round(part[col], PROBABILITY_DECIMALS)
        out[name]["years"] = _ints(part["years"])
        out[name]["expected_total"] = _round(part["expected_total"], 1)
    return out


def _yearly_status(frame: pd.DataFrame, index: pd.Index, years: list[int]) -> dict[str, Any]:
    out = {}
    for year in years:
        part = frame[frame["year"] == year].set_index("region_code").reindex(index)
        out[str(year)] = [
            None if pd.isna(s) or s not in STATUSES else STATUSES.index(s) for s in part["status"]
        ]
    return out


def _denominators(
    area_year: pd.DataFrame, index: pd.Index, indicators: list[str], years: list[int]
) -> dict[str, Any]:
    """Young people per area and year, once per denominator (indicators share them)."""
    out: dict[str, Any] = {}
    for name in indicators:
        ind = INDICATORS.get(name)
        key = ind.denominator if ind is not None else name
        if key in out:
            continue
        part = area_year[area_year["indicator"] == name]
        out[key] = {
            str(year): _ints(
                part[part["year"] == year].set_index("region_code")["n"].reindex(index)
            )
            for year in years
        }
    return out


def mergers(store: Store, dataset: str, level: str, index: pd.Index) -> dict[str, Any]:
    """Former areas folded into each area by herindelingen, followed back along the chain.

    Keyed by the area's position in ``index`` (as text); each entry names the former
    code, its name in its last year, the first year on the new boundaries and the
    share moved. Areas without a former area are left out. The atlas shows these as
    notes per area, and the reports use them for the notes under an area's figures.
    """
    cross = store.read("crosswalk", where={"dataset": dataset, "level": level})
    cross = cross[cross["code_from"] != cross["code_to"]]
    if cross.empty:
        return {}
    names = store.read("regions", where={"dataset": dataset})
    names = names.sort_values("year").drop_duplicates(["region_code", "year"], keep="last")
    name_of = {
        (str(code), int(year)): str(name)
        for code, year, name in zip(names["region_code"], names["year"], names["name"], strict=True)
    }
    into: dict[str, list[tuple[str, int, int, float]]] = {}
    rows = zip(
        cross["code_from"],
        cross["code_to"],
        cross["year_from"],
        cross["year_to"],
        cross["weight"],
        strict=True,
    )
    for code_from, code_to, year_from, year_to, weight in rows:
        into.setdefault(str(code_to), []).append(
            (str(code_from), int(year_from), int(year_to), float(weight))
        )
    out: dict[str, Any] = {}
    for i, code in enumerate(index):
        found, todo, seen = [], [code], {code}
        while todo:
            for former, year_from, year_to, weight in into.get(todo.pop(), []):
                if former in seen:
                    continue
                seen.add(former)
                todo.append(former)
                found.append(
                    {
                        "code": former,
                        "name": name_of.get((former, year_from), former),
                        "year": year_to,
                        "weight": round(weight, 2),
                    }
                )
        if found:
            out[str(i)] = sorted(found, key=lambda m: (m["year"], m["code"]))
    return out


def _changes(frame: pd.DataFrame) -> list[dict[str, Any]]:
    cols = ["region_code", "year", "before", "after"]
    rows = frame[cols].sort_values(["region_code", "year"])
    return [
        {"code": str(code), "year": int(year), "before": str(before), "after": str(after)}
        for code, year, before, after in rows.itertuples(index=False, name=None)
    ]


def _spatial(frame: pd.DataFrame, index: pd.Index) -> dict[str, list[Any]]:
    part = frame.set_index("region_code").reindex(index)
    return {
        "cluster": [None if pd.isna(c) else str(c) for c in part["cluster"]],
        "q_value": _round(part["q_value"], RATIO_DECIMALS),
    }


def _peers(frame: pd.DataFrame, index: pd.Index) -> list[list[int]]:
    position = {code: i for i, code in enumerate(index)}
    out: list[list[int]] = [[] for _ in index]
    for row in frame.sort_values(["region_code", "rank"]).itertuples(index=False):
        i, j = position.get(row.region_code), position.get(row.peer_code)
        if i is not None and j is not None and len(out[i]) < PEERS_SHOWN:
            out[i].append(j)
    return out


def _indicator_payload(
    area_year: pd.DataFrame,
    name: str,
    index: pd.Index,
    years: list[int],
    config: dict[str, Any],
    notes: list[str],
) -> dict[str, Any]:
    part = area_year[area_year["indicator"] == name]
    by_year: dict[str, Any] = {}
    funnels: dict[str, Any] = {}
    for year in years:
        cells = part[part["year"] == year].set_index("region_code").reindex(index)
        usable = cells["usable"].fillna(False).astype(bool).to_numpy()
        flags = usable.astype(int)
        for col, bit in FLAG_BITS.items():
            if col != "usable" and col in cells:
                flags |= np.where(cells[col].fillna(False).astype(bool), bit, 0)
        notes_at = np.array([_note(notes, r) for r in cells["reason"]], dtype=int)
        flags |= notes_at << NOTE_SHIFT
        by_year[str(year)] = {
            "o": _ints(cells["observed"]),
            "e": _round(cells["expected"], EXPECTED_DECIMALS),
            # Ratios exist only for usable cells: listed for those alone, in area order.
            "r": _round(cells.loc[usable, "ratio"], RATIO_DECIMALS),
            "lo": _round(cells.loc[usable, "ratio_low"], RATIO_DECIMALS),
            "hi": _round(cells.loc[usable, "ratio_high"], RATIO_DECIMALS),
            "f": flags.tolist(),
        }
        funnels[str(year)] = _funnel(cells[usable], config)
    return {"indicator": name, "years": by_year, "funnel": funnels}


def _funnel(cells: pd.DataFrame, config: dict[str, Any]) -> dict[str, list[float | None]] | None:
    """Control-limit curves of one year's funnel, made as detection made them."""
    if len(cells) < 3:
        return None
    result = funnel_ratio(
        cells["observed"].to_numpy(float),
        cells["expected"].to_numpy(float),
        scale=FUNNEL_SCALE,
        levels=config["levels"],
        overdispersion=config["overdispersion"],
        trim_fraction=config.get("funnel_trim", 0.0),
    )
    curves = funnel_curves(result, n_points=FUNNEL_POINTS)
    out = {"e": _round(curves["expected"], EXPECTED_DECIMALS)}
    for col in curves.columns:
        if col.startswith(("lower_", "upper_")):
            out[col] = _round(curves[col], RATIO_DECIMALS)
    return out


# --------------------------------------------------------------------------- helpers


def _round(values: pd.Series, decimals: int) -> list[float | None]:
    return [
        None if v is None or not math.isfinite(v) else round(float(v), decimals)
        for v in pd.to_numeric(values, errors="coerce").astype(float)
    ]


def _ints(values: pd.Series) -> list[int | None]:
    return [
        None if not math.isfinite(v) else round(v)
        for v in pd.to_numeric(values, errors="coerce").astype(float)
    ]


def _text(value: object, default: str) -> str:
    return (
        default if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    )


def _note(notes: list[str], reason: object) -> int:
    text = _text(reason, "")
    if text not in notes:
        notes.append(text)
    return notes.index(text)
