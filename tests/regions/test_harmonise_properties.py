"""Invariants of harmonisation on random herindelingen (hypothesis).

A random history starts with a few gemeenten and, each year, merges some
(under a new code or a partner's code) and splits others (with random address
shares, possibly into existing neighbours). Random counts live on each year's
own boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluezones.regions import Crosswalk, harmonise
from bluezones.regions.crosswalk import CROSSWALK_COLUMNS

FIRST_YEAR = 2018
COUNTS = ("population", "jeugdhulp", "households_with_children")
SHARE = "pct_single_parent"  # weighted by households_with_children
PROPERTY_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@dataclass(frozen=True)
class History:
    steps: pd.DataFrame  # crosswalk rows, consecutive years only
    units: dict[int, list[str]]  # the gemeenten of each year

    @property
    def last_year(self) -> int:
        return max(self.units)


@st.composite
def histories(draw: st.DrawFn) -> History:
    n_start = draw(st.integers(3, 7))
    units = {FIRST_YEAR: [f"GM{i:04d}" for i in range(1, n_start + 1)]}
    next_code = [100]

    def new_code() -> str:
        next_code[0] += 1
        return f"GM{next_code[0]:04d}"

    rows: list[tuple] = []
    for year in range(FIRST_YEAR, FIRST_YEAR + draw(st.integers(1, 3))):
        current = list(units[year])
        gone: set[str] = set()
        born: set[str] = set()
        if len(current) >= 2 and draw(st.booleans()):  # a merger
            merged = draw(st.lists(st.sampled_from(current), min_size=2, max_size=3, unique=True))
            target = draw(st.sampled_from([*merged, new_code()]))
            rows += [(year, year + 1, code, target, 1.0) for code in merged]
            gone |= set(merged) - {target}
            born.add(target)
        free = [c for c in current if c not in gone and c not in born]
        if free and draw(st.booleans()):  # a split, perhaps into neighbours
            split = draw(st.sampled_from(free))
            others = [c for c in current if c != split and c not in gone]
            targets = draw(
                st.lists(
                    st.sampled_from([*others, new_code(), split]),
                    min_size=1,
                    max_size=3,
                    unique=True,
                )
            )
            shares = draw(
                st.lists(st.integers(1, 20), min_size=len(targets), max_size=len(targets))
            )
            rows += [
                (year, year + 1, split, t, s / sum(shares))
                for t, s in zip(targets, shares, strict=True)
            ]
            if split not in targets:
                gone.add(split)
            born |= set(targets)
        units[year + 1] = sorted((set(current) - gone) | born)
    frame = pd.DataFrame.from_records(rows, columns=list(CROSSWALK_COLUMNS[1:]))
    frame.insert(0, "level", "gemeente")
    return History(frame, units)


def _crosswalk(history: History) -> Crosswalk:
    return Crosswalk(history.steps, span=(FIRST_YEAR, history.last_year))


def _facts(history: History, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    records = []
    for year, codes in history.units.items():
        for code in codes:
            hh = int(rng.integers(1, 500))
            single = int(rng.integers(0, hh + 1))
            values = {
                "population": int(rng.integers(0, 10_000)),
                "jeugdhulp": single,  # carries the share's numerator
                "households_with_children": hh,
                SHARE: 100 * single / hh,
            }
            records += [(code, year, name, float(v)) for name, v in values.items()]
    facts = pd.DataFrame.from_records(records, columns=["region_code", "year", "measure", "value"])
    return facts.assign(dataset="p", status=pd.Series([None] * len(facts), dtype="str"), source="s")


@PROPERTY_SETTINGS
@given(histories(), st.integers(0, 2**16))
def test_national_totals_of_counts_are_conserved(history: History, seed: int) -> None:
    facts = _facts(history, seed)
    out = harmonise(facts, _crosswalk(history), history.last_year)
    counts = list(COUNTS)
    before = facts[facts.measure.isin(counts)].groupby(["year", "measure"])["value"].sum()
    after = out[out.measure.isin(counts)].groupby(["year", "measure"])["value"].sum()
    pd.testing.assert_series_equal(before, after, rtol=1e-12)
    assert out["status"].isna().all()
    assert set(out["region_code"]) <= set(history.units[history.last_year])


@PROPERTY_SETTINGS
@given(histories(), st.integers(0, 2**16))
def test_share_equals_share_of_summed_counts(history: History, seed: int) -> None:
    out = harmonise(_facts(history, seed), _crosswalk(history), history.last_year)
    wide = out.pivot_table(index=["region_code", "year"], columns="measure", values="value")
    recomputed = 100 * wide["jeugdhulp"] / wide["households_with_children"]
    np.testing.assert_allclose(wide[SHARE], recomputed, rtol=1e-9)


@PROPERTY_SETTINGS
@given(histories(), st.integers(0, 2**16))
def test_identity_crosswalk_changes_nothing(history: History, seed: int) -> None:
    facts = _facts(history, seed)
    facts = facts[facts.year == FIRST_YEAR]
    identity = history.steps.iloc[0:0]
    out = harmonise(facts, Crosswalk(identity, span=(FIRST_YEAR, FIRST_YEAR + 3)), FIRST_YEAR + 3)
    expected = facts.sort_values(["dataset", "region_code", "year", "measure"], ignore_index=True)
    pd.testing.assert_frame_equal(out[expected.columns], expected, check_dtype=False)
    # A suppressed count that did not move is one hidden part, nothing known.
    hidden = out.loc[out["status"] == "suppressed", ["known_part", "hidden_parts"]]
    assert (hidden["known_part"] == 0).all() and (hidden["hidden_parts"] == 1).all()


@PROPERTY_SETTINGS
@given(histories(), st.integers(0, 2**16), st.randoms(use_true_random=False))
def test_shuffling_rows_changes_nothing(history: History, seed: int, rnd) -> None:
    facts = _facts(history, seed)
    steps = history.steps.sample(frac=1.0, random_state=rnd.randint(0, 999))
    shuffled = facts.sample(frac=1.0, random_state=rnd.randint(0, 999))
    first = harmonise(facts, _crosswalk(history), history.last_year)
    second = harmonise(
        shuffled, Crosswalk(steps, span=(FIRST_YEAR, history.last_year)), history.last_year
    )
    pd.testing.assert_frame_equal(first, second, rtol=1e-12)


@PROPERTY_SETTINGS
@given(histories(), st.integers(0, 2**16))
def test_composed_mapping_equals_stepwise_application(history: History, seed: int) -> None:
    crosswalk = _crosswalk(history)
    first = _facts(history, seed).query("year == @FIRST_YEAR")
    at_once = harmonise(first, crosswalk, history.last_year)
    stepwise = first
    for year in range(FIRST_YEAR, history.last_year):
        stepwise = harmonise(stepwise.assign(year=year), crosswalk, year + 1)
    stepwise = stepwise.assign(year=FIRST_YEAR)
    pd.testing.assert_frame_equal(at_once, stepwise, rtol=1e-9)
