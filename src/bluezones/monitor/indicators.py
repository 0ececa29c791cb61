"""Youth-protection indicators per gemeente, jeugdregio or land and year, with intervals.

The NJi/BMC "Kinderen blijvend veilig" building blocks and the jeugdbeschermingspilots
are judged on: the number of supervision orders (OTS) and their rate per 1,000 young
people, their mean duration, out-of-home placements (UHP), the JB and JR rates, and a
shift from heavier to lighter care (the share of jeugdhulp with residence). Rates reuse
:data:`bluezones.indicators.INDICATORS` (numerator, denominator, ``per``, polarity,
trend breaks); the mean OTS duration and the residential share are defined here.

Aggregation (gemeente -> jeugdregio -> land) sums counts over the reference year's
gemeenten (``regions.jeugdregio_code``) and recomputes rates from summed counts; a mean
(days per ended order) is weighted by its weight count. Suppressed gemeente cells make
the sum unknown: ``suppressed="propagate"`` (default) leaves it missing,
``"midpoint"`` counts each suppressed cell as :data:`SUPPRESSED_MIDPOINT` (half of
CBS's threshold of 10, the centre of the possible values 0-9) and reports how many
cells were imputed, so the reader sees the bound ``9 * imputed`` on the error.

Intervals (95% by default) come from :mod:`bluezones.detect.intervals`: rates get
PHEindicatormethods' ``phe_rate`` interval (exact Garwood below 10 events, Byar's
above), shares the Wilson score interval. A mean duration gets none (CBS publishes no
spread of durations).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from bluezones.detect.intervals import DEFAULT_LEVEL, proportion_interval, rate_interval
from bluezones.errors import DataError
from bluezones.indicators import INDICATORS, TREND_BREAKS, Polarity, measure

__all__ = [
    "MONITOR_INDICATORS",
    "SUPPRESSED_MIDPOINT",
    "MonitorIndicator",
    "aggregate",
    "monitor_table",
]

Kind = Literal["rate", "share", "mean"]
Level = Literal["gemeente", "jeugdregio", "land"]
Suppressed = Literal["propagate", "midpoint"]
LEVELS: tuple[str, ...] = ("gemeente", "jeugdregio", "land")
SUPPRESSION_POLICIES: tuple[str, ...] = ("propagate", "midpoint")
#: Value counted for a suppressed cell under ``suppressed="midpoint"``: CBS suppresses
#: counts 0-9, whose midpoint is 4.5.
SUPPRESSED_MIDPOINT = 4.5
LAND_CODE = "NL00"


@dataclass(frozen=True)
class MonitorIndicator:
    """One monitor indicator: ``per * numerator / denominator`` (rate, share) or a mean.

    For a ``mean`` the numerator is the mean measure and the denominator its weight.
    """

    name: str
    kind: Kind
    numerator: str
    denominator: str
    label_nl: str
    per: int
    polarity: Polarity
    trend_breaks: tuple[int, ...]


def _from_rate(name: str) -> MonitorIndicator:
    spec = INDICATORS[name]
    return MonitorIndicator(
        spec.name,
        "rate",
        spec.numerator,
        spec.denominator,
        spec.label_nl,
        spec.per,
        spec.polarity,
        spec.trend_breaks,
    )


_LIST = [
    _from_rate("ots"),
    _from_rate("uithuisplaatsing"),
    _from_rate("jeugdbescherming"),
    _from_rate("jeugdreclassering"),
    MonitorIndicator(
        "ots_duration",
        "mean",
        "ots_duration_days",
        "ots_ended",
        "Gemiddelde duur beëindigde ondertoezichtstellingen (dagen)",
        1,
        "lower_is_better",
        INDICATORS["ots"].trend_breaks,
    ),
    MonitorIndicator(
        "share_met_verblijf",
        "share",
        "jeugdhulp_met_verblijf",
        "jeugdhulp",
        "Aandeel jeugdhulp met verblijf (% van jeugdhulp)",
        100,
        "lower_is_better",
        INDICATORS["jeugdhulp_met_verblijf"].trend_breaks,
    ),
]
#: The monitor's indicators by name.
MONITOR_INDICATORS: dict[str, MonitorIndicator] = {i.name: i for i in _LIST}
_OUTPUT = [
    "region_code",
    "year",
    "indicator",
    "numerator",
    "denominator",
    "value",
    "lower",
    "upper",
    "imputed",
    "polarity",
    "trend_break",
]


def _spec(name: str) -> MonitorIndicator:
    try:
        return MONITOR_INDICATORS[name]
    except KeyError:
        raise DataError(
            f"Unknown monitor indicator {name!r}.",
            hint=f"Choose from {', '.join(MONITOR_INDICATORS)}.",
        ) from None


def _units(regions: pd.DataFrame, facts: pd.DataFrame, level: str) -> pd.DataFrame:
    """``region_code, year, unit`` for every gemeente row of ``facts``.

    A year listed in ``regions`` uses that year's gemeenten and their jeugdregio; any
    other year (harmonised facts with only the reference year's list) uses the latest.
    """
    gem = regions[regions["level"] == "gemeente"].copy()
    if "year" not in gem.columns:
        gem["year"] = -1
    if level == "jeugdregio" and gem["jeugdregio_code"].isna().any():
        missing = gem[gem["jeugdregio_code"].isna()]
        raise DataError(
            f"{len(missing)} gemeenten have no jeugdregio in the region list.",
            hint="Load region lists with jeugdregio codes (the demo and CBS lists have them).",
            region=str(missing["region_code"].iloc[0]),
        )
    gem["unit"] = {
        "gemeente": gem["region_code"],
        "jeugdregio": gem["jeugdregio_code"],
        "land": pd.Series(LAND_CODE, index=gem.index),
    }[level].astype(str)
    listed = set(gem["year"].astype(int))
    latest = max(listed)
    pairs = facts[["region_code", "year"]].drop_duplicates()
    pairs = pairs.assign(list_year=[y if y in listed else latest for y in pairs["year"]])
    lookup = gem.rename(columns={"year": "list_year"})[["list_year", "region_code", "unit"]]
    return pairs.merge(lookup, on=["list_year", "region_code"], how="inner").drop(
        columns="list_year"
    )


def aggregate(
    facts: pd.DataFrame,
    regions: pd.DataFrame,
    measures: Sequence[str],
    level: Level = "jeugdregio",
    *,
    suppressed: Suppressed = "propagate",
) -> pd.DataFrame:
    """Measures per unit of ``level`` and year from harmonised gemeente facts.

    Parameters
    ----------
    facts
        Tidy facts of gemeenten (rows of other levels are ignored).
    regions
        Region rows (``year``, ``region_code``, ``level``, ``jeugdregio_code``). For
        ``jeugdregio`` or ``land`` pass the facts as published with every year's list:
        suppressed cells are then single gemeenten (a harmonised cell may stand for a
        merged gemeente, whose midpoint would be far too low). For ``gemeente`` pass
        harmonised facts and the reference year's list.
    measures
        Measure names; counts are summed, a mean is weighted by its weight count
        (which must be among ``measures`` or is added).
    level, suppressed
        See the module docstring.

    Returns
    -------
    DataFrame
        ``region_code, year, <measure>..., imputed_<measure>...`` (one row per unit-year).
    """
    if level not in LEVELS:
        raise DataError(f"Unknown level {level!r}.", hint=f"Choose from {', '.join(LEVELS)}.")
    if suppressed not in SUPPRESSION_POLICIES:
        raise DataError(
            f"Unknown suppression policy {suppressed!r}.",
            hint=f"Choose from {', '.join(SUPPRESSION_POLICIES)}.",
        )
    impute = suppressed == "midpoint"
    wanted = list(dict.fromkeys(measures))
    for name in list(wanted):
        weight = measure(name).weight
        if weight is not None and weight not in wanted:
            wanted.append(weight)
    units = _units(regions, facts[facts["measure"].isin(wanted)], level)
    keys = pd.MultiIndex.from_frame(units[["region_code", "year"]])
    rows = facts[facts["measure"].isin(wanted)]
    rows = rows[pd.MultiIndex.from_frame(rows[["region_code", "year"]]).isin(keys)]
    wide = rows.pivot_table(
        index=["region_code", "year"],
        columns="measure",
        values="value",
        aggfunc="first",
        dropna=False,
    ).reindex(columns=wanted)
    status = rows.pivot_table(
        index=["region_code", "year"],
        columns="measure",
        values="status",
        aggfunc="first",
        dropna=False,
    ).reindex(index=wide.index, columns=wanted)
    out = pd.DataFrame(index=wide.index)
    for name in wanted:
        spec = measure(name)
        value = wide[name]
        hidden = value.isna() & (status[name] == "suppressed")
        out[f"imputed_{name}"] = hidden.astype(int)
        if spec.kind == "count":
            out[name] = value.where(~hidden, SUPPRESSED_MIDPOINT) if impute else value
        else:
            # A mean of a suppressed cell is left out with its weight under "midpoint".
            w_count = wide[str(spec.weight)]
            out[name] = (value * w_count).where(~hidden, 0.0) if impute else value * w_count
            out[f"weight_{name}"] = w_count.where(~hidden, 0.0) if impute else w_count
    out = out.reset_index().merge(units, on=["region_code", "year"], how="left")
    out["region_code"] = out.pop("unit")
    grouped = out.groupby(["region_code", "year"], sort=True)
    # A sum with any missing part is missing: never a silent undercount.
    summed = grouped.sum(min_count=1)
    incomplete = grouped.count().lt(grouped.size(), axis=0)
    summed = summed.mask(incomplete)
    for name in wanted:
        if measure(name).kind != "count":
            w = summed.pop(f"weight_{name}")
            summed[name] = summed[name] / w.where(w > 0)
    return summed.reset_index()


def _intervals(
    spec: MonitorIndicator, num: pd.Series, den: pd.Series, level: float
) -> pd.DataFrame:
    ok = num.notna() & den.notna() & (den > 0)
    lower = pd.Series(np.nan, index=num.index)
    upper = pd.Series(np.nan, index=num.index)
    if ok.any() and spec.kind != "mean":
        n, d = num[ok].to_numpy(float), den[ok].to_numpy(float)
        if spec.kind == "rate":
            ci = rate_interval(n, d, level=level, multiplier=spec.per)
        else:
            ci = proportion_interval(n, d, level=level) * spec.per
        lower[ok] = ci["lower"].to_numpy()
        upper[ok] = ci["upper"].to_numpy()
    return pd.DataFrame({"lower": lower, "upper": upper})


def monitor_table(
    facts: pd.DataFrame,
    regions: pd.DataFrame,
    level: Level = "jeugdregio",
    indicators: Sequence[str] = tuple(MONITOR_INDICATORS),
    *,
    suppressed: Suppressed = "propagate",
    ci_level: float = DEFAULT_LEVEL,
) -> pd.DataFrame:
    """Every monitor indicator per unit and year, with its interval, polarity and breaks.

    Parameters
    ----------
    facts, regions, level, suppressed
        As in :func:`aggregate`.
    indicators
        Names from :data:`MONITOR_INDICATORS` (default: all).
    ci_level
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        Long: ``region_code, year, indicator, numerator, denominator, value, lower,
        upper, imputed, polarity, trend_break`` where ``value = per * numerator /
        denominator`` (a mean for ``ots_duration``), ``imputed`` the number of
        suppressed cells counted at the midpoint, and ``trend_break`` the reason when
        a new series starts in that year (else empty).

    Examples
    --------
    >>> from bluezones.sources.demo import generate
    >>> c = generate(1, years=range(2022, 2025))
    >>> ref = c.regions[c.regions["year"] == 2024]
    >>> t = monitor_table(c.facts, ref, "land", ["ots"])
    >>> t[["year", "indicator"]].values.tolist()
    [[2022, 'ots'], [2023, 'ots'], [2024, 'ots']]
    """
    specs = [_spec(n) for n in indicators]
    measures = [m for s in specs for m in (s.numerator, s.denominator)]
    agg = aggregate(facts, regions, measures, level, suppressed=suppressed)
    frames = []
    for spec in specs:
        num, den = agg[spec.numerator], agg[spec.denominator]
        value = (num if spec.kind == "mean" else spec.per * num / den).where(den > 0)
        part = pd.DataFrame(
            {
                "region_code": agg["region_code"],
                "year": agg["year"].astype("int64"),
                "indicator": spec.name,
                "numerator": num,
                "denominator": den,
                "value": value,
            }
        )
        part = pd.concat([part, _intervals(spec, num, den, ci_level)], axis=1)
        part["imputed"] = agg[f"imputed_{spec.numerator}"].astype("int64")
        part["polarity"] = spec.polarity
        part["trend_break"] = [
            TREND_BREAKS.get(int(y), "") if int(y) in spec.trend_breaks else ""
            for y in part["year"]
        ]
        frames.append(part)
    return pd.concat(frames, ignore_index=True)[_OUTPUT]
