"""The data road end to end on the demo country: store, crosswalk, harmonisation, CLI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from bluezones.cli import main
from bluezones.indicators import MEASURES
from bluezones.regions import harmonise_store, verified_span
from bluezones.sources.demo import generate
from bluezones.store import Store

SEED = 11


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pipeline") / "store.duckdb"
    with Store(path) as store:
        generate(SEED).to_store(store)
        harmonise_store(store, "demo", 2024)
    return path


def test_harmonised_demo_conserves_national_totals(demo_store: Path) -> None:
    with Store(demo_store, read_only=True) as store:
        before = store.read_facts("demo")
        after = store.read("facts_harmonised", where={"dataset": "demo"})
    counts = [m for m, spec in MEASURES.items() if spec.kind == "count"]
    before = before[before["region_code"].str.startswith("GM")]
    after = after[after["region_code"].str.startswith("GM")]
    # Gemeente counts are published unrounded; compare the totals of every year and
    # count measure in which no gemeente was suppressed.
    ok_before = before[before["measure"].isin(counts)]
    complete = ok_before.groupby(["year", "measure"])["status"].apply(
        lambda s: not s.isin(["suppressed", "missing"]).any()
    )
    totals_before = ok_before.groupby(["year", "measure"])["value"].sum()[complete]
    totals_after = after.groupby(["year", "measure"])["value"].sum().loc[totals_before.index]
    assert len(totals_before) > 50
    pd.testing.assert_series_equal(totals_before, totals_after, rtol=1e-9, check_names=False)


def test_every_year_lands_on_the_reference_gemeenten(demo_store: Path) -> None:
    with Store(demo_store, read_only=True) as store:
        after = store.read("facts_harmonised", where={"dataset": "demo"})
        regions = store.read("regions", where={"dataset": "demo", "year": 2024})
    reference = set(regions.loc[regions["level"] == "gemeente", "region_code"])
    gemeenten = after[after["region_code"].str.startswith("GM")]
    per_year = gemeenten.groupby("year")["region_code"].apply(set)
    assert all(codes == reference for codes in per_year)
    assert len(reference) == 342


def test_unchanged_years_extend_the_crosswalk_span() -> None:
    crosswalk = pd.DataFrame({"year_from": [2016], "year_to": [2017]})
    regions = pd.DataFrame(
        {
            "year": [2015, 2016, 2017, 2018, 2019],
            "level": "gemeente",
            "region_code": ["GM0001", "GM0002", "GM0003", "GM0003", "GM0004"],
        }
    )
    # 2017 and 2018 list the same codes: no change, so the span reaches 2018, not 2019.
    assert verified_span(crosswalk, regions) == (2016, 2018)
    assert verified_span(crosswalk.iloc[:0], regions) is None


def test_cli_demo_status_and_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    store = tmp_path / "s.duckdb"
    result = runner.invoke(main, ["--store", str(store), "demo", "--seed", str(SEED)])
    assert result.exit_code == 0, result.output
    assert "342 gemeenten" in result.output and "omgezet naar de indeling van 2024" in result.output
    status = runner.invoke(main, ["--store", str(store), "--lang", "en", "status"])
    assert status.exit_code == 0 and "demo" in status.output and "Derived tables" in status.output
    bad = tmp_path / "bad.csv"
    bad.write_text("region_code,year,youth_0_17,jeugdhulp\nGM0363,2023,100,500\n", "utf-8")
    before = runner.invoke(main, ["--store", str(store), "status"]).output
    result = runner.invoke(main, ["--store", str(store), "load", str(bad), "--dataset", "x"])
    assert result.exit_code == 1
    assert "bad.csv" in result.output and "row: 2" in result.output
    assert runner.invoke(main, ["--store", str(store), "status"]).output == before


def test_cli_status_on_a_missing_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--store", str(tmp_path / "none.duckdb"), "status"])
    assert result.exit_code == 0 and "leeg" in result.output
    assert not (tmp_path / "none.duckdb").exists()


def test_cli_load_checks_codes_against_a_dataset(tmp_path: Path) -> None:
    runner = CliRunner()
    store = tmp_path / "s.duckdb"
    assert runner.invoke(main, ["--store", str(store), "demo", "--seed", "3"]).exit_code == 0
    with Store(store, read_only=True) as s:
        known = s.read("regions", where={"dataset": "demo", "year": 2024})["region_code"]
    code = sorted(c for c in known if c.startswith("GM"))[0]
    unknown = "GM9999"
    own = tmp_path / "own.csv"
    own.write_text(f"region_code,year,youth_0_17\n{code},2024,100\n{unknown},2024,50\n", "utf-8")
    args = ["--store", str(store), "load", str(own), "--dataset", "own", "--regions-from", "demo"]
    result = runner.invoke(main, args)
    assert result.exit_code == 1 and unknown in result.output and "row: 3" in result.output
    result = runner.invoke(main, [*args[:-2], "--regions-from", "nothing"])
    assert result.exit_code == 1 and "no region lists" in result.output


def test_cli_validate_demo_scores_one_country() -> None:
    result = CliRunner().invoke(main, ["validate", "demo", "--seeds", "1", "--no-null"])
    assert result.exit_code == 0, result.output
    assert "recall_low" in result.output and "coverage" in result.output


def test_cli_monitor_evaluates_the_demo_pilots(tmp_path: Path) -> None:
    runner = CliRunner()
    store = ["--store", str(tmp_path / "s.duckdb")]
    assert runner.invoke(main, [*store, "demo", "--seed", "4", "--no-harmonise"]).exit_code == 0
    result = runner.invoke(main, [*store, "monitor", "--indicator", "ots", "--permutations", "99"])
    assert result.exit_code == 0, result.output
    assert "10 pilotregio's" in result.output and "lager" in result.output
    with Store(tmp_path / "s.duckdb", read_only=True) as s:
        assert "monitor_evaluation" in s.tables()
    none = runner.invoke(main, [*store, "demo", "--seed", "4", "--no-pilots", "--no-harmonise"])
    assert none.exit_code == 0
    result = runner.invoke(main, [*store, "monitor", "--permutations", "99"])
    assert result.exit_code == 1 and "hint" in result.output


def test_cli_export_writes_every_format_and_a_manifest(demo_store: Path, tmp_path: Path) -> None:
    from bluezones.detect.pipeline import DetectionConfig
    from bluezones.detect.results import detect_dataset

    with Store(demo_store) as s:
        detect_dataset(s, "demo", DetectionConfig(indicators=("jeugdhulp",)))
    out = tmp_path / "export"
    args = ["--store", str(demo_store), "export", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert {"manifest.json", "demo-gemeente.xlsx", "demo-gemeente.geojson", "demo.gpkg"} <= names
