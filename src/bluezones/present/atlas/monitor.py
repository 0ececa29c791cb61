"""The atlas's monitor pages: payloads from the stored monitor results.

:func:`monitor_pages` reads :func:`bluezones.monitor.load_monitor` through the
disclosure-control gate (:func:`bluezones.sdc.released_monitor`; and, for the
expectation, the gemeente detection results if the store has them) and returns the
payloads of ``monitor.html`` and ``evaluation.html``, or ``None`` when the store holds
no monitor results for the dataset (the atlas is then built without those pages).

Payloads (each also a page's JSON twin, see :mod:`bluezones.present.atlas.build`):

- ``monitor/meta``: the indicators (label in both languages, unit, polarity, trend
  breaks, decimals shown), the regions per level (jeugdregio, gemeente, land), the
  pilots and their start years;
- ``monitor/ind-<name>``: per level and year the value and its interval (rounded to
  the decimals shown), the expected value where the detection modelled the indicator,
  imputed cells, and each region's trend since the last break;
- ``monitor/evaluation``: per evaluated indicator the estimates of every method in
  percent, p-values, the event study, the synthetic control's average paths and
  placebo gaps, and the plain-language interpretation and caveats in both languages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bluezones.errors import BlueZonesError
from bluezones.i18n import LANGUAGES, text
from bluezones.indicators import INDICATORS
from bluezones.monitor.indicators import MONITOR_INDICATORS
from bluezones.monitor.results import MONITOR_TABLES
from bluezones.monitor.texts import interpretation
from bluezones.sdc import released_monitor, released_results
from bluezones.store import Store

__all__ = ["MONITOR_LEVELS", "MonitorPages", "indicator_label", "monitor_pages"]

#: Levels of the monitor page, in the order of its level switch.
MONITOR_LEVELS = ("jeugdregio", "gemeente", "land")
#: Decimals shown (and stored) per unit: per 1,000 and % with one, per 100 with two.
DECIMALS = {1: 0, 100: 2, 1000: 1}
SHARE_DECIMALS = 1
#: Decimals of percentages (effects, trends) and of p-values.
PCT_DECIMALS = 1
P_DECIMALS = 3
#: Decimals of the plotted points (finer than shown, coarser than stored).
PLOT_DECIMALS = 2


@dataclass(frozen=True)
class MonitorPages:
    """The monitor's payloads: meta, one per indicator, and the evaluation."""

    meta: dict[str, Any]
    indicators: dict[str, dict[str, Any]]
    evaluation: dict[str, Any]

    def twin(self) -> dict[str, Any]:
        """``monitor.json``: everything ``monitor.html`` shows, in one object."""
        return {**self.meta, "values": self.indicators}


def monitor_pages(store: Store, dataset: str) -> MonitorPages | None:
    """The monitor pages' payloads of ``dataset``, or ``None`` without monitor results."""
    if not store.has_table(MONITOR_TABLES["evaluation"]):
        return None
    stored = released_monitor(store, dataset)
    table = stored["indicators"]
    if table.empty:
        return None
    regions = store.read("regions", where={"dataset": dataset})
    reference = int(regions["year"].max())
    ref = regions[regions["year"] == reference]
    summaries: dict[str, dict[str, Any]] = stored["summaries"]
    pilots = next(iter(summaries.values()))["pilots"] if summaries else {}
    levels = [lv for lv in MONITOR_LEVELS if (table["level"] == lv).any()]
    areas = {lv: _areas(table, ref, lv) for lv in levels}
    years = sorted(int(y) for y in table["year"].unique())
    names = [n for n in MONITOR_INDICATORS if (table["indicator"] == n).any()]
    expected = _expected(store, dataset, ref, areas)
    meta = {
        "dataset": dataset,
        "reference_year": reference,
        "years": years,
        "levels": levels,
        "indicators": [_indicator(n, n in summaries) for n in names],
        "areas": areas,
        "pilots": {str(k): int(v) for k, v in sorted(pilots.items())},
    }
    values = {n: _values(n, table, stored["trends"], areas, years, expected.get(n)) for n in names}
    evaluation = {
        "dataset": dataset,
        "indicators": list(summaries),
        "pilots": meta["pilots"],
        "areas": {"code": areas["jeugdregio"]["code"], "name": areas["jeugdregio"]["name"]}
        if "jeugdregio" in areas
        else {"code": [], "name": []},
        "results": {
            n: _evaluation(n, s, stored["event_study"], stored["synthetic"])
            for n, s in summaries.items()
        },
    }
    return MonitorPages(meta, values, evaluation)


# --------------------------------------------------------------------------- meta


def indicator_label(name: str) -> dict[str, str]:
    """A monitor indicator's name for readers, in Dutch and English."""
    spec = INDICATORS.get(name)
    if spec is not None:
        return {"nl": spec.label_nl, "en": spec.label_en}
    return {lang: text(f"atlas.monitor.label.{name}", lang) for lang in LANGUAGES}


def _indicator(name: str, evaluated: bool) -> dict[str, Any]:
    spec = MONITOR_INDICATORS[name]
    return {
        "name": name,
        "kind": spec.kind,
        "per": spec.per,
        "polarity": spec.polarity,
        "breaks": list(spec.trend_breaks),
        "label": indicator_label(name),
        "digits": _digits(name),
        "evaluated": evaluated,
    }


def _digits(name: str) -> int:
    spec = MONITOR_INDICATORS[name]
    return SHARE_DECIMALS if spec.kind == "share" else DECIMALS.get(spec.per, 1)


def _areas(table: pd.DataFrame, ref: pd.DataFrame, level: str) -> dict[str, list[Any]]:
    codes = sorted(str(c) for c in table.loc[table["level"] == level, "region_code"].unique())
    names = dict(zip(ref["region_code"], ref["name"], strict=False))
    out: dict[str, list[Any]] = {"code": codes, "name": [str(names.get(c, c)) for c in codes]}
    if level == "gemeente":
        jz = dict(zip(ref["region_code"], ref["jeugdregio_code"], strict=False))
        out["jeugdregio"] = [None if pd.isna(jz.get(c)) else str(jz.get(c)) for c in codes]
    return out


# --------------------------------------------------------------------------- values


def _round(value: Any, decimals: int) -> float | None:
    if value is None or pd.isna(value) or not math.isfinite(float(value)):
        return None
    return round(float(value), decimals)


def _values(
    name: str,
    table: pd.DataFrame,
    trends: pd.DataFrame,
    areas: dict[str, dict[str, list[Any]]],
    years: list[int],
    expected: dict[str, pd.DataFrame] | None,
) -> dict[str, Any]:
    digits = _digits(name)
    part = table[table["indicator"] == name]
    out: dict[str, Any] = {"name": name, "levels": {}}
    for level, info in areas.items():
        rows = part[part["level"] == level].set_index(["region_code", "year"])
        index = pd.MultiIndex.from_product([info["code"], years])
        rows = rows.reindex(index)
        per_year: dict[str, Any] = {}
        for year in years:
            at = rows.xs(year, level=1)
            cell = {
                "v": [_round(v, digits) for v in at["value"]],
                "lo": [_round(v, digits) for v in at["lower"]],
                "hi": [_round(v, digits) for v in at["upper"]],
                "imp": [0 if pd.isna(v) else int(v) for v in at["imputed"]],
            }
            if expected is not None and level in expected:
                e = expected[level].reindex(pd.MultiIndex.from_product([info["code"], [year]]))
                cell["e"] = [_round(v, digits) for v in e["rate"]]
            per_year[str(year)] = cell
        out["levels"][level] = {"years": per_year, "trend": _trend(trends, name, info["code"])}
    return out


def _trend(trends: pd.DataFrame, name: str, codes: list[str]) -> dict[str, list[Any]] | None:
    if trends.empty or not (trends["indicator"] == name).any():
        return None
    t = trends[trends["indicator"] == name].set_index("region_code").reindex(codes)
    return {
        "first": [None if pd.isna(v) else int(v) for v in t["first_year"]],
        "last": [None if pd.isna(v) else int(v) for v in t["last_year"]],
        "change": [_round(v, PCT_DECIMALS) for v in t["change_pct"]],
        "lower": [_round(v, PCT_DECIMALS) for v in t["lower"]],
        "upper": [_round(v, PCT_DECIMALS) for v in t["upper"]],
        "p": [_round(v, P_DECIMALS) for v in t["p_value"]],
    }


def _expected(
    store: Store, dataset: str, ref: pd.DataFrame, areas: dict[str, dict[str, list[Any]]]
) -> dict[str, dict[str, pd.DataFrame]]:
    """Expected rates from the gemeente detection, summed up to jeugdregio and land.

    Per indicator and level a frame indexed by (region_code, year) with ``rate``; a
    region's sum is missing when any of its gemeenten has no expected count.
    """
    try:
        area_year = released_results(store, dataset, "gemeente")["area_year"]
    except BlueZonesError:
        return {}
    jz = dict(zip(ref["region_code"], ref["jeugdregio_code"], strict=False))
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for name, part in area_year.groupby("indicator"):
        if name not in MONITOR_INDICATORS or MONITOR_INDICATORS[str(name)].kind != "rate":
            continue
        per = MONITOR_INDICATORS[str(name)].per
        g = part[["region_code", "year", "expected", "n"]].copy()
        frames = {}
        units = {
            "gemeente": g["region_code"],
            "jeugdregio": g["region_code"].map(jz),
            "land": pd.Series("NL00", index=g.index),
        }
        for level, unit in units.items():
            if level not in areas:
                continue
            grouped = g.assign(unit=unit).groupby(["unit", "year"])
            total = grouped[["expected", "n"]].sum(min_count=1)
            complete = grouped["expected"].count() == grouped.size()
            rate = (per * total["expected"] / total["n"]).where(complete & (total["n"] > 0))
            frames[level] = pd.DataFrame({"rate": rate})
        out[str(name)] = frames
    return out


# --------------------------------------------------------------------------- evaluation


def _pct(log_value: Any, decimals: int = PCT_DECIMALS) -> float | None:
    if log_value is None or not math.isfinite(float(log_value)):
        return None
    return round(100 * float(np.expm1(float(log_value))), decimals)


def _pcts(pair: Any) -> list[float | None]:
    return [_pct(v) for v in pair]


def _p(value: Any) -> float | None:
    return _round(value, P_DECIMALS)


def _texts(name: str, s: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The interpretation and caveats in each language, from the stored numbers."""
    spec = MONITOR_INDICATORS[name]
    loo = s.get("leave_one_out")
    low, high = s["ri_interval"]  # JSON stores an unbounded side as null
    ri = (-math.inf if low is None else low, math.inf if high is None else high)
    out: dict[str, dict[str, Any]] = {}
    for lang in LANGUAGES:
        sentence, caveats = interpretation(
            lang,
            indicator=indicator_label(name)[lang],
            polarity=spec.polarity,
            estimate=s["estimate"],
            interval=ri,
            p_ri=s["p_ri"],
            p_pre=s["pretrend"]["p"],
            n_pilots=len(s["pilots"]),
            n_regions=s["n_regions"],
            breaks=tuple(s.get("trend_breaks", ())),
            level=s.get("level", 0.95),
            leave_one_out=None if loo is None else (loo["min"], loo["max"]),
        )
        out[lang] = {"interpretation": sentence, "caveats": list(caveats)}
    return out


def _evaluation(
    name: str, s: dict[str, Any], events: pd.DataFrame, synthetic: pd.DataFrame
) -> dict[str, Any]:
    twfe, poisson, synth = s["twfe"], s["poisson"], s.get("synthetic")
    methods = [
        {
            "method": "did2s",
            "estimate": _pct(s["estimate"]),
            "interval": _pcts(s["ri_interval"]),
            "interval_cluster": _pcts(s["interval"]),
            "p_ri": _p(s["p_ri"]),
            "p_wild": None,
            "p_cluster": _p(s["p_cluster"]),
        },
        {
            "method": "twfe",
            "estimate": _pct(twfe["estimate"]),
            "interval": _pcts(twfe["interval"]),
            "interval_cluster": _pcts(twfe["interval"]),
            "p_ri": _p(twfe["p_ri"]),
            "p_wild": _p(twfe["p_wild"]),
            "p_cluster": _p(twfe["p_cluster"]),
        },
        {
            "method": "poisson",
            "estimate": _pct(poisson["estimate"]),
            "interval": _pcts(poisson["interval"]),
            "interval_cluster": _pcts(poisson["interval"]),
            "p_ri": None,
            "p_wild": None,
            "p_cluster": _p(poisson["p_cluster"]),
        },
    ]
    if synth is not None:
        methods.append(
            {
                "method": "synthetic",
                "estimate": _pct(synth["estimate"]),
                "interval": [None, None],
                "interval_cluster": [None, None],
                "p_ri": _p(synth["p_placebo"]),
                "p_wild": None,
                "p_cluster": None,
            }
        )
    spec = MONITOR_INDICATORS[name]
    return {
        "name": name,
        "label": indicator_label(name),
        "polarity": spec.polarity,
        "level": s.get("level", 0.95),
        "n_regions": s["n_regions"],
        "pilots": s["pilots"],
        "trend_breaks": s.get("trend_breaks", []),
        "methods": methods,
        "pretrend": {"f": _round(s["pretrend"]["f"], P_DECIMALS), "p": _p(s["pretrend"]["p"])},
        "leave_one_out": None
        if s.get("leave_one_out") is None
        else _pcts([s["leave_one_out"]["min"], s["leave_one_out"]["max"]]),
        "texts": _texts(name, s),
        "event_study": _events(events, name),
        "synthetic": None if synth is None else _synthetic(synthetic, name, synth),
    }


def _events(events: pd.DataFrame, name: str) -> dict[str, list[Any]]:
    e = events[events["indicator"] == name].sort_values("rel") if not events.empty else events
    if e.empty:
        return {"rel": [], "estimate": [], "lower": [], "upper": [], "binned": [], "n": []}
    return {
        "rel": [int(v) for v in e["rel"]],
        "estimate": [_pct(v, PLOT_DECIMALS) for v in e["estimate"]],
        "lower": [_pct(v, PLOT_DECIMALS) for v in e["lower"]],
        "upper": [_pct(v, PLOT_DECIMALS) for v in e["upper"]],
        "binned": [bool(v) for v in e["binned"]],
        "n": [int(v) for v in e["n_treated"]],
    }


def _synthetic(frame: pd.DataFrame, name: str, synth: dict[str, Any]) -> dict[str, Any]:
    per_pilot = [
        {
            "code": r["region_code"],
            "start": int(r["start"]),
            "effect": _pct(r["effect"]),
            "p_placebo": _p(r["p_placebo"]),
        }
        for r in synth["per_pilot"]
    ]
    out: dict[str, Any] = {"per_pilot": per_pilot, "rel": [], "treated": [], "synthetic": []}
    out["gap"], out["n"], out["placebos"] = [], [], []
    if frame.empty or not (frame["indicator"] == name).any():
        return out
    part = frame[frame["indicator"] == name]
    placebo = part["placebo"].astype(bool)
    pilots = part[~placebo].groupby("rel")
    mean = pilots[["path", "synthetic", "gap"]].mean()
    out["rel"] = [int(r) for r in mean.index]
    out["treated"] = [_pct(v, PLOT_DECIMALS) for v in mean["path"]]
    out["synthetic"] = [_pct(v, PLOT_DECIMALS) for v in mean["synthetic"]]
    out["gap"] = [_pct(v, PLOT_DECIMALS) for v in mean["gap"]]
    out["n"] = [int(v) for v in pilots.size()]
    for (_, _), g in part[placebo].groupby(["region_code", "start"], sort=True):
        g = g.sort_values("rel")
        out["placebos"].append(
            {"rel": [int(r) for r in g["rel"]], "gap": [_pct(v, PLOT_DECIMALS) for v in g["gap"]]}
        )
    return out
