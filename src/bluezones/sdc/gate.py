"""The one gate every output of detection and monitor results goes through.

:func:`released_results` is :func:`bluezones.detect.results.load_results` made
safe to publish: for a dataset whose origin is ``microdata`` it suppresses what
:mod:`bluezones.sdc.plan` says, blanks everything derived from a suppressed
count in the same row, and drops minimum/maximum and person-identifier columns.
For every other dataset it returns ``load_results``'s own output, untouched.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from bluezones.detect.results import load_results
from bluezones.i18n import text
from bluezones.sdc.plan import Plan, suppression_plan
from bluezones.sdc.policy import Policy, is_minmax_column, is_person_id_column, policy_for
from bluezones.sdc.suppress import Group, primary_mask, secondary_suppress
from bluezones.store import Store

__all__ = [
    "SUPPRESSED_STATUS",
    "protect_results",
    "released_monitor",
    "released_results",
    "translate_suppressed",
]

#: Status of an area whose evidence is suppressed (shown as "too small").
SUPPRESSED_STATUS = "too_small"
#: Columns of an area-year row that neither reveal its count nor its population.
AREA_YEAR_KEEP = frozenset({"dataset", "level", "indicator", "region_code", "year"})
#: ... and those that reveal the population but not the count (kept while n is).
AREA_YEAR_POPULATION = ("n", "expected", "expected_rate")
#: Evidence columns that do not depend on the counts.
EVIDENCE_KEEP = frozenset(
    {"dataset", "level", "indicator", "region_code", "years", "expected_total"}
)
#: Classification columns that do not depend on the counts.
CLASSIFICATION_KEEP = frozenset({"dataset", "level", "region_code", "years", "expected_total"})
#: Spatial columns that do not depend on the area's own evidence.
SPATIAL_KEEP = frozenset({"dataset", "level", "region_code"})


def released_results(
    store: Store, dataset: str, level: str, *, min_count: int | None = None
) -> dict[str, Any]:
    """``load_results(store, dataset, level)``, protected if ``dataset`` is microdata.

    ``min_count`` overrides the ``min_cell`` setting (never below the store's
    minimum for the dataset). The protected output carries a ``"disclosure"``
    entry: the minimum and how many cells were suppressed.
    """
    results = load_results(store, dataset, level)
    policy = policy_for(store, dataset, min_count)
    if not policy.applies:
        return results
    assert policy.min_count is not None
    plan = suppression_plan(store, dataset, policy.min_count)
    return protect_results(results, plan, level, policy)


def protect_results(
    results: dict[str, Any], plan: Plan, level: str, policy: Policy
) -> dict[str, Any]:
    """Apply ``plan`` to one level's loaded results (a new dict; the input is kept)."""
    run = results["run"]
    lang = str(run["config"].get("lang", "nl"))
    reason = text("sdc.suppressed", lang, min_count=plan.min_count)
    primary = str(run["config"].get("rules", {}).get("primary", ""))
    cells = plan.cells.get(level, pd.DataFrame(columns=["indicator", "region_code", "year"]))
    pooled = plan.pooled.get(level, set())

    out = dict(results)
    area_year, hidden = _area_year(results["area_year"], cells, reason)
    out["area_year"] = area_year
    out["evidence"] = _blank_rows(
        results["evidence"],
        [
            (i, c) in pooled
            for i, c in zip(
                results["evidence"]["indicator"], results["evidence"]["region_code"], strict=True
            )
        ],
        EVIDENCE_KEEP,
    )
    gone = {c for i, c in pooled if i == primary}
    # An escalation rests on the escalation indicators' evidence, and its reasons quote it.
    escalation = set(run["config"].get("rules", {}).get("escalation", []))
    cls = results["classification"]
    escalated = cls["status"].eq("escalation") & cls["region_code"].isin(
        {c for i, c in pooled if i in escalation}
    )
    gone |= set(cls.loc[escalated, "region_code"])
    out["classification"] = _classification(results["classification"], gone, reason)
    out["spatial"] = _spatial(results["spatial"], gone)
    hidden_years = {(c, int(y)) for i, c, y in hidden if i == primary}
    out["yearly_status"] = _yearly_status(results["yearly_status"], hidden_years)
    out["changes"] = _changes(results["changes"], hidden_years)
    out = {k: _clean_columns(v) if isinstance(v, pd.DataFrame) else v for k, v in out.items()}
    summary = dict(run["summary"])
    counts = out["classification"]["status"].value_counts().sort_index()
    summary["status_counts"] = {str(k): int(v) for k, v in counts.items()}
    out["run"] = {**run, "summary": summary}
    out["disclosure"] = {**policy.describe(), **plan.stats.get(level, {})}
    return out


def released_monitor(store: Store, dataset: str, *, min_count: int | None = None) -> dict[str, Any]:
    """``load_monitor(store, dataset)``, protected if ``dataset`` is microdata.

    The monitor's indicators are rates per jeugdregio and for the land; a rate
    whose numerator or denominator (or their difference) is below the minimum
    loses numerator, value and interval, and the jeugdregio's of a year are
    protected against the land total as detection's cells are.
    """
    from bluezones.monitor.results import load_monitor

    monitor = load_monitor(store, dataset)
    policy = policy_for(store, dataset, min_count)
    if not policy.applies:
        return monitor
    assert policy.min_count is not None
    out = dict(monitor)
    regions = store.read("regions", where={"dataset": dataset})
    latest = regions[regions["year"] == regions["year"].max()] if not regions.empty else regions
    regio_of: dict[str, str] = {}
    if "jeugdregio_code" in latest:
        known = latest.dropna(subset=["jeugdregio_code"])
        regio_of = {
            str(c): str(r)
            for c, r in zip(known["region_code"], known["jeugdregio_code"], strict=True)
        }
    indicators = _monitor_indicators(monitor["indicators"], policy.min_count, regio_of)
    out["indicators"] = _clean_columns(indicators)
    for key in ("evaluation", "event_study", "trends"):
        out[key] = _clean_columns(monitor[key])
    out["disclosure"] = policy.describe()
    return out


def translate_suppressed(payload: dict[str, list[Any]], results: dict[str, Any]) -> None:
    """Put the suppression note in each ``reasons_<lang>`` list where ``reasons`` has it.

    The atlas writes the reasons in other languages by classifying the evidence
    again; for a suppressed area that gives "too small", not why. Changes
    ``payload`` (the atlas's classification columns) in place.
    """
    note = results.get("disclosure")
    if not note or "reasons" not in payload:
        return
    here = text("sdc.suppressed", results["run"]["config"].get("lang", "nl"), **_count(note))
    for key, values in payload.items():
        if key.startswith("reasons_"):
            there = text("sdc.suppressed", key.removeprefix("reasons_"), **_count(note))
            payload[key] = [
                there if r == here else v for r, v in zip(payload["reasons"], values, strict=True)
            ]


def _count(note: dict[str, Any]) -> dict[str, Any]:
    return {"min_count": note["min_count"]}


# --------------------------------------------------------------------------- parts


def _area_year(
    frame: pd.DataFrame, cells: pd.DataFrame, reason: str
) -> tuple[pd.DataFrame, set[tuple[str, str, int]]]:
    flags = cells.set_index(["indicator", "region_code", "year"])
    keys = pd.MultiIndex.from_arrays(
        [frame["indicator"], frame["region_code"], frame["year"].astype(int)]
    )
    hide_o = flags["hide_observed"].reindex(keys).fillna(True).to_numpy(bool)
    hide_n = flags["hide_n"].reindex(keys).fillna(True).to_numpy(bool)
    out = frame.copy()
    for col in out.columns:
        if col in AREA_YEAR_KEEP or col in ("usable", "reason"):
            continue
        rows = hide_n if col in AREA_YEAR_POPULATION else hide_o
        out[col] = _blanked(out[col], rows)
    if "usable" in out:
        out["usable"] = out["usable"].astype(bool) & ~hide_o
    if "reason" in out:
        was = out["reason"].astype(object)
        out["reason"] = np.where(hide_o & (frame["observed"].notna().to_numpy()), reason, was)
    hidden = {
        (str(i), str(c), int(y))
        for i, c, y, h in zip(
            frame["indicator"], frame["region_code"], frame["year"], hide_o, strict=True
        )
        if h
    }
    return out, hidden


def _blank_rows(
    frame: pd.DataFrame, rows: list[bool] | np.ndarray, keep: frozenset[str]
) -> pd.DataFrame:
    mask = np.asarray(rows, dtype=bool)
    out = frame.copy()
    if not mask.any():
        return out
    for col in out.columns:
        if col not in keep:
            out[col] = _blanked(out[col], mask)
    return out


def _classification(frame: pd.DataFrame, gone: set[str], reason: str) -> pd.DataFrame:
    mask = frame["region_code"].isin(gone).to_numpy()
    keep = CLASSIFICATION_KEEP | {"status", "reasons", "rule_2019_indicators"}
    out = _blank_rows(frame, mask, keep)
    if mask.any():
        out.loc[mask, "status"] = SUPPRESSED_STATUS
        out.loc[mask, "reasons"] = reason
        if "rule_2019_indicators" in out:
            out.loc[mask, "rule_2019_indicators"] = ""
    return out


def _spatial(frame: pd.DataFrame, gone: set[str]) -> pd.DataFrame:
    mask = frame["region_code"].isin(gone).to_numpy()
    out = _blank_rows(frame, mask, SPATIAL_KEEP | {"cluster"})
    if mask.any() and "cluster" in out:
        out.loc[mask, "cluster"] = "-"
    return out


def _yearly_status(frame: pd.DataFrame, hidden: set[tuple[str, int]]) -> pd.DataFrame:
    out = frame.copy()
    mask = [(c, int(y)) in hidden for c, y in zip(out["region_code"], out["year"], strict=True)]
    out.loc[np.asarray(mask, dtype=bool), "status"] = SUPPRESSED_STATUS
    return out


def _changes(frame: pd.DataFrame, hidden: set[tuple[str, int]]) -> pd.DataFrame:
    """Status changes, without those into or out of a suppressed year."""
    keep = [
        (c, int(y)) not in hidden and (c, int(y) - 1) not in hidden
        for c, y in zip(frame["region_code"], frame["year"], strict=True)
    ]
    return frame[np.asarray(keep, dtype=bool)].reset_index(drop=True)


def _monitor_indicators(
    frame: pd.DataFrame, min_count: int, regio_of: dict[str, str]
) -> pd.DataFrame:
    """Rates per gemeente, jeugdregio and land: small numerators hidden, with their
    value and interval; gemeenten protected within their jeugdregio, jeugdregio's
    within the land."""
    if frame.empty or "numerator" not in frame:
        return frame
    out = frame.reset_index(drop=True).copy()
    num = out["numerator"].to_numpy(float)
    den = out["denominator"].to_numpy(float) if "denominator" in out else None
    # Means (no numerator) and missing rates are not counts: leave them be.
    counted = np.isfinite(num)
    hide_den = np.zeros(len(out), dtype=bool)
    if den is not None:
        hide_den = counted & primary_mask(den, min_count)
    hide = counted & (primary_mask(num, min_count, den) | hide_den)
    groups: list[Group] = []
    level = out["level"] if "level" in out else pd.Series("jeugdregio", index=out.index)
    for _, rows in out.groupby(["indicator", "year"], sort=True):
        at = {
            (str(lv), str(code)): i
            for i, lv, code in zip(rows.index, level[rows.index], rows["region_code"], strict=True)
        }
        members: dict[int, list[int]] = {}
        for (lv, code), i in at.items():
            if not counted[i]:
                continue
            parent = None
            if lv == "jeugdregio":
                parent = at.get(("land", "NL00"))
            elif lv == "gemeente":
                parent = at.get(("jeugdregio", regio_of.get(code, "")))
            if parent is not None:
                members.setdefault(parent, []).append(i)
        groups += [Group(p, np.array(kids)) for p, kids in sorted(members.items())]
    hide = secondary_suppress(np.where(counted, num, np.nan), hide, groups, min_count) & counted
    for col in ("numerator", "value", "lower", "upper"):
        if col in out:
            out[col] = _blanked(out[col], hide)
    if "denominator" in out:
        out["denominator"] = _blanked(out["denominator"], hide_den)
    return out


def _blanked(column: pd.Series, rows: np.ndarray) -> pd.Series:
    """``column`` with ``rows`` missing (NaN, NA or None as its dtype allows)."""
    if not rows.any():
        return column
    if pd.api.types.is_bool_dtype(column.dtype) and not isinstance(column.dtype, pd.BooleanDtype):
        column = column.astype("boolean")
    elif pd.api.types.is_integer_dtype(column.dtype) and not isinstance(
        column.dtype, pd.api.extensions.ExtensionDtype
    ):
        column = column.astype(float)
    out = column.copy()
    out[rows] = None
    return out


def _clean_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Without minimum/maximum columns and person identifiers."""
    drop = [c for c in frame.columns if is_minmax_column(c) or is_person_id_column(c)]
    return frame.drop(columns=drop) if drop else frame
