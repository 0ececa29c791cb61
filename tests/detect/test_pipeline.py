"""Detection end to end on a demo country: tables, invariants, store round trip, bad input."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from bluezones.cli import main
from bluezones.detect.classify import CLASSES
from bluezones.detect.pipeline import DetectionConfig, _spatial, run_detection
from bluezones.detect.results import detect_dataset, load_results, save_results
from bluezones.errors import DetectError
from bluezones.regions import harmonise_store
from bluezones.sources.demo import generate
from bluezones.store import Store

SEED = 5
FAST = DetectionConfig(indicators=("jeugdhulp", "uithuisplaatsing"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("detect") / "store.duckdb"
    with Store(path) as store:
        generate(SEED).to_store(store)
        harmonise_store(store, "demo", 2024)
    return path


@pytest.fixture(scope="module")
def inputs(demo: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    with Store(demo, read_only=True) as store:
        facts = store.read("facts_harmonised", where={"dataset": "demo"})
        regions = store.read("regions", where={"dataset": "demo", "year": 2024})
        geoms = store.read(
            "geometries", where={"dataset": "demo", "year": 2024, "level": "gemeente"}
        )
    return facts, regions, geoms


@pytest.fixture(scope="module")
def result(inputs):
    return run_detection(*inputs, FAST)


def test_every_area_is_classified_once(result, inputs) -> None:
    regions = inputs[1]
    gemeenten = set(regions.loc[regions["level"] == "gemeente", "region_code"])
    c = result.classification
    assert set(c["region_code"]) == gemeenten and c["region_code"].is_unique
    assert set(c["status"]) <= set(CLASSES)
    assert (c["reasons"].str.len() > 20).all()


def test_no_silent_missing_values(result) -> None:
    ay = result.area_year
    judged = ay[ay["usable"]]
    for col in ("expected", "ratio", "ratio_low", "ratio_high", "z", "p_value", "q_value"):
        assert judged[col].notna().all(), col
    unjudged = ay[~ay["usable"]]
    assert (unjudged["reason"].str.len() > 0).all()


def test_expected_sums_to_observed_each_year(inputs) -> None:
    """A canonical link with year intercepts; without the censored cells, whose share of
    the expectation is what they may hold (the score equation, tested in tests/model)."""
    plain = replace(FAST, composition=False, suppressed_below=None, persistence=False)
    area_year = run_detection(*inputs, plain).area_year
    judged = area_year[area_year["usable"]]
    sums = judged.groupby(["indicator", "year"])[["observed", "expected"]].sum()
    np.testing.assert_allclose(sums["expected"], sums["observed"], rtol=1e-6)


def test_intervals_contain_the_estimates(result) -> None:
    ev = result.evidence.dropna(subset=["ratio"])
    assert ((ev["ratio_low"] <= ev["ratio"]) & (ev["ratio"] <= ev["ratio_high"])).all()
    assert np.allclose(ev["p_below"] + ev["p_above"], 1)


def test_islands_are_named_in_the_spatial_result(result) -> None:
    moran = result.summary["moran"]
    assert len(moran["islands"]) == 5
    islands = result.spatial[result.spatial["cluster"] == "eiland"]
    assert set(islands["region_code"]) == set(moran["islands"])


def test_equal_lasting_effects_give_no_spatial_statistic(inputs, result) -> None:
    """All lasting effects 0 (no variation between areas): a note, no Moran's I, no clusters."""
    primary = result.evidence[result.evidence["indicator"] == "jeugdhulp"].assign(effect=0.0)
    spatial, moran = _spatial(primary, inputs[2], FAST)
    assert moran["note"] == "all lasting effects equal" and "moran_i" not in moran
    assert moran["islands"] == result.summary["moran"]["islands"]
    assert set(spatial["cluster"]) == {"-", "eiland"}


def test_shuffled_facts_give_the_same_classification(inputs, result) -> None:
    facts, regions, geoms = inputs
    shuffled = facts.sample(frac=1, random_state=1).reset_index(drop=True)
    again = run_detection(shuffled, regions, geoms, FAST)
    a = result.classification.set_index("region_code").sort_index()
    b = again.classification.set_index("region_code").sort_index()
    pd.testing.assert_series_equal(a["status"], b["status"])
    np.testing.assert_allclose(a["ratio"], b["ratio"], rtol=1e-6)


def test_results_are_saved_replaced_and_loaded(demo: Path, result) -> None:
    with Store(demo) as store:
        save_results(store, "demo", result, reference_year=2024)
        save_results(store, "demo", result, reference_year=2024)
        assert len(store.read("detect_classification")) == 342
        loaded = load_results(store, "demo", "gemeente")
    assert loaded["run"]["config"]["indicators"] == ["jeugdhulp", "uithuisplaatsing"]
    assert set(loaded["area_year"]["indicator"]) == {"jeugdhulp", "uithuisplaatsing"}
    assert "jeugdhulp:persistent" in loaded["run"]["models"]


def test_one_year_needs_persistence_switched_off(inputs) -> None:
    one = DetectionConfig(indicators=("jeugdhulp",), years=(2023,))
    with pytest.raises(DetectError, match="at least two years") as info:
        run_detection(*inputs, one)
    assert "--no-persistence" in str(info.value)
    pooled = run_detection(
        *inputs, DetectionConfig(indicators=("jeugdhulp",), years=(2023,), persistence=False)
    )
    assert pooled.classification["years"].max() == 1


def test_bad_configuration_is_explained() -> None:
    with pytest.raises(DetectError, match="Unknown indicators"):
        DetectionConfig(indicators=("jeugdzorgen",))
    with pytest.raises(DetectError, match="primary indicator"):
        DetectionConfig(indicators=("ots",))


def test_detect_needs_harmonised_figures(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store, pytest.raises(DetectError, match="harmonise"):
        detect_dataset(store, "demo", FAST)


def test_cli_detect(demo: Path) -> None:
    args = ["detect", "--indicator", "jeugdhulp", "--indicator", "uithuisplaatsing"]
    result = CliRunner().invoke(main, ["--store", str(demo), "--lang", "en", *args])
    assert result.exit_code == 0, result.output
    assert "Detection on 'demo' (gemeente, 2015-2024)" in result.output
    assert "As expected" in result.output and "Moran's I" in result.output
    with Store(demo, read_only=True) as store:
        assert load_results(store, "demo", "gemeente")["run"]["config"]["lang"] == "en"
    bad = CliRunner().invoke(main, ["--store", str(demo), *args, "--years", "2019-20x4"])
    assert bad.exit_code == 2 and "2019-2024" in bad.output


def test_wijk_composition_and_censoring_change_the_gemeente_expectation(
    inputs: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    facts, regions, _ = inputs
    config = DetectionConfig(indicators=("jeugdhulp", "uithuisplaatsing"), persistence=False)
    plain = run_detection(
        facts, regions, None, replace(config, composition=False, suppressed_below=None)
    )
    mixed = run_detection(facts, regions, None, config)  # both corrections: the default
    model = mixed.models["uithuisplaatsing:expected"]
    assert 2 <= model.stats["composition_fits"] <= 8
    assert model.stats["composition_max_offset"] > 0.05
    assert model.stats["censored_cells"] > 0
    a = plain.area_year.set_index(["region_code", "year"])["expected"]
    b = mixed.area_year.set_index(["region_code", "year"])["expected"]
    # Same national total of expected care, spread differently over the gemeenten.
    assert b.sum() == pytest.approx(a.sum(), rel=0.02)
    assert (b / a).std() > 0.02
    # Suppressed counts stay suppressed in the results: imputed values are never shown.
    assert mixed.area_year["observed"].isna().sum() == plain.area_year["observed"].isna().sum()


def test_lasting_model_sets_the_composition_offsets(inputs) -> None:
    facts, regions, _ = inputs
    result = run_detection(facts, regions, None, DetectionConfig(indicators=("jeugdhulp",)))
    lasting, expected = result.models["jeugdhulp:persistent"], result.models["jeugdhulp:expected"]
    assert 2 <= lasting.stats["composition_fits"] <= 8
    assert expected.stats["composition_fits"] == lasting.stats["composition_fits"]
    assert not any("still moved" in w for w in lasting.warnings)


def test_cli_detect_corrections_are_on_by_default_and_can_be_switched_off(demo: Path) -> None:
    args = ["detect", "--indicator", "jeugdhulp", "--indicator", "uithuisplaatsing"]
    quick = [*args, "--no-persistence"]

    def stored_config(*extra: str) -> dict:
        result = CliRunner().invoke(main, ["--store", str(demo), *quick, *extra])
        assert result.exit_code == 0, result.output
        with Store(demo, read_only=True) as store:
            return load_results(store, "demo", "gemeente")["run"]["config"]

    config = stored_config()
    assert config["composition"] is True and config["suppressed_below"] == 10
    config = stored_config("--no-wijk-composition", "--drop-suppressed")
    assert config["composition"] is False and config["suppressed_below"] is None
    assert stored_config("--suppressed-below", "5")["suppressed_below"] == 5
    for bad in (["--suppressed-below", "0"], ["--suppressed-below", "10", "--drop-suppressed"]):
        result = CliRunner().invoke(main, ["--store", str(demo), *args, *bad])
        assert result.exit_code == 2 and "suppressed" in result.output, result.output


def test_cli_model_reports_errors_clustered_by_area(demo: Path) -> None:
    result = CliRunner().invoke(
        main, ["--store", str(demo), "model", "--indicator", "jeugdhulp"], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    assert "se_area" in result.output and "cv_deviance_explained" in result.output
