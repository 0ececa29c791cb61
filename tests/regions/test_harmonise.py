"""Harmonisation to reference-year boundaries: counts, shares, statuses, errors, the store."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bluezones.errors import DataError, RegionError, StoreError
from bluezones.regions import (
    HARMONISED_COLUMNS,
    HARMONISED_TABLE,
    SLIVER_WEIGHT,
    Crosswalk,
    harmonise,
    harmonise_store,
    indicator_rates,
    write_crosswalk,
)
from bluezones.store import TABLE_SCHEMAS, Store

from .conftest import crosswalk_frame, facts_frame

# 2021 -> 2022: Beemster (GM0370) merges into Purmerend (GM0439);
# GM0001 is split over GM0002 (0.75) and GM0003 (0.25).
CROSSWALK = Crosswalk(
    crosswalk_frame(
        [
            (2021, 2022, "GM0370", "GM0439", 1.0),
            (2021, 2022, "GM0001", "GM0002", 0.75),
            (2021, 2022, "GM0001", "GM0003", 0.25),
        ]
    )
)


def _value(out: pd.DataFrame, region: str, year: int, name: str) -> tuple[float, object]:
    row = out[(out.region_code == region) & (out.year == year) & (out.measure == name)]
    assert len(row) == 1, (region, year, name)
    status = row["status"].iloc[0]
    return float(row["value"].iloc[0]), None if pd.isna(status) else status


def test_counts_are_summed_and_split_by_address_share() -> None:
    facts = facts_frame(
        [
            ("GM0370", 2021, "population", 100),
            ("GM0439", 2021, "population", 900),
            ("GM0001", 2021, "population", 400),
            ("GM0002", 2021, "population", 1000),
            ("GM0003", 2021, "population", 2000),
            ("GM0439", 2022, "population", 1010),
        ]
    )
    out = harmonise(facts, CROSSWALK, 2022)
    assert list(out.columns) == list(HARMONISED_COLUMNS)
    assert out[["known_part", "hidden_parts"]].isna().all().all()  # nothing suppressed
    assert _value(out, "GM0439", 2021, "population") == (1000.0, None)
    assert _value(out, "GM0002", 2021, "population") == (1300.0, None)
    assert _value(out, "GM0003", 2021, "population") == (2100.0, None)
    assert _value(out, "GM0439", 2022, "population") == (1010.0, None)
    assert set(out.loc[out.year == 2021, "region_code"]) == {"GM0439", "GM0002", "GM0003"}
    assert out["source"].eq("test").all()


def test_share_is_weighted_by_its_reallocated_count() -> None:
    facts = facts_frame(
        [
            ("GM0370", 2021, "households", 100),
            ("GM0439", 2021, "households", 300),
            ("GM0370", 2021, "pct_low_income", 10),
            ("GM0439", 2021, "pct_low_income", 30),
            ("GM0001", 2021, "households", 400),
            ("GM0002", 2021, "households", 100),
            ("GM0001", 2021, "pct_low_income", 20),
            ("GM0002", 2021, "pct_low_income", 40),
        ]
    )
    out = harmonise(facts, CROSSWALK, 2022)
    assert _value(out, "GM0439", 2021, "pct_low_income")[0] == pytest.approx(25.0)
    # GM0002 gets 300 households at 20 % and its own 100 at 40 %.
    assert _value(out, "GM0002", 2021, "pct_low_income")[0] == pytest.approx(25.0)
    # GM0003 itself has no 2021 figures, so only GM0001's quarter flows in.
    assert _value(out, "GM0003", 2021, "pct_low_income")[0] == pytest.approx(20.0)


def test_a_share_from_one_part_needs_no_weight() -> None:
    facts = facts_frame(
        [("GM0370", 2021, "mean_income", 31.5), ("GM0001", 2021, "pct_low_income", 7)]
    )
    out = harmonise(facts, CROSSWALK, 2022)
    assert _value(out, "GM0439", 2021, "mean_income") == (31.5, None)
    assert _value(out, "GM0002", 2021, "pct_low_income") == (7.0, None)
    assert _value(out, "GM0003", 2021, "pct_low_income") == (7.0, None)


def test_a_suppressed_part_suppresses_the_reference_unit() -> None:
    facts = facts_frame(
        [
            ("GM0370", 2021, "ots", None, "suppressed"),
            ("GM0439", 2021, "ots", 40),
            ("GM0001", 2021, "ots", None, "missing"),
            ("GM0002", 2021, "ots", None, "suppressed"),
            ("GM0003", 2021, "ots", 12),
        ]
    )
    out = harmonise(facts, CROSSWALK, 2022)
    value, status = _value(out, "GM0439", 2021, "ots")
    assert math.isnan(value) and status == "suppressed"
    assert _value(out, "GM0002", 2021, "ots")[1] == "missing"  # missing outranks suppressed
    assert _value(out, "GM0003", 2021, "ots")[1] == "missing"


def test_a_suppressed_count_keeps_its_known_and_hidden_parts() -> None:
    """Beemster (suppressed) + Purmerend (40): between 40 and 40 + 9, not "fewer than 10"."""
    facts = facts_frame(
        [
            ("GM0370", 2021, "ots", None, "suppressed"),
            ("GM0439", 2021, "ots", 40),
            ("GM0001", 2021, "ots", None, "suppressed"),
            ("GM0002", 2021, "ots", 30),
            ("GM0003", 2021, "ots", None, "suppressed"),
            ("GM0439", 2022, "ots", None, "suppressed"),
            ("GM0439", 2022, "pct_low_income", None, "suppressed"),
            ("GM0002", 2022, "ots", 20),
        ]
    )
    out = harmonise(facts, CROSSWALK, 2022).set_index(["region_code", "year", "measure"])
    parts = out[["known_part", "hidden_parts"]]
    assert tuple(parts.loc[("GM0439", 2021, "ots")]) == (40.0, 1.0)
    # GM0002 gets its own 30 and three quarters of the suppressed GM0001.
    assert tuple(parts.loc[("GM0002", 2021, "ots")]) == (30.0, 0.75)
    assert tuple(parts.loc[("GM0003", 2021, "ots")]) == (0.0, 1.25)
    assert tuple(parts.loc[("GM0439", 2022, "ots")]) == (0.0, 1.0)
    # Only suppressed counts carry them: not observed counts, not shares.
    assert parts.loc[("GM0002", 2022, "ots")].isna().all()
    assert parts.loc[("GM0439", 2022, "pct_low_income")].isna().all()


def test_a_region_without_the_measure_is_a_missing_part() -> None:
    facts = facts_frame(
        [
            ("GM0370", 2021, "population", 100),
            ("GM0439", 2021, "population", 900),
            ("GM0439", 2021, "jeugdhulp", 70),  # Beemster has no jeugdhulp row
        ]
    )
    out = harmonise(facts, CROSSWALK, 2022)
    value, status = _value(out, "GM0439", 2021, "jeugdhulp")
    assert math.isnan(value) and status == "missing"
    assert _value(out, "GM0439", 2021, "population") == (1000.0, None)


def test_provisional_propagates() -> None:
    facts = facts_frame(
        [("GM0370", 2021, "jeugdhulp", 10, "provisional"), ("GM0439", 2021, "jeugdhulp", 90)]
    )
    out = harmonise(facts, CROSSWALK, 2022)
    assert _value(out, "GM0439", 2021, "jeugdhulp") == (100.0, "provisional")
    shares = facts_frame(
        [
            ("GM0370", 2021, "pct_low_income", 10),
            ("GM0439", 2021, "pct_low_income", 30),
            ("GM0370", 2021, "households", 100, "provisional"),
            ("GM0439", 2021, "households", 300),
        ]
    )
    out = harmonise(shares, CROSSWALK, 2022)
    assert _value(out, "GM0439", 2021, "pct_low_income") == (25.0, "provisional")


def test_ignore_slivers_leaves_out_only_small_suppressed_slivers() -> None:
    sliver = SLIVER_WEIGHT / 2
    cw = Crosswalk(
        crosswalk_frame(
            [
                (2021, 2022, "GM0001", "GM0001", 1 - sliver),
                (2021, 2022, "GM0001", "GM0002", sliver),
            ]
        )
    )
    facts = facts_frame(
        [
            ("GM0001", 2021, "ots", None, "suppressed"),
            ("GM0002", 2021, "ots", 50),
            ("GM0001", 2021, "jeugdhulp", None, "missing"),
            ("GM0002", 2021, "jeugdhulp", 500),
        ]
    )
    strict = harmonise(facts, cw, 2022)
    assert _value(strict, "GM0002", 2021, "ots")[1] == "suppressed"
    lenient = harmonise(facts, cw, 2022, suppressed="ignore_slivers")
    assert _value(lenient, "GM0002", 2021, "ots") == (50.0, None)
    assert _value(lenient, "GM0001", 2021, "ots")[1] == "suppressed"  # the main part stays
    assert _value(lenient, "GM0002", 2021, "jeugdhulp")[1] == "missing"  # never for missing
    with pytest.raises(DataError, match="policy"):
        harmonise(facts, cw, 2022, suppressed="zero")  # type: ignore[arg-type]


def test_missing_weight_measure_when_combining_is_an_error_naming_region_and_year() -> None:
    facts = facts_frame(
        [
            ("GM0370", 2021, "pct_low_income", 10),
            ("GM0439", 2021, "pct_low_income", 30),
            ("GM0439", 2021, "households", 300),
        ]
    )
    with pytest.raises(DataError, match="households") as info:
        harmonise(facts, CROSSWALK, 2022)
    assert info.value.context == {"region": "GM0370", "year": 2021, "measure": "pct_low_income"}


def test_suppressed_weight_count_makes_a_combined_share_missing() -> None:
    facts = facts_frame(
        [
            ("GM0370", 2021, "pct_low_income", 10),
            ("GM0439", 2021, "pct_low_income", 30),
            ("GM0370", 2021, "households", None, "suppressed"),
            ("GM0439", 2021, "households", 300),
        ]
    )
    out = harmonise(facts, CROSSWALK, 2022)
    value, status = _value(out, "GM0439", 2021, "pct_low_income")
    assert math.isnan(value) and status == "missing"


def test_years_after_the_reference_year_are_refused_with_a_hint() -> None:
    facts = facts_frame([("GM0439", 2022, "population", 1), ("GM0439", 2021, "population", 1)])
    with pytest.raises(RegionError, match="forward in time") as info:
        harmonise(facts, CROSSWALK, 2021)
    assert info.value.context["year"] == 2022
    assert "2022 or later" in str(info.value.hint)


def test_years_before_the_crosswalk_are_refused() -> None:
    facts = facts_frame([("GM0439", 2019, "population", 1)])
    with pytest.raises(RegionError, match="covers 2021-2022"):
        harmonise(facts, CROSSWALK, 2022)


def test_unknown_result_codes_are_refused() -> None:
    facts = facts_frame([("GM0370", 2021, "population", 1), ("NL00", 2021, "population", 9)])
    out = harmonise(facts, CROSSWALK, 2022, known_codes={"GM0439"})
    assert _value(out, "NL00", 2021, "population") == (9.0, None)  # land passes through
    with pytest.raises(RegionError, match="does not exist in 2022") as info:
        harmonise(facts, CROSSWALK, 2022, known_codes={"GM0370"})
    assert info.value.context == {"region": "GM0439", "year": 2021}


def test_level_selects_rows_and_bad_input_is_refused() -> None:
    facts = facts_frame([("GM0370", 2021, "population", 1), ("WK037000", 2022, "population", 1)])
    out = harmonise(facts, CROSSWALK, 2022, level="gemeente")
    assert out["region_code"].tolist() == ["GM0439"]
    with pytest.raises(RegionError, match="Malformed"):
        harmonise(facts_frame([("GM37", 2021, "population", 1)]), CROSSWALK, 2022)
    with pytest.raises(DataError, match="Unknown measure"):
        harmonise(facts_frame([("GM0370", 2021, "inhabitants", 1)]), CROSSWALK, 2022)
    with pytest.raises(DataError, match="lack columns"):
        harmonise(facts.drop(columns="status"), CROSSWALK, 2022)


def test_indicator_rates_are_recomputed_from_counts() -> None:
    facts = facts_frame(
        [
            ("GM0370", 2021, "jeugdhulp", 10),
            ("GM0370", 2021, "youth_0_17", 200),
            ("GM0439", 2021, "jeugdhulp", 90),
            ("GM0439", 2021, "youth_0_17", 800),
            ("GM0439", 2021, "ots", None, "suppressed"),
            ("GM0370", 2021, "ots", 1),
        ]
    )
    rates = indicator_rates(harmonise(facts, CROSSWALK, 2022), ["jeugdhulp", "ots"])
    assert list(rates.columns) == ["region_code", "year", "jeugdhulp", "ots"]
    assert rates["jeugdhulp"].tolist() == [10.0]  # 100 / 1000 per 100, not the mean of 5 and 11.25
    assert math.isnan(rates["ots"].iloc[0])


def test_harmonise_store_writes_one_transaction_per_dataset(store: Store) -> None:
    facts = facts_frame(
        [("GM0370", 2021, "population", 100), ("GM0439", 2021, "population", 900)], dataset="d"
    )
    store.write_facts(facts)
    cw = crosswalk_frame([(2021, 2022, "GM0370", "GM0439", 1.0)])
    assert write_crosswalk(store, cw.assign(dataset="d")) == 1
    assert harmonise_store(store, "d", 2022) == 1
    assert harmonise_store(store, "d", 2022) == 1  # replaces, does not append
    got = store.read(HARMONISED_TABLE)
    assert got[["region_code", "year", "value", "reference_year"]].values.tolist() == [
        ["GM0439", 2021, 1000.0, 2022]
    ]
    with pytest.raises(StoreError, match="no facts"):
        harmonise_store(store, "other", 2022)


def test_harmonise_store_adds_the_bound_columns_to_an_older_table(store: Store) -> None:
    """A store harmonised before the known and hidden parts were recorded gains them."""
    old = ", ".join(f'"{c}" {kind}' for c, kind in TABLE_SCHEMAS["facts"].items())
    store.con.execute(f'CREATE TABLE "{HARMONISED_TABLE}" ({old}, reference_year INTEGER)')
    store.con.execute(
        f'INSERT INTO "{HARMONISED_TABLE}" VALUES '
        "('e', 'GM0001', 2021, 'ots', NULL, 'suppressed', 's', 2022)"
    )
    facts = facts_frame(
        [("GM0370", 2021, "ots", None, "suppressed"), ("GM0439", 2021, "ots", 40)], dataset="d"
    )
    store.write_facts(facts)
    write_crosswalk(
        store, crosswalk_frame([(2021, 2022, "GM0370", "GM0439", 1.0)]).assign(dataset="d")
    )
    harmonise_store(store, "d", 2022)
    got = store.read(HARMONISED_TABLE).set_index("dataset")
    assert got.loc["d", ["known_part", "hidden_parts"]].tolist() == [40.0, 1.0]
    assert got.loc["e", ["known_part", "hidden_parts"]].isna().all()  # kept, unknown


def test_harmonise_store_checks_codes_against_the_regions_table(store: Store) -> None:
    store.write_facts(facts_frame([("GM0370", 2021, "population", 100)], dataset="d"))
    store.replace(
        "crosswalk", crosswalk_frame([(2021, 2022, "GM0370", "GM0439", 1.0)]).assign(dataset="d")
    )
    regions = pd.DataFrame(
        {
            "dataset": ["d"],
            "year": [2022],
            "region_code": ["GM0363"],
            "level": ["gemeente"],
            "name": ["Amsterdam"],
            "gemeente_code": ["GM0363"],
            "jeugdregio_code": [None],
        }
    )
    store.replace("regions", regions)
    with pytest.raises(RegionError, match="GM0439"):
        harmonise_store(store, "d", 2022)
    assert not store.has_table(HARMONISED_TABLE)


def test_harmonise_store_needs_no_crosswalk_for_the_reference_year(store: Store) -> None:
    store.write_facts(facts_frame([("GM0439", 2022, "population", 5)], dataset="d"))
    assert harmonise_store(store, "d", 2022) == 1
    store.write_facts(facts_frame([("GM0439", 2021, "population", 5)], dataset="d"))
    with pytest.raises(RegionError, match="has no rows"):
        harmonise_store(store, "d", 2022)


def test_write_crosswalk_validates_and_replaces_one_dataset(store: Store) -> None:
    rows = crosswalk_frame(
        [(2021, 2022, "GM0001", "GM0002", 0.5), (2021, 2022, "GM0001", "GM0003", 0.49999)]
    )
    assert write_crosswalk(store, rows.assign(dataset="a")) == 2
    assert write_crosswalk(store, rows.iloc[:1].assign(dataset="b", weight=1.0)) == 1
    stored = store.read("crosswalk", where={"dataset": "a"})
    assert stored["weight"].sum() == pytest.approx(1.0, abs=1e-15)
    assert len(store.read("crosswalk")) == 3
    with pytest.raises(RegionError, match="sum to"):
        write_crosswalk(store, rows.iloc[:1].assign(dataset="a"))
    with pytest.raises(RegionError, match="dataset"):
        write_crosswalk(store, rows)
    assert len(store.read("crosswalk")) == 3
