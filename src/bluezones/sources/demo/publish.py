"""Publish the demo country the way CBS does: per year, on that year's boundaries.

Atom values are summed (counts) or averaged with their weight (shares and
means, see :data:`bluezones.indicators.MEASURES`) to the wijken and gemeenten of
each year. Care counts are then treated as CBS treats them:

- a care count below :data:`MIN_CELL`, or any care count of an area with fewer
  than :data:`MIN_DENOMINATOR` young people, is suppressed (``NULL`` with status
  ``'suppressed'``, never 0);
- wijk care counts are rounded to multiples of :data:`WIJK_ROUNDING`;
- care figures of the last year are ``'provisional'``.

Gemeente counts are the exact sums of their wijken. This module also writes the
``regions`` rows of every year and the ``crosswalk`` between consecutive years.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bluezones.indicators import MEASURES
from bluezones.sources.demo.history import History
from bluezones.store import FACT_COLUMNS, TABLE_SCHEMAS

__all__ = [
    "CARE_MEASURES",
    "DATASET",
    "DEMO_MEASURES",
    "MIN_CELL",
    "MIN_DENOMINATOR",
    "WIJK_ROUNDING",
    "crosswalk_frame",
    "facts_frame",
    "regions_frame",
]

DATASET = "demo"
SOURCE = "demo"
LAND_CODE, LAND_NAME = "NL00", "Nederland"
MIN_CELL = 10
MIN_DENOMINATOR = 50
WIJK_ROUNDING = 5
CARE_MEASURES = (
    "jeugdzorg",
    "jeugdhulp",
    "jeugdhulp_zonder_verblijf",
    "jeugdhulp_met_verblijf",
    "jeugdbescherming",
    "ots",
    "jeugdreclassering",
    "uithuisplaatsing",
    "ots_ended",
    "ots_duration_days",
)
POPULATION_MEASURES = (
    "population",
    "youth_0_17",
    "youth_12_22",
    "households",
    "households_with_children",
)
COVARIATE_MEASURES = (
    "pct_single_parent",
    "pct_social_assistance",
    "pct_low_income",
    "pct_parent_psych",
    "pct_special_education",
    "pct_migration_nonwestern",
    "mean_income",
    "address_density",
)
# Every measure the demo country publishes for every area and year.
DEMO_MEASURES = POPULATION_MEASURES + COVARIATE_MEASURES + CARE_MEASURES
# Published decimals of shares and means; counts are whole numbers.
DECIMALS = {"mean_income": 1, "address_density": 0, "ots_duration_days": 0}
SHARE_DECIMALS = 1
# The youth count a care measure is suppressed on when it is tiny.
CARE_DENOMINATOR = {"jeugdreclassering": "youth_12_22"}
DEFAULT_CARE_DENOMINATOR = "youth_0_17"
_WEIGHT_FLOOR = 1e-9  # keeps a weighted mean defined where all weights are 0


def _aggregate(
    codes: np.ndarray, atom_values: dict[str, np.ndarray]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Unit codes and each measure per unit (counts summed, others weighted means)."""
    units, inv = np.unique(codes.astype(str), return_inverse=True)
    out: dict[str, np.ndarray] = {}
    for name in DEMO_MEASURES:
        if MEASURES[name].kind == "count":
            out[name] = np.bincount(inv, weights=atom_values[name], minlength=len(units))
    for name in DEMO_MEASURES:
        measure = MEASURES[name]
        if measure.kind != "count":
            w = atom_values[measure.weight] + _WEIGHT_FLOOR  # type: ignore[index]
            num = np.bincount(inv, weights=w * atom_values[name], minlength=len(units))
            out[name] = num / np.bincount(inv, weights=w, minlength=len(units))
    return units, out


def _publish(
    values: dict[str, np.ndarray], *, wijk: bool, provisional: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Published values and statuses, shape (units, measures) in DEMO_MEASURES order."""
    n = len(values["population"])
    cols, stats = [], []
    for name in DEMO_MEASURES:
        measure = MEASURES[name]
        v = values[name].astype(float)
        status = np.full(n, None, dtype=object)
        if name in CARE_MEASURES:
            basis = values["ots_ended"] if name == "ots_duration_days" else v
            denominator = values[CARE_DENOMINATOR.get(name, DEFAULT_CARE_DENOMINATOR)]
            hidden = (basis < MIN_CELL) | (denominator < MIN_DENOMINATOR)
            if wijk and measure.kind == "count":
                v = np.floor(v / WIJK_ROUNDING + 0.5) * WIJK_ROUNDING
            if provisional:
                status[:] = "provisional"
            status[hidden] = "suppressed"
            v = np.where(hidden, np.nan, v)
        if measure.kind == "share":
            v = np.round(v, SHARE_DECIMALS)
        elif measure.kind == "mean":
            v = np.round(v, DECIMALS[name])
        cols.append(v)
        stats.append(status)
    return np.column_stack(cols), np.column_stack(stats)


def facts_frame(
    history: History,
    atom_values: dict[str, np.ndarray],
) -> pd.DataFrame:
    """All facts of all years at wijk and gemeente level, in the store's ``facts`` shape.

    Parameters
    ----------
    history
        Codes per year and atom.
    atom_values
        Every measure of :data:`DEMO_MEASURES` per year (rows) and atom (columns); for
        ``ots_duration_days`` the *mean* duration per atom.
    """
    names = list(DEMO_MEASURES)
    last = history.years[-1]
    frames = []
    for i, year in enumerate(history.years):
        year_values = {k: v[i] for k, v in atom_values.items()}
        for level_codes, wijk in ((history.gemeente[i], False), (history.wijk[i], True)):
            units, agg = _aggregate(level_codes, year_values)
            values, status = _publish(agg, wijk=wijk, provisional=year == last)
            frames.append(
                pd.DataFrame(
                    {
                        "dataset": DATASET,
                        "region_code": np.repeat(units, len(names)),
                        "year": year,
                        "measure": np.tile(names, len(units)),
                        "value": values.ravel(),
                        "status": status.ravel(),
                        "source": SOURCE,
                    }
                )
            )
    facts = pd.concat(frames, ignore_index=True)
    facts["year"] = facts["year"].astype("int64")
    return facts[list(FACT_COLUMNS)]


def jeugdregio_code(index: int) -> str:
    return f"JZ{index + 1:02d}"


def regions_frame(history: History) -> pd.DataFrame:
    """Names and parents of every unit in every year (land, jeugdregio, gemeente, wijk)."""
    rows: list[tuple[int, str, str, str, str | None, str | None]] = []
    regions = sorted(set(history.region_of.values()))
    for i, year in enumerate(history.years):
        rows.append((year, LAND_CODE, "land", LAND_NAME, None, None))
        for r in regions:
            code = jeugdregio_code(r)
            rows.append((year, code, "jeugdregio", history.region_names[r], None, code))
        for gem in sorted(set(history.gemeente[i])):
            jz = jeugdregio_code(history.region_of[gem])
            rows.append((year, gem, "gemeente", history.names[gem], gem, jz))
        pairs = sorted(set(zip(history.wijk[i], history.gemeente[i], strict=True)))
        for wijk, gem in pairs:
            jz = jeugdregio_code(history.region_of[gem])
            rows.append((year, wijk, "wijk", history.names[wijk], gem, jz))
    frame = pd.DataFrame(
        rows, columns=["year", "region_code", "level", "name", "gemeente_code", "jeugdregio_code"]
    )
    frame.insert(0, "dataset", DATASET)
    return frame[list(TABLE_SCHEMAS["regions"])]


def crosswalk_frame(history: History, households: np.ndarray) -> pd.DataFrame:
    """Share of each changed unit's addresses going to each unit of the next year.

    Households stand in for addresses. As in the CBS-derived files, only units
    touched by a change are listed; any other code maps 1:1 to itself.
    """
    frames = []
    for i in range(len(history.years) - 1):
        for level, codes in (("gemeente", history.gemeente), ("wijk", history.wijk)):
            moves = pd.DataFrame(
                {"code_from": codes[i], "code_to": codes[i + 1], "n": households[i]}
            )
            moves = moves.groupby(["code_from", "code_to"], as_index=False, sort=True).agg(
                n=("n", "sum")
            )
            moves["weight"] = moves["n"] / moves.groupby("code_from")["n"].transform("sum")
            changed = (moves["code_from"] != moves["code_to"]) | (moves["weight"] < 1)
            touched = set(moves.loc[changed, "code_from"]) | set(moves.loc[changed, "code_to"])
            part = moves[moves["code_from"].isin(touched)].copy()
            part["level"] = level
            part["year_from"] = history.years[i]
            part["year_to"] = history.years[i + 1]
            frames.append(part)
    cw = pd.concat(frames, ignore_index=True)
    cw.insert(0, "dataset", DATASET)
    cw[["year_from", "year_to"]] = cw[["year_from", "year_to"]].astype("int64")
    cw[["code_from", "code_to"]] = cw[["code_from", "code_to"]].astype(str)
    return cw[list(TABLE_SCHEMAS["crosswalk"])].reset_index(drop=True)
