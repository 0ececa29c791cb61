"""Loading microdata: cells and facts in the store, and one clear error per bad input.

Every bad-input case checks the error names the file, the column and example
records, never prints a person number, and leaves the store unchanged.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat
import pytest

from bluezones.detect.pipeline import DetectionConfig
from bluezones.detect.results import detect_dataset
from bluezones.errors import BlueZonesError, ConfigError, DataError, RegionError
from bluezones.microdata import (
    CELLS_TABLE,
    GeneratedMicrodata,
    load_mapping,
    load_microdata,
    parse_mapping,
)
from bluezones.store import Store


def _read(path: Path) -> pd.DataFrame:
    """Persons as plain columns (the generator's codes are dictionary columns)."""
    frame = pd.read_parquet(path)
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype(str)
    return frame


def _load(store: Store, paths: list[Path], md: GeneratedMicrodata, **kw: object):
    return load_microdata(store, paths, load_mapping(md.mapping), dataset="micro", **kw)


def test_load_stores_cells_facts_origin_and_regions(
    demo_store: Store, small: GeneratedMicrodata
) -> None:
    steps: list[str] = []
    result = _load(demo_store, [small.folder], small, progress=lambda s, d, t: steps.append(s))
    persons = _read(small.files[0])
    assert result.records == len(persons)
    assert {"aggregate", "duplicates", "store"} <= set(steps)
    cells = demo_store.read(CELLS_TABLE, where={"dataset": "micro"})
    for level in ("gemeente", "wijk"):
        assert cells.loc[cells["level"] == level, "n"].sum() == len(persons)
    young = persons[persons["leeftijd"] <= 17]
    facts = demo_store.read_facts("micro")
    gem = facts[facts["region_code"].str.startswith("GM")]
    assert gem.loc[gem["measure"] == "youth_0_17", "value"].sum() == len(young)
    assert gem.loc[gem["measure"] == "jeugdhulp", "value"].sum() == young["JEUGDHULP"].sum()
    probation = persons[persons["leeftijd"] >= 12]["JEUGDRECLASSERING"].sum()
    assert gem.loc[gem["measure"] == "jeugdreclassering", "value"].sum() == probation
    one = persons[persons["gem2024"] == persons["gem2024"].iloc[0]]
    one_young = one[one["leeftijd"] <= 17]
    share = gem[(gem["region_code"] == "GM" + one["gem2024"].iloc[0])]
    share = share.set_index("measure")["value"]
    assert share["pct_single_parent"] == pytest.approx(100 * (one_young["TYPHH"] == 6).mean())
    assert demo_store.origin("micro") == ("microdata", 10)
    regions = demo_store.read("regions", where={"dataset": "micro", "year": 2024})
    assert len(regions) == len(demo_store.read("regions", where={"dataset": "demo", "year": 2024}))
    harmonised = demo_store.read("facts_harmonised", where={"dataset": "micro"})
    assert len(harmonised) == len(facts) and set(harmonised["reference_year"]) == {2024}


def test_csv_and_spss_give_the_same_cells_as_parquet(
    tmp_path: Path, demo_store: Store, small: GeneratedMicrodata
) -> None:
    persons = _read(small.files[0])
    csv = tmp_path / "jeugd.csv"
    persons.to_csv(csv, index=False)
    sav = tmp_path / "jeugd.sav"
    pyreadstat.write_sav(persons, str(sav))
    totals = []
    for path in (small.files[0], csv, sav):
        load_microdata(demo_store, [path], load_mapping(small.mapping), dataset="m")
        cells = demo_store.con.execute(
            f"SELECT level, region_code, age_group, sex, household, income_group, "
            f"parent_psych, n, y_jeugdhulp FROM {CELLS_TABLE} WHERE dataset = 'm' "
            "ORDER BY ALL"
        ).df()
        totals.append(cells)
    pd.testing.assert_frame_equal(totals[0], totals[1])
    pd.testing.assert_frame_equal(totals[0], totals[2])


# --- bad input -------------------------------------------------------------------
Make = Callable[[pd.DataFrame, Path], list[Path]]


def _parquet(frame: pd.DataFrame, path: Path) -> Path:
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    return path


def _edit(change: Callable[[pd.DataFrame], pd.DataFrame]) -> Make:
    return lambda frame, folder: [_parquet(change(frame.copy()), folder / "jeugd.parquet")]


def _set(row: int, column: str, value: object) -> Make:
    def change(f: pd.DataFrame) -> pd.DataFrame:
        f[column] = f[column].astype(object)
        f.loc[row, column] = value
        return f

    return _edit(change)


def _renamed(old: str, new: str) -> Make:
    return _edit(lambda f: f.rename(columns={old: new}))


def _twice(frame: pd.DataFrame, folder: Path) -> list[Path]:
    a = _parquet(frame, folder / "a.parquet")
    b = _parquet(frame.iloc[[40, 3]], folder / "b.parquet")
    return [a, b]


def _cut(suffix: str) -> Make:
    def make(frame: pd.DataFrame, folder: Path) -> list[Path]:
        path = folder / f"jeugd{suffix}"
        if suffix == ".parquet":
            _parquet(frame, path)
        elif suffix == ".csv":
            frame.to_csv(path, index=False)
        else:
            pyreadstat.write_sav(frame, str(path))
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        return [path]

    return make


def _other_years_codes(frame: pd.DataFrame, folder: Path, old: str) -> list[Path]:
    f = frame.copy()
    f.loc[[5, 9], "gem2024"] = old[2:]
    f.loc[[5, 9], "wc2024"] = None
    return [_parquet(f, folder / "jeugd.parquet")]


CASES: dict[str, tuple[Make, type[BlueZonesError], str, str, str | None]] = {
    # name: (make files, error, words in the message, column, records)
    "misspelt column": (_renamed("leeftijd", "leeftijdd"), DataError, "no column 'leeftijd'",
                        "leeftijd", None),
    "unmapped column": (_edit(lambda f: f.assign(EXTRA=1)), DataError, "does not mention: EXTRA",
                        "EXTRA", None),
    "age above 22": (_set(17, "leeftijd", 23), DataError, "outside 0-22", "leeftijd", "18"),
    "negative age": (_set(2, "leeftijd", -1), DataError, "outside 0-22", "leeftijd", "3"),
    "age missing": (_set(4, "leeftijd", None), DataError, "without an age", "leeftijd", "5"),
    "unknown sex code": (_set(8, "GBAGESLACHT", 3), DataError, "sex codes", "GBAGESLACHT", "9"),
    "flag not 0/1": (_set(11, "JEUGDHULP", 2), DataError, "care flags", "JEUGDHULP", "12"),
    "unknown household": (_set(6, "TYPHH", 9), DataError, "household codes", "TYPHH", "7"),
    "percentile out of range": (_set(6, "INHP100HBEST", 101), DataError, "percentiles",
                                "INHP100HBEST", "7"),
    "person twice in a year": (_twice, DataError, "same person appears more than once in 2024",
                               None, None),
    "unknown wijk code": (_set(0, "wc2024", "999999"), RegionError, "wijk codes unknown",
                          "wc2024", "1"),
    "truncated parquet": (_cut(".parquet"), DataError, "cut off", None, None),
    "truncated csv": (_cut(".csv"), DataError, "middle of a record", None, None),
    "truncated spss": (_cut(".sav"), DataError, "SPSS", None, None),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input(case: str, tmp_path: Path, demo_store: Store, small: GeneratedMicrodata) -> None:
    make, error, words, column, records = CASES[case]
    persons = _read(small.files[0])
    paths = make(persons, tmp_path)
    before = demo_store.con.execute("SELECT count(*) FROM facts").fetchone()
    with pytest.raises(error) as err:
        _load(demo_store, paths, small)
    message = str(err.value)
    assert words in message
    assert err.value.hint
    assert "file" in err.value.context
    if column:
        assert err.value.context["column"] == column
    if records:
        assert err.value.context["row"].split()[1].split(",")[0] == records
    for person in persons["RINPERSOON"].astype(str).head(50):
        assert person not in message
    _assert_unchanged(demo_store, before)


def test_codes_of_another_years_boundaries_name_that_year(
    tmp_path: Path, demo_store: Store, small: GeneratedMicrodata
) -> None:
    regions = demo_store.read("regions", where={"dataset": "demo"})
    gem = regions[regions["level"] == "gemeente"]
    last = set(gem.loc[gem["year"] == 2024, "region_code"])
    gone = gem[~gem["region_code"].isin(last)].sort_values(["year", "region_code"]).iloc[0]
    persons = _read(small.files[0])
    before = demo_store.con.execute("SELECT count(*) FROM facts").fetchone()
    with pytest.raises(RegionError) as err:
        _load(demo_store, _other_years_codes(persons, tmp_path, gone["region_code"]), small)
    assert gone["region_code"] in str(err.value)
    assert str(int(gone["year"])) in (err.value.hint or "")
    assert err.value.context["row"] == "records 6, 10"
    assert err.value.context["column"] == "gem2024"
    _assert_unchanged(demo_store, before)


def _assert_unchanged(store: Store, before: tuple | None) -> None:
    assert store.con.execute("SELECT count(*) FROM facts").fetchone() == before
    assert store.origin("micro") == ("aggregate", None)
    if store.has_table(CELLS_TABLE):
        assert store.read(CELLS_TABLE, where={"dataset": "micro"}).empty
    assert not list(store.path.parent.glob(".microdata-*"))


def test_year_from_file_name(tmp_path: Path, demo_store: Store, small: GeneratedMicrodata) -> None:
    persons = _read(small.files[0]).drop(columns="jaar")
    for year in (2023, 2024):
        _parquet(persons, tmp_path / f"jeugd{year}.parquet")
    data = tomllib.loads(small.mapping.read_text(encoding="utf-8"))
    del data["columns"]["year"]
    data["year_from_file_name"] = True
    mapping = parse_mapping(data)
    result = load_microdata(demo_store, [tmp_path], mapping, dataset="micro")
    assert result.years == (2023, 2024)
    assert result.records == 2 * len(persons)
    _parquet(persons, tmp_path / "jeugd.parquet")
    with pytest.raises(DataError, match=r"year from the file name jeugd\.parquet"):
        load_microdata(demo_store, [tmp_path / "jeugd.parquet"], mapping, dataset="x")


def test_wijk_outside_its_gemeente(
    tmp_path: Path, demo_store: Store, small: GeneratedMicrodata
) -> None:
    persons = _read(small.files[0])
    other = persons.loc[persons["gem2024"] != persons.loc[3, "gem2024"], "wc2024"].iloc[0]
    persons.loc[3, "wc2024"] = other
    path = _parquet(persons, tmp_path / "jeugd.parquet")
    with pytest.raises(RegionError, match="does not lie in gemeente") as err:
        _load(demo_store, [path], small)
    assert err.value.context["column"] == "wc2024"
    assert err.value.context["row"] == "records 4"


def test_row_order_and_file_split_change_no_cell(
    tmp_path: Path, demo_store: Store, small: GeneratedMicrodata
) -> None:
    persons = _read(small.files[0])
    shuffled = persons.sample(frac=1.0, random_state=3).reset_index(drop=True)
    half = len(shuffled) // 2
    a = _parquet(shuffled.iloc[:half], tmp_path / "a.parquet")
    b = _parquet(shuffled.iloc[half:], tmp_path / "b.parquet")
    query = f"SELECT * EXCLUDE (dataset) FROM {CELLS_TABLE} WHERE dataset = ? ORDER BY ALL"
    _load(demo_store, [small.files[0]], small)
    whole = demo_store.con.execute(query, ["micro"]).df()
    load_microdata(demo_store, [a, b], load_mapping(small.mapping), dataset="split")
    split = demo_store.con.execute(query, ["split"]).df()
    pd.testing.assert_frame_equal(whole, split)


def test_a_minimal_mapping(demo_store: Store, small: GeneratedMicrodata) -> None:
    data = tomllib.loads(small.mapping.read_text(encoding="utf-8"))
    for name in ("wijk", "household", "income_percentile", "parent_psych"):
        data["ignore"].append(data["columns"].pop(name))
    data["care"] = {"jeugdhulp": "JEUGDHULP"}
    data["ignore"] += [c for c in _read(small.files[0]).columns if c.isupper() and c not in
                       ("RINPERSOON", "GBAGESLACHT", "JEUGDHULP", *data["ignore"])]  # fmt: skip
    del data["codes"]["household"]
    data.pop("area", None)
    result = load_microdata(demo_store, [small.folder], parse_mapping(data), dataset="micro")
    cells = demo_store.read(CELLS_TABLE, where={"dataset": "micro"})
    assert set(cells["level"]) == {"gemeente"}
    assert cells["n"].sum() == result.records
    assert set(cells["household"]) == {"onbekend"} == set(cells["parent_psych"])
    assert cells["y_jeugdbescherming"].isna().all()
    config = DetectionConfig(indicators=("jeugdhulp",), persistence=False)
    detected = detect_dataset(demo_store, "micro", config)
    names = detected.models["jeugdhulp:expected"].design.names
    assert any(n.startswith("C(sex)") for n in names)
    assert not any("household" in n for n in names)


def test_memory_limit_is_applied_and_restored(demo_store: Store, small: GeneratedMicrodata) -> None:
    setting = "SELECT current_setting('memory_limit')"
    before = demo_store.con.execute(setting).fetchone()
    _load(demo_store, [small.folder], small, memory_limit="300MB")
    assert demo_store.con.execute(setting).fetchone() == before
    with pytest.raises(ConfigError, match="memory limit"):
        _load(demo_store, [small.folder], small, memory_limit="lots")
