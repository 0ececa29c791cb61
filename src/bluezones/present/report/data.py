"""What a report shows, collected once per level from the stored detection results.

:func:`load_level` reads a dataset's results at one level (through :func:`_load`,
the one place results enter the reports) with the region names, geometries and
the funnels of every indicator and year. :func:`area_numbers` then gives one
area's numbers: per indicator the latest year, the pooled years and the lasting
effect; per year the ratio with its interval and the expectation band (the 95%
funnel limits at the area's expected count). A jeugdregio is the sum of its
gemeenten: observed and expected counts are added per indicator and year over the
gemeenten with usable figures, and the ratio and its exact Poisson interval are
computed again from the sums. A jeugdregio has no lasting effect of its own.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from bluezones.detect.classify import Rules, classify
from bluezones.detect.funnel import FunnelResult, funnel_curves, funnel_ratio
from bluezones.detect.intervals import ratio_interval
from bluezones.detect.results import RUNS_TABLE, load_results
from bluezones.errors import DetectError
from bluezones.store import Store

__all__ = [
    "AreaNumbers",
    "IndicatorRow",
    "LevelResults",
    "TrendPoint",
    "area_numbers",
    "load_level",
]

#: Control-limit level of the expectation band in the trend charts.
BAND_LEVEL = 0.95
#: Scale of the detection funnels (CQC style, see bluezones.detect.pipeline).
FUNNEL_SCALE: Literal["sqrt"] = "sqrt"
#: Peer areas listed per report.
PEERS_SHOWN = 5

Kind = Literal["gemeente", "wijk", "jeugdregio"]


def _load(store: Store, dataset: str, level: str) -> dict[str, Any]:
    """The detection results the reports may show: the one door results come through.

    Through disclosure control (``bluezones.sdc.released_results``: results of
    microdata-origin datasets protected) where that gate is installed.
    """
    gate = _gate("released_results")
    if gate is None:
        return load_results(store, dataset, level)
    return dict(gate(store, dataset, level))


def _gate(name: str) -> Callable[..., Any] | None:
    """A function of ``bluezones.sdc`` if that package provides it, else ``None``."""
    try:
        module = importlib.import_module("bluezones.sdc")
    except ImportError:
        return None
    found = getattr(module, name, None)
    return found if callable(found) else None


@dataclass(frozen=True)
class LevelResults:
    """One level's stored results, indexed for quick look-ups per area."""

    dataset: str
    level: str
    results: dict[str, Any]
    regions: pd.DataFrame  # every region of the reference year, indexed by code
    geometries: dict[str, str]  # code -> GeoJSON text, this level
    indicators: list[str]
    years: list[int]
    primary: str
    bands: dict[tuple[str, int], FunnelResult | None]
    reasons: dict[str, dict[str, str]]  # lang -> code -> reasons
    codes: list[str] = field(default_factory=list)

    @property
    def run(self) -> dict[str, Any]:
        run: dict[str, Any] = self.results["run"]
        return run

    @functools.cached_property
    def shapes(self) -> dict[str, BaseGeometry]:
        """The geometries parsed (once, on first use)."""
        from bluezones.present.report.draw import parse

        return parse(self.geometries)

    @property
    def reference_year(self) -> int:
        return int(self.run["reference_year"])

    def name(self, code: str) -> str:
        value = self.regions["name"].get(code)
        return code if value is None or pd.isna(value) else str(value)


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator of one area against its expectation."""

    indicator: str
    year: int | None  # the latest year with usable figures
    observed: float | None
    expected: float | None
    ratio: float | None
    ratio_low: float | None
    ratio_high: float | None
    pooled: float | None  # observed/expected over every usable year
    pooled_low: float | None
    pooled_high: float | None
    lasting: float | None  # the lasting effect as a ratio (not for a jeugdregio)
    lasting_low: float | None
    lasting_high: float | None
    p_below: float | None
    p_above: float | None
    usable_years: int


@dataclass(frozen=True)
class TrendPoint:
    """One year of one indicator: ratio, interval, expectation band; ``None`` if unusable."""

    year: int
    ratio: float | None
    low: float | None
    high: float | None
    band_low: float | None
    band_high: float | None
    note: str = ""


@dataclass(frozen=True)
class AreaNumbers:
    """Everything numeric of one area's report."""

    kind: Kind
    code: str
    rows: list[IndicatorRow]
    trends: dict[str, list[TrendPoint]]
    members: list[str]  # a jeugdregio's gemeenten
    missing_members: dict[str, dict[int, int]]  # indicator -> year -> gemeenten left out


def has_results(store: Store, dataset: str, level: str) -> bool:
    """Whether detection results of ``dataset`` at ``level`` are stored."""
    return (
        store.has_table(RUNS_TABLE)
        and not store.read(RUNS_TABLE, where={"dataset": dataset, "level": level}).empty
    )


def load_level(store: Store, dataset: str, level: str) -> LevelResults:
    """Read one level's results, region names, geometries and yearly funnels."""
    results = _load(store, dataset, level)
    run = results["run"]
    year = int(run["reference_year"])
    classification = results["classification"].sort_values("region_code", ignore_index=True)
    if classification.empty:
        raise DetectError(
            f"The detection results of {dataset} at {level} level list no areas.",
            hint=f"Run 'bluezones detect --dataset {dataset} --level {level}' again.",
        )
    results["classification"] = classification
    regions = store.read("regions", where={"dataset": dataset, "year": year})
    regions = regions.drop_duplicates("region_code", keep="last").set_index("region_code")
    geoms = store.read("geometries", where={"dataset": dataset, "year": year, "level": level})
    area_year = results["area_year"]
    present = set(area_year["indicator"])
    indicators = [i for i in run["summary"]["indicators"] if i in present]
    years = sorted(int(y) for y in area_year["year"].unique())
    return LevelResults(
        dataset=dataset,
        level=level,
        results=results,
        regions=regions,
        geometries=dict(zip(geoms["region_code"], geoms["geojson"], strict=True)),
        indicators=indicators,
        years=years,
        primary=str(run["config"]["rules"]["primary"]),
        bands=_funnels(area_year, indicators, years, run["config"]),
        reasons=_reasons(results["evidence"], classification, run["config"]),
        codes=classification["region_code"].tolist(),
    )


def area_numbers(data: LevelResults, code: str, members: list[str] | None = None) -> AreaNumbers:
    """The numbers of one area, or of a jeugdregio made of the gemeenten ``members``."""
    area_year = data.results["area_year"]
    kind: Kind
    if members is None:
        kind = "wijk" if data.level == "wijk" else "gemeente"
        cells = area_year[area_year["region_code"] == code]
        evidence = data.results["evidence"]
        evidence = evidence[evidence["region_code"] == code].set_index("indicator")
        missing: dict[str, dict[int, int]] = {}
    else:
        kind = "jeugdregio"
        cells, missing = _aggregate(area_year[area_year["region_code"].isin(members)])
        evidence = pd.DataFrame()
    rows, trends = [], {}
    for name in data.indicators:
        part = cells[cells["indicator"] == name].sort_values("year")
        usable = part[part["usable"].fillna(False).astype(bool)]
        ev = evidence.loc[name] if name in evidence.index else None
        rows.append(_row(name, usable, ev))
        trends[name] = _trend(data, name, part)
    return AreaNumbers(kind, code, rows, trends, list(members or []), missing)


# --------------------------------------------------------------------------- parts


def _aggregate(cells: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, dict[int, int]]]:
    """Sum observed and expected over the usable gemeenten, per indicator and year."""
    usable = cells[cells["usable"].fillna(False).astype(bool)]
    sums = usable.groupby(["indicator", "year"], as_index=False)[["observed", "expected"]].sum()
    counted = usable.groupby(["indicator", "year"]).size()
    total = cells.groupby(["indicator", "year"]).size()
    left_out = total.sub(counted, fill_value=0)
    missing: dict[str, dict[int, int]] = {}
    for (name, year), n in zip(left_out.index.tolist(), left_out.tolist(), strict=True):
        if n > 0:
            missing.setdefault(str(name), {})[int(year)] = int(n)
    sums["usable"] = sums["expected"] > 0
    ok = sums["usable"]
    sums["ratio"] = np.nan
    sums["ratio_low"] = np.nan
    sums["ratio_high"] = np.nan
    if ok.any():
        ci = ratio_interval(sums.loc[ok, "observed"], sums.loc[ok, "expected"])
        sums.loc[ok, "ratio"] = ci["estimate"].to_numpy()
        sums.loc[ok, "ratio_low"] = ci["lower"].to_numpy()
        sums.loc[ok, "ratio_high"] = ci["upper"].to_numpy()
    sums["reason"] = ""
    return sums, missing


def _row(name: str, usable: pd.DataFrame, ev: pd.Series | None) -> IndicatorRow:
    last = usable.iloc[-1] if not usable.empty else None
    pooled: tuple[float | None, float | None, float | None] = (None, None, None)
    if not usable.empty and usable["expected"].sum() > 0:
        ci = ratio_interval([usable["observed"].sum()], [usable["expected"].sum()]).iloc[0]
        pooled = (float(ci["estimate"]), float(ci["lower"]), float(ci["upper"]))
    return IndicatorRow(
        indicator=name,
        year=None if last is None else int(last["year"]),
        observed=_num(None if last is None else last["observed"]),
        expected=_num(None if last is None else last["expected"]),
        ratio=_num(None if last is None else last["ratio"]),
        ratio_low=_num(None if last is None else last["ratio_low"]),
        ratio_high=_num(None if last is None else last["ratio_high"]),
        pooled=pooled[0],
        pooled_low=pooled[1],
        pooled_high=pooled[2],
        lasting=_num(None if ev is None else ev["ratio"]),
        lasting_low=_num(None if ev is None else ev["ratio_low"]),
        lasting_high=_num(None if ev is None else ev["ratio_high"]),
        p_below=_num(None if ev is None else ev["p_below"]),
        p_above=_num(None if ev is None else ev["p_above"]),
        usable_years=len(usable),
    )


def _trend(data: LevelResults, name: str, part: pd.DataFrame) -> list[TrendPoint]:
    by_year = part.set_index("year")
    points = []
    for year in data.years:
        if year not in by_year.index:
            points.append(TrendPoint(year, None, None, None, None, None))
            continue
        cell = by_year.loc[year]
        ok = bool(cell["usable"]) if pd.notna(cell["usable"]) else False
        band = _band(data.bands.get((name, year)), _num(cell["expected"]))
        points.append(
            TrendPoint(
                year,
                _num(cell["ratio"]) if ok else None,
                _num(cell["ratio_low"]) if ok else None,
                _num(cell["ratio_high"]) if ok else None,
                band[0],
                band[1],
                "" if ok else str(cell.get("reason") or ""),
            )
        )
    return points


def _funnels(
    area_year: pd.DataFrame, indicators: list[str], years: list[int], config: dict[str, Any]
) -> dict[tuple[str, int], FunnelResult | None]:
    """Each indicator and year's funnel, fitted as detection fitted it."""
    out: dict[tuple[str, int], FunnelResult | None] = {}
    usable = area_year[area_year["usable"].fillna(False).astype(bool)]
    for (name, year), cells in usable.groupby(["indicator", "year"]):
        if name not in indicators or len(cells) < 3:
            continue
        out[(str(name), int(year))] = funnel_ratio(  # type: ignore[call-overload]
            cells["observed"].to_numpy(float),
            cells["expected"].to_numpy(float),
            scale=FUNNEL_SCALE,
            levels=config["levels"],
            overdispersion=config["overdispersion"],
            trim_fraction=config.get("funnel_trim", 0.0),
        )
    return out


def _band(result: FunnelResult | None, expected: float | None) -> tuple[float | None, float | None]:
    """The 95% funnel limits at ``expected``: where O/E falls for an area as expected."""
    if result is None or expected is None or expected <= 0 or BAND_LEVEL not in result.levels:
        return None, None
    curve = funnel_curves(result, precision=[expected]).iloc[0]
    tag = f"{100 * BAND_LEVEL:g}"
    return _num(curve[f"lower_{tag}"]), _num(curve[f"upper_{tag}"])


def _reasons(
    evidence: pd.DataFrame, classification: pd.DataFrame, config: dict[str, Any]
) -> dict[str, dict[str, str]]:
    """The reasons per language: as stored, and classified again for the other language.

    Classifying the stored evidence again with the run's rules gives the same
    statuses; if not (results of an older rule set), the stored reasons are used.
    """
    stored = dict(zip(classification["region_code"], classification["reasons"], strict=True))
    lang_run = str(config.get("lang", "nl"))
    out: dict[str, dict[str, str]] = {
        lang_run: {str(c): "" if pd.isna(r) else str(r) for c, r in stored.items()}
    }
    raw: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in config.get("rules", {}).items()
    }
    evidence = evidence.drop(columns=[c for c in ("dataset", "level") if c in evidence])
    for lang in ("nl", "en"):
        if lang in out:
            continue
        try:
            again = classify(evidence, Rules(**raw), lang).set_index("region_code")
        except (DetectError, KeyError, TypeError, ValueError):
            again = None
        codes = classification["region_code"]
        same = again is not None and (
            again["status"].reindex(codes).tolist() == classification["status"].tolist()
        )
        if again is not None and same:
            out[lang] = {c: str(again["reasons"].get(c, "")) for c in codes}
        else:
            out[lang] = out[lang_run]
    return out


def _num(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None
