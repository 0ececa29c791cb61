"""Harmonisation: put the figures of many years on one reference year's boundaries.

Every year's facts are carried to the reference year with the herindeling
crosswalk (:class:`~bluezones.regions.crosswalk.Crosswalk`). How a measure is
combined depends on its kind (:data:`bluezones.indicators.MEASURES`):

``count``
    ``sum(value * weight)`` over the parts that make up a reference unit
    (a split unit gives each part its share of addresses).
``share`` and ``mean``
    A mean weighted by the measure's weight count, itself reallocated:
    ``sum(value * w_count * weight) / sum(w_count * weight)``. This equals the
    share recomputed from summed numerator and denominator.

Rates are never harmonised directly: :func:`indicator_rates` recomputes them
from harmonised counts.

Honesty rules
-------------
- A reference unit with a part whose value is ``missing`` is missing; else one
  with a ``suppressed`` part is suppressed (value ``NULL``): never a silent
  undercount. ``missing`` wins because no one knows that value, while
  ``suppressed`` means a publisher withheld a (small) number.
- What is known of a suppressed count is kept beside it: the sum of its known
  parts (``known_part``) and the summed weight of its suppressed parts
  (``hidden_parts``; 1 for a unit that did not change), so that a model can use
  that it lies between ``known_part`` and ``known_part + hidden_parts * (t - 1)``
  for a publisher's threshold ``t`` (:mod:`bluezones.model.censored`). Without
  them a merged gemeente whose one small part was suppressed would read as
  "fewer than 10" however large its other parts.
- A region that has facts in a year but lacks this measure counts as a missing
  part too. A region with no facts at all in a year is taken not to exist then.
- With ``suppressed="ignore_slivers"`` a *suppressed* part that brings less
  than :data:`SLIVER_WEIGHT` of its unit's addresses is left out. Suppressed
  counts are small by construction (below the publisher's threshold, 10 at
  CBS), so the undercount is below ``10 * SLIVER_WEIGHT`` = 0.1 person, under
  CBS's rounding to multiples of 5. Missing parts are never left out.
- A share or mean built from one part keeps that part's value (no weight is
  needed). Built from several parts, it needs each part's weight count: a
  weight count that is suppressed or missing makes the result missing; a weight
  measure absent from the facts is a :class:`~bluezones.errors.DataError`.
- ``provisional`` propagates: any provisional part makes the result provisional,
  and so does a provisional weight count of a share or mean built from several parts.
- Land codes (``NL00``) pass through unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal, cast

import duckdb
import numpy as np
import pandas as pd

from bluezones.errors import DataError, RegionError, StoreError
from bluezones.indicators import indicator, measure
from bluezones.regions.codes import level_of
from bluezones.regions.crosswalk import Crosswalk
from bluezones.store import FACT_COLUMNS, TABLE_SCHEMAS, Store

__all__ = [
    "BOUND_COLUMNS",
    "HARMONISED_COLUMNS",
    "HARMONISED_TABLE",
    "SLIVER_WEIGHT",
    "SuppressedPolicy",
    "create_harmonised_table",
    "harmonise",
    "harmonise_store",
    "indicator_rates",
    "verified_span",
]

SuppressedPolicy = Literal["propagate", "ignore_slivers"]
SUPPRESSED_POLICIES: tuple[str, ...] = ("propagate", "ignore_slivers")

# A suppressed part with a crosswalk weight below this is left out under "ignore_slivers".
SLIVER_WEIGHT = 0.01

HARMONISED_TABLE = "facts_harmonised"
# Beside a suppressed count: the sum of its known parts and the weight of its hidden ones.
BOUND_COLUMNS = ("known_part", "hidden_parts")
HARMONISED_COLUMNS = (*FACT_COLUMNS, *BOUND_COLUMNS)
HARMONISED_SCHEMA = {
    **TABLE_SCHEMAS["facts"],
    **dict.fromkeys(BOUND_COLUMNS, "DOUBLE"),
    "reference_year": "INTEGER NOT NULL",
}

_KEY = ["dataset", "year", "measure", "code_to"]
_FIXED_LEVELS = ("land",)


def harmonise(
    facts: pd.DataFrame,
    crosswalk: Crosswalk,
    reference_year: int,
    *,
    level: str | None = None,
    suppressed: SuppressedPolicy = "propagate",
    known_codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Carry facts of every year to the boundaries of ``reference_year``.

    Parameters
    ----------
    facts
        Tidy facts with :data:`bluezones.store.FACT_COLUMNS`.
    crosswalk
        The herindeling crosswalk of the facts' dataset.
    reference_year
        The year whose boundaries the result uses.
    level
        Harmonise only rows of this level (``'gemeente'``, ``'wijk'``); other
        rows are left out. ``None`` harmonises every level present.
    suppressed
        ``'propagate'`` (default) or ``'ignore_slivers'``; see the module notes.
    known_codes
        The codes that exist in the reference year; a result code outside it
        is a :class:`~bluezones.errors.RegionError`. Land codes are exempt.

    Returns
    -------
    DataFrame
        Facts with the same columns and :data:`BOUND_COLUMNS` (set for
        suppressed counts only), one row per reference unit, year and measure,
        sorted. Years stay as they were; only boundaries change.

    Raises
    ------
    RegionError
        A code is malformed, a year lies after ``reference_year`` (and the
        crosswalk lists no such pair) or outside the crosswalk, or a result
        code is not in ``known_codes``.
    DataError
        Missing columns, an unknown measure, or a share/mean that must be
        combined while its weight measure is absent.
    """
    if suppressed not in SUPPRESSED_POLICIES:
        raise DataError(
            f"Unknown suppressed policy {suppressed!r}.",
            hint=f"Use one of {', '.join(SUPPRESSED_POLICIES)}.",
        )
    facts = _checked_facts(facts)
    levels = _row_levels(facts["region_code"])
    if level is not None:
        facts = facts.loc[(levels == level).to_numpy()].reset_index(drop=True)
        levels = _row_levels(facts["region_code"])
    mapping = _mappings(facts, levels, crosswalk, int(reference_year))
    parts = _parts(facts, mapping)
    out = _combine(parts, facts, mapping, suppressed)
    if known_codes is not None:
        _check_known(out, set(known_codes), int(reference_year))
    return out


# --- mapping every row to its reference unit -----------------------------------------
def _checked_facts(facts: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in FACT_COLUMNS if c not in facts.columns]
    if missing:
        raise DataError(
            f"The facts lack columns {missing}.",
            hint=f"Facts need the columns {', '.join(FACT_COLUMNS)}.",
        )
    out = facts.loc[:, list(FACT_COLUMNS)].reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    out["value"] = out["value"].astype("float64")
    for name in out["measure"].unique():
        measure(name)
    return out


def _row_levels(codes: pd.Series) -> pd.Series:
    distinct = pd.unique(codes)
    found = {code: level_of(code) for code in distinct}
    bad = [code for code, lvl in found.items() if lvl is None]
    if bad:
        raise RegionError(
            f"Malformed region code {bad[0]!r} in the facts.",
            hint="Normalise codes on loading (GM0363, WK036300).",
            region=bad[0],
        )
    return pd.Series(_lookup(codes, found, None), index=codes.index, dtype="str")


def _lookup(values: pd.Series, table: dict, default: object) -> np.ndarray:
    """``table[value]`` for every value; looks each distinct value up once (fast on str)."""
    positions, distinct = pd.factorize(values)
    return np.array([table.get(v, default) for v in distinct], dtype=object)[positions]


def _mappings(
    facts: pd.DataFrame, levels: pd.Series, crosswalk: Crosswalk, reference_year: int
) -> pd.DataFrame:
    """``year, code_from, code_to, weight`` for every (level, year) that must move."""
    pairs = pd.DataFrame({"level": levels, "year": facts["year"]}).drop_duplicates()
    frames = [_empty_mapping()]
    for lvl, year in sorted(pairs.itertuples(index=False, name=None)):
        if year == reference_year or lvl in _FIXED_LEVELS:
            continue
        listed = (int(year), reference_year) in crosswalk.pairs(lvl)
        if year > reference_year and not listed:
            raise RegionError(
                f"Figures of {year} cannot be put on the boundaries of {reference_year}: "
                "herindelingen can only be followed forward in time.",
                hint=f"Choose reference year {int(facts['year'].max())} or later, "
                f"or leave out the years after {reference_year}.",
                year=int(year),
            )
        step = crosswalk.mapping(lvl, int(year), reference_year)
        frames.append(step.assign(year=int(year)))
    return pd.concat(frames, ignore_index=True)


def _empty_mapping() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": pd.Series(dtype="int64"),
            "code_from": pd.Series(dtype="str"),
            "code_to": pd.Series(dtype="str"),
            "weight": pd.Series(dtype="float64"),
        }
    )


def _to_reference(frame: pd.DataFrame, mapping: pd.DataFrame) -> pd.DataFrame:
    """Attach ``code_to`` and ``weight`` to rows keyed by ``year, region_code``."""
    out = frame.merge(
        mapping,
        how="left",
        left_on=["year", "region_code"],
        right_on=["year", "code_from"],
    ).drop(columns="code_from")
    unmapped = out["code_to"].isna()
    out["code_to"] = out["code_to"].where(~unmapped, out["region_code"])
    out["weight"] = out["weight"].fillna(1.0)
    return out


def _parts(facts: pd.DataFrame, mapping: pd.DataFrame) -> pd.DataFrame:
    """One row per (fact, reference unit) with the weight of the part's own count."""
    parts = _to_reference(facts, mapping)
    kinds = {name: measure(name) for name in parts["measure"].unique()}
    wm = {n: m.weight for n, m in kinds.items() if m.weight is not None}
    parts["weighted"] = parts["measure"].isin(list(wm))
    parts["weight_measure"] = pd.Series(
        _lookup(parts["measure"], wm, ""), index=parts.index, dtype="str"
    )
    counts = facts.rename(
        columns={"measure": "weight_measure", "value": "w_value", "status": "w_status"}
    )
    counts = counts.loc[counts["weight_measure"].isin(set(wm.values()))]
    parts = parts.merge(
        counts[["dataset", "year", "region_code", "weight_measure", "w_value", "w_status"]],
        how="left",
        on=["dataset", "year", "region_code", "weight_measure"],
        indicator="w_found",
    )
    parts["w_absent"] = parts["weighted"] & (parts["w_found"] == "left_only")
    parts["w_null"] = parts["weighted"] & ~parts["w_absent"] & parts["w_value"].isna()
    return parts.drop(columns="w_found")


# --- combining parts ----------------------------------------------------------------
def _combine(
    parts: pd.DataFrame,
    facts: pd.DataFrame,
    mapping: pd.DataFrame,
    policy: SuppressedPolicy,
) -> pd.DataFrame:
    status = parts["status"]
    supp = (status == "suppressed").to_numpy()
    ignored = supp & (parts["weight"] < SLIVER_WEIGHT).to_numpy() & (policy == "ignore_slivers")
    used = ~ignored
    value = parts["value"].to_numpy()
    part_weight = np.where(parts["weighted"], parts["w_value"] * parts["weight"], parts["weight"])
    known = used & ~np.isnan(value)
    work = pd.DataFrame(
        {
            **{k: parts[k] for k in _KEY},
            "num": np.where(known, value * part_weight, 0.0),
            "den": np.where(known, part_weight, 0.0),
            "single": np.where(known, value, 0.0),
            "n_used": used,
            "n_supp": supp & used,
            "hidden": np.where(supp, parts["weight"], 0.0),
            "n_miss": ((status == "missing").to_numpy() & used),
            "n_prov": ((status == "provisional").to_numpy() & used),
            "n_w_absent": parts["w_absent"].to_numpy() & known,
            "n_w_null": parts["w_null"].to_numpy() & known,
            "n_w_prov": (parts["w_status"] == "provisional").to_numpy() & known,
            "n_parts": 1,
        }
    )
    g = work.groupby(_KEY, sort=False, as_index=False).sum()
    g = g.merge(_expected_parts(facts, mapping), how="left", on=["dataset", "year", "code_to"])
    kinds = {n: measure(n).kind != "count" for n in g["measure"].unique()}
    weighted = _lookup(g["measure"], kinds, False).astype(bool)
    _check_weights_present(g, weighted, parts)
    return _finish(g, weighted, _sources(parts))


def _expected_parts(facts: pd.DataFrame, mapping: pd.DataFrame) -> pd.DataFrame:
    """How many regions present in a year flow into each reference unit."""
    present = facts[["dataset", "year", "region_code"]].drop_duplicates()
    flows = _to_reference(present, mapping)
    return flows.groupby(["dataset", "year", "code_to"], as_index=False).size()


def _check_weights_present(g: pd.DataFrame, weighted: np.ndarray, parts: pd.DataFrame) -> None:
    clean = (g["n_miss"] == 0) & (g["n_supp"] == 0) & (g["n_parts"] >= g["size"])
    needs = weighted & clean.to_numpy() & (g["n_used"] > 1).to_numpy()
    absent = needs & (g["n_w_absent"] > 0).to_numpy()
    if absent.any():
        row = g.loc[absent].iloc[0]
        part = parts.loc[
            parts["w_absent"]
            & (parts["code_to"] == row["code_to"])
            & (parts["year"] == row["year"])
            & (parts["measure"] == row["measure"])
        ].iloc[0]
        wm = measure(row["measure"]).weight
        raise DataError(
            f"{row['measure']} of the parts of {row['code_to']} cannot be combined: "
            f"its weight measure {wm} is absent for {part['region_code']}.",
            hint=f"Load {wm} for every region and year, or leave {row['measure']} out.",
            region=part["region_code"],
            year=int(row["year"]),
            measure=row["measure"],
        )


def _finish(g: pd.DataFrame, weighted: np.ndarray, sources: pd.DataFrame) -> pd.DataFrame:
    one = (g["n_used"] == 1).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = g["num"].to_numpy() / g["den"].to_numpy()
    value = np.where(~weighted, g["num"], np.where(one, g["single"], mean))
    missing = (
        (g["n_miss"] > 0)
        | (g["n_parts"] < g["size"])
        | (weighted & ~one & ((g["n_w_null"] > 0) | (g["den"] <= 0)))
    ).to_numpy()
    suppressed = ~missing & ((g["n_supp"] > 0) | (g["n_used"] == 0)).to_numpy()
    provisional = ((g["n_prov"] > 0) | (weighted & ~one & (g["n_w_prov"] > 0))).to_numpy()
    status = pd.Series(
        np.where(missing, "missing", np.where(suppressed, "suppressed", "provisional")),
        dtype="str",
    ).where(missing | suppressed | provisional)
    bounded = suppressed & ~weighted
    out = pd.DataFrame(
        {
            "dataset": g["dataset"],
            "region_code": g["code_to"],
            "year": g["year"].astype("int64"),
            "measure": g["measure"],
            "value": np.where(missing | suppressed, np.nan, value),
            "status": status,
        }
    )
    out = out.merge(sources, how="left", on=["dataset", "year", "measure", "region_code"])
    out["known_part"] = np.where(bounded, g["num"], np.nan)
    out["hidden_parts"] = np.where(bounded, g["hidden"], np.nan)
    return out.sort_values(["dataset", "region_code", "year", "measure"], ignore_index=True)


def _sources(parts: pd.DataFrame) -> pd.DataFrame:
    """The source of each reference unit: its parts' sources, sorted and joined."""
    distinct = parts[[*_KEY, "source"]].dropna().drop_duplicates()
    several = distinct.duplicated(_KEY, keep=False)
    joined = (
        distinct.loc[several]
        .sort_values("source")
        .groupby(_KEY, as_index=False)
        .agg(source=("source", "; ".join))
    )
    out = pd.concat([distinct.loc[~several], joined], ignore_index=True)
    return out.rename(columns={"code_to": "region_code"})


def _check_known(out: pd.DataFrame, known: set[str], reference_year: int) -> None:
    codes = out["region_code"]
    unknown = ~codes.isin(known) & (_row_levels(codes) != "land")
    if unknown.any():
        row = out.loc[unknown].iloc[0]
        raise RegionError(
            f"Harmonised region {row['region_code']} does not exist in {reference_year}.",
            hint="The crosswalk does not reach the reference year's codes: check that it "
            "covers every year up to the reference year, or extend it.",
            region=row["region_code"],
            year=int(row["year"]),
        )


# --- rates and the store ------------------------------------------------------------
def indicator_rates(facts: pd.DataFrame, indicator_names: Sequence[str]) -> pd.DataFrame:
    """Indicators recomputed from (harmonised) counts, one column each.

    Parameters
    ----------
    facts
        Facts of one dataset holding each indicator's numerator and denominator.
    indicator_names
        Names from :data:`bluezones.indicators.INDICATORS`.

    Returns
    -------
    DataFrame
        ``region_code, year, <indicator>...`` with ``numerator / denominator * per``;
        ``NaN`` where either count is suppressed or missing, or the denominator is 0.
    """
    if facts["dataset"].nunique() > 1:
        raise DataError(
            "indicator_rates needs the facts of one dataset.",
            hint="Select one dataset first.",
        )
    specs = [indicator(name) for name in indicator_names]
    wanted = {m for s in specs for m in (s.numerator, s.denominator)}
    wide = facts.loc[facts["measure"].isin(wanted)].pivot_table(
        index=["region_code", "year"], columns="measure", values="value", aggfunc="first"
    )
    wide = wide.reindex(columns=sorted(wanted))
    out = pd.DataFrame(index=wide.index)
    for spec in specs:
        den = wide[spec.denominator].where(wide[spec.denominator] > 0)
        out[spec.name] = wide[spec.numerator] / den * spec.per
    return out.reset_index().sort_values(["region_code", "year"], ignore_index=True)


def verified_span(crosswalk: pd.DataFrame, regions: pd.DataFrame) -> tuple[int, int] | None:
    """The years a crosswalk is known to cover, including provably unchanged years.

    A crosswalk lists only changed units, so a year pair without rows is
    ambiguous: no change, or not covered. It counts as "no change" only where
    the dataset's own region lists of both years hold exactly the same
    gemeente and wijk codes. The span of the listed rows is extended by such
    years at either end; ``None`` when there are no rows to start from.

    >>> cw = pd.DataFrame({"year_from": [2020], "year_to": [2021]})
    >>> reg = pd.DataFrame({"year": [2021, 2022], "level": "gemeente",
    ...                     "region_code": ["GM0001", "GM0001"]})
    >>> verified_span(cw, reg)
    (2020, 2022)
    """
    if crosswalk.empty:
        return None
    first = int(crosswalk["year_from"].min())
    last = int(crosswalk["year_to"].max())
    areas = regions[regions["level"].isin(["gemeente", "wijk"])]
    lists = {
        cast(int, year): frozenset(codes) for year, codes in areas.groupby("year")["region_code"]
    }

    def same(a: int, b: int) -> bool:
        return a in lists and b in lists and bool(lists[a]) and lists[a] == lists[b]

    while same(last, last + 1):
        last += 1
    while same(first - 1, first):
        first -= 1
    return first, last


def harmonise_store(
    store: Store,
    dataset: str,
    reference_year: int,
    *,
    level: str | None = None,
    suppressed: SuppressedPolicy = "propagate",
    crosswalk_dataset: str | None = None,
) -> int:
    """Harmonise a dataset's facts in the store into table ``facts_harmonised``.

    Reads the dataset's facts and the crosswalk (of ``crosswalk_dataset``,
    default ``dataset``); when the store's ``regions`` table lists the
    dataset's codes for ``reference_year``, every result code must be among
    them. Writes the result with a ``reference_year`` column in one
    transaction, replacing that dataset's earlier harmonised rows.

    Returns
    -------
    int
        The number of rows written.
    """
    facts = store.read_facts(dataset)
    if facts.empty:
        raise StoreError(
            f"The store has no facts of dataset {dataset!r}.",
            hint=f"Load the dataset first; datasets present: {store.datasets() or 'none'}.",
        )
    frame = store.read("crosswalk", where={"dataset": crosswalk_dataset or dataset})
    regions = store.read(
        "regions", where={"dataset": dataset, "year": int(reference_year)}, columns=["region_code"]
    )
    known = set(regions["region_code"]) if not regions.empty else None
    listed = store.read("regions", where={"dataset": crosswalk_dataset or dataset})
    out = harmonise(
        facts,
        Crosswalk(frame, span=verified_span(frame, listed)),
        reference_year,
        level=level,
        suppressed=suppressed,
        known_codes=known,
    )
    out["reference_year"] = int(reference_year)
    with store.transaction() as con:
        create_harmonised_table(con)
        store.replace(HARMONISED_TABLE, out, where={"dataset": dataset})
    return len(out)


def create_harmonised_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``facts_harmonised`` if absent; add :data:`BOUND_COLUMNS` to an older one."""
    columns = ", ".join(f'"{name}" {kind}' for name, kind in HARMONISED_SCHEMA.items())
    con.execute(f'CREATE TABLE IF NOT EXISTS "{HARMONISED_TABLE}" ({columns})')
    for name in BOUND_COLUMNS:
        con.execute(f'ALTER TABLE "{HARMONISED_TABLE}" ADD COLUMN IF NOT EXISTS "{name}" DOUBLE')
