"""Cells: the one shape every model is fitted on.

A cell is an area in a year (optionally also a covariate pattern, when
person-level microdata are aggregated), with a numerator ``y`` (young people
using care), a denominator ``n`` (young people at risk) and covariate values.
Aggregated CBS tables and microdata both become cells, so both go through the
same model code.

Cells that cannot be fitted keep their row with ``usable = False`` and a
``reason``: a suppressed numerator still gets an expected value; a missing or
zero denominator cannot (there is no one to expect care for). A denominator
below one person (a sliver of a split unit) or below its numerator (a stand-in
denominator that does not fit the area) makes a cell unusable too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bluezones.errors import ModelError
from bluezones.model.spec import ModelSpec
from bluezones.regions.codes import level_of

__all__ = [
    "CELL_COLUMNS",
    "CENSORED",
    "CENSORED_FROM",
    "HIDDEN_PARTS",
    "KNOWN_PART",
    "OFFSET",
    "cells_from_facts",
    "censored_bounds_of",
    "check_cells",
    "offset_of",
    "wide",
]

CELL_COLUMNS = ("region_code", "year", "y", "n", "usable", "reason")
# Optional column: a known part of each cell's linear predictor (logit or log scale),
# e.g. the correction for the composition of its wijken (bluezones.model.composition).
OFFSET = "offset"
# Optional columns: the largest and smallest count a cell may have where its numerator
# is known only to lie in that interval (a suppressed count), NaN where it is observed
# (bluezones.model.censored); the smallest defaults to 0. Such a cell is usable; its
# ``y`` is not used.
CENSORED = "censored_at"
CENSORED_FROM = "censored_from"
# Optional columns, from harmonised facts (bluezones.regions.harmonise): of a suppressed
# numerator, the sum of its known parts and the summed weight of its suppressed parts.
KNOWN_PART = "known_part"
HIDDEN_PARTS = "hidden_parts"

LEVEL_PREFIX = {"gemeente": "GM", "wijk": "WK"}
REASON_NO_DENOMINATOR = "geen noemer (aantal jongeren ontbreekt of is 0)"
REASON_SUPPRESSED = "teller onderdrukt of ontbrekend"
REASON_MISSING_COVARIATE = "kenmerk ontbreekt: {measure}"
# A rate over a stand-in denominator (jeugdzorg aged 0-22 per youth aged 0-14) can
# exceed 1 in a tiny area with an institution or student housing; such a cell says
# nothing about use per young person, so it is left out with this reason.
REASON_NUMERATOR_EXCEEDS = "teller groter dan noemer (noemer past niet bij dit gebied)"
# Harmonising by shares of addresses gives a unit that was carved out of others a
# fraction of their people in earlier years; below one young person it is a sliver
# (0.4 of a child), which a binomial likelihood would round to no one.
MIN_DENOMINATOR = 1.0
REASON_SLIVER = "noemer kleiner dan 1 (restant van een gesplitst gebied)"


def wide(facts: pd.DataFrame, measures: list[str] | None = None) -> pd.DataFrame:
    """Tidy facts to one row per (region_code, year) and one column per measure.

    Suppressed and missing values are NaN; a status column per measure is not
    kept here (the store has it).
    """
    part = facts if measures is None else facts[facts["measure"].isin(measures)]
    out = part.pivot_table(
        index=["region_code", "year"],
        columns="measure",
        values="value",
        aggfunc="first",
        dropna=False,
    )
    out.columns.name = None
    out = out.reset_index()
    for m in measures or []:
        if m not in out.columns:
            out[m] = np.nan
    return out


def cells_from_facts(
    facts: pd.DataFrame, spec: ModelSpec, regions: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Build the cells of ``spec`` from tidy facts (ideally harmonised to one year).

    Parameters
    ----------
    facts
        Tidy facts (``bluezones.store.FACT_COLUMNS``) of one dataset.
    spec
        The model; decides indicator, covariates, level and years.
    regions
        Optional ``regions`` rows (region_code, gemeente_code, jeugdregio_code)
        for the nested structure; without it the gemeente is read from the code.
    """
    facts = facts[facts["region_code"].str.startswith(LEVEL_PREFIX[spec.level])]
    if spec.years is not None:
        facts = facts[facts["year"].isin(spec.years)]
    if facts.empty:
        raise ModelError(
            f"There are no {spec.level} figures for the years asked.",
            hint="Check the dataset, the level and the years (bluezones status).",
        )
    measures = spec.measures()
    cells = wide(facts, measures)
    ind = spec.definition
    # Copies, not renames: a covariate term may use the denominator too (a youth share).
    cells["y"] = cells[ind.numerator]
    cells["n"] = cells[ind.denominator]
    covariates = [m for m in measures[2:]]
    _check_covariates_present(cells, covariates)
    cells["usable"] = True
    cells["reason"] = ""
    no_den = ~(cells["n"] > 0)
    _mark(cells, no_den, REASON_NO_DENOMINATOR)
    _mark(cells, cells["n"] < MIN_DENOMINATOR, REASON_SLIVER)
    _mark(cells, cells["y"].isna(), REASON_SUPPRESSED)
    _mark(cells, cells["y"] > cells["n"], REASON_NUMERATOR_EXCEEDS)
    for m in covariates:
        _mark(cells, cells[m].isna(), REASON_MISSING_COVARIATE.format(measure=m))
    cells = _attach_parents(cells, regions)
    cells = _attach_parts(cells, facts, ind.numerator)
    return cells.sort_values(["region_code", "year"], ignore_index=True)


def offset_of(cells: pd.DataFrame) -> np.ndarray:
    """The cells' offsets (zeros when the cells have none)."""
    if OFFSET not in cells.columns:
        return np.zeros(len(cells))
    return cells[OFFSET].to_numpy(float)


def censored_bounds_of(cells: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The cells' censoring bounds, lower and upper (all NaN when the cells have none)."""
    if CENSORED not in cells.columns:
        return np.full(len(cells), np.nan), np.full(len(cells), np.nan)
    upper = cells[CENSORED].to_numpy(float)
    if CENSORED_FROM not in cells.columns:
        return np.where(np.isfinite(upper), 0.0, np.nan), upper
    return cells[CENSORED_FROM].to_numpy(float), upper


def check_cells(cells: pd.DataFrame) -> None:
    """Numerators and denominators must be non-negative and ``y <= n`` in usable cells."""
    use = cells[cells["usable"]]
    bad = use[(use["y"] < 0) | (use["n"] <= 0) | (use["y"] > use["n"])]
    if not bad.empty:
        row = bad.iloc[0]
        raise ModelError(
            f"Cell {row['region_code']} {int(row['year'])} has y = {row['y']} of n = {row['n']}.",
            hint="A numerator must lie between 0 and its denominator; check the source figures.",
            region=row["region_code"],
            year=int(row["year"]),
        )


def _mark(cells: pd.DataFrame, mask: pd.Series, reason: str) -> None:
    fresh = mask & cells["usable"]
    cells.loc[fresh, "reason"] = reason
    cells.loc[mask, "usable"] = False


def _check_covariates_present(cells: pd.DataFrame, covariates: list[str]) -> None:
    for m in covariates:
        if cells[m].isna().all():
            raise ModelError(
                f"Covariate {m!r} is missing for every area in these years.",
                hint=f"Load a source that has {m}, or leave it out of the model's covariates.",
                measure=m,
            )


def _attach_parts(cells: pd.DataFrame, facts: pd.DataFrame, numerator: str) -> pd.DataFrame:
    """Of each suppressed numerator, the sum of its known parts and the weight of its hidden ones.

    Harmonised facts carry both (:mod:`bluezones.regions.harmonise`); a suppressed
    count straight from a source, or from a store harmonised before they were
    recorded, is one hidden part and nothing known. Observed and *missing*
    numerators get NaN: a missing count is not known to be small.
    """
    if "status" not in facts.columns:
        return cells
    rows = facts.loc[
        (facts["measure"] == numerator) & (facts["status"] == "suppressed"), ["region_code", "year"]
    ]
    known = facts[KNOWN_PART] if KNOWN_PART in facts.columns else pd.Series(np.nan, facts.index)
    hidden = (
        facts[HIDDEN_PARTS] if HIDDEN_PARTS in facts.columns else pd.Series(np.nan, facts.index)
    )
    unrecorded = hidden.loc[rows.index].isna().to_numpy()
    parts = rows.assign(
        **{
            KNOWN_PART: np.where(unrecorded, 0.0, known.loc[rows.index].to_numpy(float)),
            HIDDEN_PARTS: np.where(unrecorded, 1.0, hidden.loc[rows.index].to_numpy(float)),
        }
    ).drop_duplicates(["region_code", "year"])
    return cells.merge(parts, how="left", on=["region_code", "year"], validate="one_to_one")


def _attach_parents(cells: pd.DataFrame, regions: pd.DataFrame | None) -> pd.DataFrame:
    cells["gemeente_code"] = [
        code if level_of(code) == "gemeente" else "GM" + code[2:6] for code in cells["region_code"]
    ]
    cells["jeugdregio_code"] = pd.Series([None] * len(cells), dtype="object")
    if regions is not None and not regions.empty:
        lookup = (
            regions.dropna(subset=["jeugdregio_code"])
            .drop_duplicates("region_code", keep="last")
            .set_index("region_code")["jeugdregio_code"]
        )
        cells["jeugdregio_code"] = cells["gemeente_code"].map(lookup)
    return cells
