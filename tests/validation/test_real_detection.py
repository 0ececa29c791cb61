"""Detection end to end on the real 2021/2022 extracts (shared/data), against 85098NED.

The figures asserted here were measured with benchmarks/detect_real.py; see the
module notes of bluezones.validation.real for why the indicator is jeugdzorg per
youth aged 0-14 and why "expected" rests on thin covariates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bluezones.detect.classify import CLASSES
from bluezones.detect.pipeline import DetectionResult
from bluezones.model import ModelSpec, cells_from_facts
from bluezones.model.cells import REASON_NUMERATOR_EXCEEDS, REASON_SLIVER
from bluezones.store import Store
from bluezones.validation.published import (
    KNOWN_HIGH,
    KNOWN_LOW,
    compare_with_published,
    denominator_agreement,
    read_published_2022,
)
from bluezones.validation.real import (
    DATASET,
    REAL_COVARIATES,
    detect_real_extracts,
    load_real_extracts,
)

GEMEENTEN_2022 = 345  # gemeente rows of the 2022 kwb extract (SOURCES.md section 3)


@pytest.fixture(scope="module")
def real_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("real") / "store.duckdb"
    with Store(path) as store:
        load_real_extracts(store, shared_data)
    return path


@pytest.fixture(scope="module")
def gemeente(real_store: Path, shared_data: Path) -> DetectionResult:
    with Store(real_store) as store:
        return detect_real_extracts(shared_data, level="gemeente", store=store)


@pytest.fixture(scope="module")
def wijk(real_store: Path, shared_data: Path) -> DetectionResult:
    with Store(real_store) as store:
        return detect_real_extracts(shared_data, level="wijk", store=store)


def _assert_reasons(result: DetectionResult) -> None:
    ay = result.area_year
    unusable = ay[~ay["usable"]]
    assert (unusable["reason"].str.len() > 0).all()
    usable = ay[ay["usable"]]
    assert np.isfinite(usable[["expected", "ratio", "z", "eb_ratio"]].to_numpy(float)).all()
    judged = result.classification[result.classification["status"] != "too_small"]
    assert judged["ratio"].notna().all()
    assert (result.classification["reasons"].str.len() > 0).all()


def test_load_drops_only_the_empty_water_wijk(real_store: Path) -> None:
    with Store(real_store, read_only=True) as store:
        facts = store.read_facts(DATASET)
        harmonised = store.read("facts_harmonised", where={"dataset": DATASET})
    assert "WK024316" not in set(facts["region_code"])  # Wolderwijd: 0 inhabitants, no addresses
    assert set(facts["status"].dropna()) == {"missing"}  # empty jeugdzorg cells, never 0
    gemeenten = harmonised[harmonised["region_code"].str.startswith("GM")]
    assert gemeenten.groupby("year")["region_code"].nunique().tolist() == [GEMEENTEN_2022] * 2


def test_gemeente_detection_classifies_every_gemeente(gemeente: DetectionResult) -> None:
    classes = gemeente.classification
    assert len(classes) == classes["region_code"].nunique() == GEMEENTEN_2022
    assert set(classes["status"]) <= set(CLASSES)
    assert (classes["status"] != "too_small").all()
    _assert_reasons(gemeente)
    assert gemeente.config.covariates == REAL_COVARIATES


def test_gemeente_lows_and_highs_of_the_published_shares(
    gemeente: DetectionResult, shared_data: Path
) -> None:
    comparison = compare_with_published(gemeente, shared_data)
    known = comparison.known.set_index("name")
    assert set(known.index) == set(KNOWN_LOW) | set(KNOWN_HIGH)
    # Measured lasting ratios: Urk 0.86, Vlieland 0.77, Staphorst 0.76, Maassluis 0.61;
    # Tiel 1.89, Terneuzen 1.41, Veendam 1.38. Urk and Staphorst's large families explain
    # part of their low use. Maassluis is second lowest of all, just beyond the 10% FDR
    # line (Westvoorne, 0.58, is the one candidate); only Tiel is notably high.
    assert (known.loc[list(KNOWN_LOW), "ratio"] < 1).all()
    assert (known.loc[list(KNOWN_HIGH), "ratio"] > 1).all()
    lowest = gemeente.evidence.nsmallest(3, "ratio")["region_code"]
    assert known.loc["Maassluis", "region_code"] in set(lowest)
    assert known.loc["Tiel", "status"] == "high"
    # Raw rates rank as the published shares do; adjusted ratios less so.
    assert comparison.spearman["rate"] > 0.95
    assert 0.6 < comparison.spearman["ratio"] < comparison.spearman["rate"]


def test_youth_0_14_is_the_denominator_closest_to_the_published_share(shared_data: Path) -> None:
    agreement = denominator_agreement(shared_data)
    assert agreement.idxmax() == "youth_0_14"
    assert agreement["youth_0_14"] > 0.98 > agreement["youth_0_24"]


def test_published_names_map_to_2022_codes(shared_data: Path) -> None:
    published = read_published_2022(shared_data)
    assert len(published) == GEMEENTEN_2022
    codes = published.set_index("name")["region_code"]
    assert codes["Weesp"] == "GM0457"  # merged into Amsterdam in March 2022
    assert codes["Westvoorne"] == "GM0614"  # merged into Voorne aan Zee in 2023
    assert codes["Urk"] == "GM0184"


def test_wijk_detection_gives_every_unusable_wijk_a_reason(wijk: DetectionResult) -> None:
    _assert_reasons(wijk)
    reasons = set(wijk.area_year["reason"])
    assert REASON_NUMERATOR_EXCEEDS in reasons and REASON_SLIVER in reasons
    counts = wijk.classification["status"].value_counts()
    assert counts.get("too_small", 0) > 0 and counts.get("as_expected", 0) > 2000


def test_cells_leave_out_numerators_above_and_slivers_of_denominators() -> None:
    facts = pd.DataFrame(
        {
            "region_code": ["WK000101"] * 2 + ["WK000102"] * 2 + ["WK000103"] * 2,
            "year": 2022,
            "measure": ["jeugdzorg", "youth_0_14"] * 3,
            "value": [15.0, 10.0, 0.1, 0.4, 3.0, 30.0],
        }
    )
    spec = ModelSpec(indicator="jeugdzorg", covariates=(), level="wijk")
    cells = cells_from_facts(facts, spec).set_index("region_code")
    assert cells.loc["WK000101", "reason"] == REASON_NUMERATOR_EXCEEDS
    assert cells.loc["WK000102", "reason"] == REASON_SLIVER
    assert cells["usable"].tolist() == [False, False, True]
