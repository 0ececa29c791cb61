"""Which cells of a microdata dataset's detection results must be suppressed.

:func:`suppression_plan` puts every level's cells in one hierarchy (wijk <
gemeente < jeugdregio < land, and years < pooled evidence per area), so the
wijk and gemeente outputs of a dataset are protected *together*: a gemeente
hidden at gemeente level cannot come back as the sum of its published wijken.
Gemeente, jeugdregio and land totals that no output shows are still treated as
published (they may be, in a report or another table): the safe assumption.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bluezones.detect.results import RUNS_TABLE, load_results
from bluezones.sdc.suppress import Group, primary_mask, secondary_suppress
from bluezones.store import Store

__all__ = ["LEVEL_TIERS", "Plan", "suppression_plan"]

#: Tiers of the geographic hierarchy, from small to large.
LEVEL_TIERS = ("wijk", "gemeente", "jeugdregio", "land")
#: Code of the national total.
LAND = "NL00"
#: Year key of a pooled (all usable years) cell.
POOLED = -1
CELL_KEYS = ["tier", "indicator", "region_code", "year"]


@dataclass
class Plan:
    """Per released level: hidden cells and hidden pooled evidence, with counts."""

    min_count: int
    #: level -> frame (indicator, region_code, year, hide_observed, hide_n)
    cells: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: level -> set of (indicator, region_code) whose pooled evidence is hidden
    pooled: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    #: level -> {"cells", "primary", "secondary", "pooled"} counts of observed cells
    stats: dict[str, dict[str, int]] = field(default_factory=dict)


#: Plans kept for the same store, dataset, minimum and detection runs (an atlas asks
#: for each level, and its monitor pages again).
_CACHE: dict[tuple[Any, ...], Plan] = {}
_CACHE_SIZE = 4


def suppression_plan(store: Store, dataset: str, min_count: int) -> Plan:
    """The suppression of every detected level of ``dataset`` at ``min_count``."""
    runs = (
        store.read(RUNS_TABLE, where={"dataset": dataset}) if store.has_table(RUNS_TABLE) else None
    )
    stamp = (
        ()
        if runs is None
        else tuple(sorted(zip(runs["level"], runs["created_at"].astype(str), strict=True)))
    )
    key = (str(store.path.resolve()), dataset, min_count, stamp)
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = _plan(store, dataset, min_count)
    return _CACHE[key]


def _plan(store: Store, dataset: str, min_count: int) -> Plan:
    levels = [lv for lv in ("gemeente", "wijk") if _has_results(store, dataset, lv)]
    results = {lv: load_results(store, dataset, lv) for lv in levels}
    cells, parents = _cells(store, dataset, results)
    n_groups = _geo_groups(cells, parents)
    pooled_groups = _pooled_groups(cells, results) + _pooled_geo_groups(cells, parents, results)

    n_vals = cells["n"].to_numpy(float)
    n_primary = primary_mask(n_vals, min_count)
    n_hidden = secondary_suppress(n_vals, n_primary, n_groups, min_count)

    o_vals = cells["observed"].to_numpy(float)
    pooled = cells["year"].to_numpy() == POOLED
    o_primary = primary_mask(o_vals, min_count, np.where(pooled, np.nan, cells["n"]))
    # A row whose population is hidden loses its count too (E and O/E would give n back).
    o_start = o_primary | (n_hidden & ~pooled)
    # Those without care (n - observed) add up like the counts do: where n is shown, a
    # hidden count is a hidden complement, so both are protected until neither changes.
    rest = cells["n"].to_numpy(float) - o_vals
    o_hidden = o_start
    while True:
        o_hidden = secondary_suppress(o_vals, o_hidden, n_groups + pooled_groups, min_count)
        more = secondary_suppress(rest, o_hidden & ~pooled, n_groups, min_count) & ~pooled
        if not (more & ~o_hidden).any():
            break
        o_hidden = o_hidden | more

    plan = Plan(min_count)
    known = np.isfinite(o_vals)
    for level in levels:
        mine = (cells["tier"] == level).to_numpy() & ~pooled
        part = cells.loc[mine, ["indicator", "region_code", "year"]].assign(
            hide_observed=o_hidden[mine], hide_n=n_hidden[mine]
        )
        plan.cells[level] = part.reset_index(drop=True)
        at = (cells["tier"] == f"pooled:{level}").to_numpy()
        plan.pooled[level] = set(
            zip(
                cells.loc[at & o_hidden, "indicator"],
                cells.loc[at & o_hidden, "region_code"],
                strict=True,
            )
        )
        plan.stats[level] = {
            "cells": int((mine & known).sum()),
            "primary": int((mine & known & o_start).sum()),
            "secondary": int((mine & known & o_hidden & ~o_start).sum()),
            "pooled": int((at & o_hidden).sum()),
        }
    return plan


def _has_results(store: Store, dataset: str, level: str) -> bool:
    return (
        store.has_table(RUNS_TABLE)
        and not store.read(RUNS_TABLE, where={"dataset": dataset, "level": level}).empty
    )


Parents = dict[tuple[str, str], tuple[str, str]]


def _cells(
    store: Store, dataset: str, results: dict[str, dict[str, Any]]
) -> tuple[pd.DataFrame, Parents]:
    """Every cell (the levels' own, their parents up to the land, pooled cells), and
    each area's parent: ``(tier, code) -> (parent tier, parent code)``."""
    cols = ["indicator", "region_code", "year", "observed", "n", "usable"]
    own = {
        lv: r["area_year"][cols].assign(tier=lv, year=lambda f: f["year"].astype(int))
        for lv, r in results.items()
    }
    year = max((r["run"]["reference_year"] for r in results.values()), default=0)
    regions = store.read("regions", where={"dataset": dataset, "year": year})
    regions = regions.drop_duplicates("region_code", keep="last").set_index("region_code")
    frames = list(own.values())
    parents: Parents = {}
    gemeenten = own.get("gemeente", pd.DataFrame(columns=[*cols, "tier"]))
    if "wijk" in own:
        wijk = own["wijk"].assign(parent=_gemeente_of(own["wijk"]["region_code"], regions))
        for code, gm in zip(wijk["region_code"], wijk["parent"], strict=True):
            parents[("wijk", str(code))] = ("gemeente", str(gm))
        sums = _sum_up(wijk, "gemeente")
        have = set(
            zip(gemeenten["indicator"], gemeenten["region_code"], gemeenten["year"], strict=True)
        )
        keep = [
            k not in have
            for k in zip(sums["indicator"], sums["region_code"], sums["year"], strict=True)
        ]
        frames.append(sums[keep])
        gemeenten = pd.concat([gemeenten, sums[keep]], ignore_index=True)
    jz = regions["jeugdregio_code"] if "jeugdregio_code" in regions else pd.Series(dtype=str)
    gm = gemeenten.assign(parent=gemeenten["region_code"].map(jz))
    regios = _sum_up(gm[gm["parent"].notna()], "jeugdregio")
    frames.append(regios)
    top = pd.concat(
        [regios, gm[gm["parent"].isna()].drop(columns="parent")], ignore_index=True
    ).assign(parent=LAND)
    frames.append(_sum_up(top, "land"))
    for code, regio in zip(gm["region_code"], gm["parent"], strict=True):
        parents[("gemeente", str(code))] = (
            ("land", LAND) if pd.isna(regio) else ("jeugdregio", str(regio))
        )
    for code in regios["region_code"]:
        parents[("jeugdregio", str(code))] = ("land", LAND)
    for lv, frame in own.items():
        used = frame[frame["usable"].fillna(False).astype(bool)]
        pooled = used.groupby(["indicator", "region_code"], as_index=False)["observed"].sum()
        frames.append(pooled.assign(tier=f"pooled:{lv}", year=POOLED, n=np.nan, usable=True))
    cells = pd.concat([f[[*CELL_KEYS, "observed", "n"]] for f in frames], ignore_index=True)
    return cells.astype({"observed": float, "n": float}), parents


def _gemeente_of(codes: pd.Series, regions: pd.DataFrame) -> pd.Series:
    """A wijk's gemeente: from the regions table, else from the code (WKggggww -> GMgggg)."""
    listed = codes.map(regions["gemeente_code"]) if "gemeente_code" in regions else None
    from_code = "GM" + codes.str[2:6]
    return from_code if listed is None else listed.fillna(from_code)


def _sum_up(frame: pd.DataFrame, tier: str) -> pd.DataFrame:
    """Parent cells: the sums of ``frame``'s cells per indicator, year and ``parent``."""
    sums = frame.groupby(["indicator", "parent", "year"], as_index=False)[["observed", "n"]].sum(
        min_count=1
    )
    return sums.rename(columns={"parent": "region_code"}).assign(tier=tier, usable=True)


def _positions(cells: pd.DataFrame) -> dict[tuple[Any, ...], int]:
    keys = zip(cells["tier"], cells["indicator"], cells["region_code"], cells["year"], strict=True)
    return {key: i for i, key in enumerate(keys)}


def _geo_groups(cells: pd.DataFrame, parents: Parents) -> list[Group]:
    """Each parent cell and the cells one tier down that add up to it."""
    pos = _positions(cells)
    members: dict[int, list[int]] = {}
    for i, (tier, ind, code, year) in enumerate(
        zip(cells["tier"], cells["indicator"], cells["region_code"], cells["year"], strict=True)
    ):
        parent = parents.get((tier, code))
        if parent is None:
            continue
        p = pos.get((parent[0], ind, parent[1], year))
        if p is not None:
            members.setdefault(p, []).append(i)
    return [Group(p, np.array(kids)) for p, kids in sorted(members.items())]


def _pooled_groups(cells: pd.DataFrame, results: dict[str, dict[str, Any]]) -> list[Group]:
    """Each area's pooled cell and the usable year cells it adds up."""
    pos = _positions(cells)
    groups = []
    for lv, r in results.items():
        ay = r["area_year"]
        used = ay[ay["usable"].fillna(False).astype(bool)]
        for (ind, code), rows in used.groupby(["indicator", "region_code"], sort=True):
            p = pos.get((f"pooled:{lv}", ind, code, POOLED))
            kids = [pos.get((lv, ind, code, int(y))) for y in rows["year"]]
            kids_found = [k for k in kids if k is not None]
            if p is not None and kids_found:
                groups.append(Group(p, np.array(kids_found)))
    return groups


def _pooled_geo_groups(
    cells: pd.DataFrame, parents: Parents, results: dict[str, dict[str, Any]]
) -> list[Group]:
    """A gemeente's pooled cell and its wijken's, where both levels pool the same years.

    With the same window the wijken's pooled counts add up to (about) the gemeente's,
    so one hidden wijk next to a published gemeente would come back.
    """
    if set(results) != {"gemeente", "wijk"}:
        return []
    years = {
        lv: set(r["area_year"].loc[r["area_year"]["usable"].astype(bool), "year"].astype(int))
        for lv, r in results.items()
    }
    if not years["wijk"] or years["wijk"] != years["gemeente"]:
        return []
    pos = _positions(cells)
    members: dict[int, list[int]] = {}
    wijk = cells[cells["tier"] == "pooled:wijk"]
    for i, ind, code in zip(wijk.index, wijk["indicator"], wijk["region_code"], strict=True):
        parent = parents.get(("wijk", str(code)))
        p = None if parent is None else pos.get(("pooled:gemeente", ind, parent[1], POOLED))
        if p is not None:
            members.setdefault(p, []).append(int(i))
    return [Group(p, np.array(kids)) for p, kids in sorted(members.items())]
