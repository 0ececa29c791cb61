"""End to end: person-level records loaded by bluezones.microdata, detected, published
through the gate; sdc-check passes the atlas and the exports clean."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bluezones.detect.pipeline import DetectionConfig
from bluezones.detect.results import load_results
from bluezones.microdata import detect_microdata, generate_microdata, load_mapping, load_microdata
from bluezones.present.atlas import build_atlas
from bluezones.present.exports import write_exports
from bluezones.sdc import released_results
from bluezones.sdc.check import check_folder
from bluezones.sources.demo import generate
from bluezones.store import Store

from .conftest import MIN, SEED


def test_loaded_microdata_outputs_pass_sdc_check(tmp_path: Path) -> None:
    made = generate_microdata(SEED, tmp_path / "md", youths=150_000, years=(2023, 2024))
    out = tmp_path / "out"
    with Store(tmp_path / "store.duckdb") as store:
        generate(SEED).to_store(store)  # the region lists the codes are checked against
        load_microdata(store, made.files, load_mapping(made.mapping), dataset="md")
        assert store.origin("md") == ("microdata", MIN)
        detect_microdata(store, "md", DetectionConfig(indicators=("jeugdhulp",)))
        detect_microdata(
            store, "md", DetectionConfig(level="wijk", indicators=("jeugdhulp",), persistence=False)
        )
        _no_pooled_wijk_comes_back(store)
        build_atlas(store, "md", out / "atlas")
        write_exports(store, "md", out / "exports", levels=("gemeente", "wijk"))
    report = check_folder(out)
    assert report.violations == []
    assert report.min_count == MIN


def _no_pooled_wijk_comes_back(store: Store) -> None:
    """Both levels pool the same years: a published gemeente's pooled evidence minus its
    wijken's never gives back one hidden wijk, nor hidden wijken below the minimum."""
    raw = load_results(store, "md", "wijk")["area_year"].query("indicator == 'jeugdhulp'")
    pooled = raw[raw["usable"]].groupby("region_code")["observed"].sum()
    wijk, gemeente = (
        released_results(store, "md", lv)["evidence"]
        .query("indicator == 'jeugdhulp'")
        .set_index("region_code")
        for lv in ("wijk", "gemeente")
    )
    hidden = wijk["ratio"].isna().reindex(pooled.index)
    by_gemeente = pooled.groupby("GM" + pooled.index.str[2:6])
    checked = 0
    for gm, counts in by_gemeente:
        if gm not in gemeente.index or pd.isna(gemeente.loc[gm, "ratio"]):
            continue
        gone = counts[hidden.loc[counts.index].to_numpy()]
        assert len(gone) != 1, gm
        assert gone.empty or gone.sum() >= MIN, gm
        checked += 1
    assert checked > 100
