"""Exports: CSV, Parquet, Excel and GeoJSON equal the stored results; a manifest; atomic."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from bluezones.detect.results import load_results
from bluezones.errors import DataError
from bluezones.present.exports import write_exports
from bluezones.store import Store


@pytest.fixture(scope="module")
def exported(atlas_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exports") / "out"
    with Store(atlas_store, read_only=True) as store:
        write_exports(store, "demo", out, levels=("gemeente",))
    return out


def test_files_and_manifest(exported: Path) -> None:
    names = sorted(p.name for p in exported.iterdir())
    assert names == [
        "demo-gemeente-area-year.csv",
        "demo-gemeente-area-year.parquet",
        "demo-gemeente-classification.csv",
        "demo-gemeente-classification.parquet",
        "demo-gemeente.geojson",
        "demo-gemeente.xlsx",
        "demo.gpkg",
        "manifest.json",
    ]
    manifest = json.loads((exported / "manifest.json").read_text(encoding="utf-8"))
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((exported / name).read_bytes()).hexdigest() == digest
    assert "gemeente" in manifest["levels"] and manifest["version"]


def test_tables_equal_the_store(exported: Path, atlas_store: Path, hostile: dict[str, str]) -> None:
    with Store(atlas_store, read_only=True) as store:
        res = load_results(store, "demo", "gemeente")
    csv = pd.read_csv(exported / "demo-gemeente-classification.csv", encoding="utf-8-sig")
    parquet = pd.read_parquet(exported / "demo-gemeente-area-year.parquet")
    c = res["classification"].set_index("region_code")
    assert sorted(csv["region_code"]) == sorted(c.index)
    row = csv.set_index("region_code").loc[csv["region_code"].iloc[3]]
    assert row["ratio"] == pytest.approx(c.loc[csv["region_code"].iloc[3], "ratio"], rel=1e-12)
    assert set(hostile.values()) & set(csv["name"])  # names are data, kept as written
    assert len(parquet) == len(res["area_year"])
    missing = parquet[~parquet["usable"]]
    assert missing["ratio"].isna().all()  # suppressed stays missing, never zero
    sheets = pd.read_excel(exported / "demo-gemeente.xlsx", sheet_name=None)
    assert {"classificatie", "Jeugdhulp", "bronnen en methode"} <= set(sheets)
    assert len(sheets["Jeugdhulp"]) == (res["area_year"]["indicator"] == "jeugdhulp").sum()


def test_geojson_has_every_area(exported: Path) -> None:
    data = json.loads((exported / "demo-gemeente.geojson").read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in data["features"])
    assert {"status", "ratio", "name"} <= set(data["features"][0]["properties"])


def test_unknown_format_refused(atlas_store: Path, tmp_path: Path) -> None:
    with Store(atlas_store, read_only=True) as store, pytest.raises(DataError, match="shp"):
        write_exports(store, "demo", tmp_path / "x", formats=("shp",))
