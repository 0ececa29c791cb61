"""The GeoPackage export, read back by a real reader (GDAL through pyogrio) and by SQLite."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import sqlite3
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon

from bluezones.detect.results import load_results
from bluezones.errors import DataError
from bluezones.present.exports import write_exports
from bluezones.present.geopackage import APPLICATION_ID, GeoLayer, write_geopackage
from bluezones.store import Store

pyogrio = pytest.importorskip("pyogrio")

LEVELS = ("gemeente", "wijk")
WHEN = dt.datetime(2024, 5, 1, 12, 30, 15, 250000)


@pytest.fixture(scope="module")
def gpkg(atlas_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gpkg") / "out"
    with Store(atlas_store, read_only=True) as store:
        write_exports(store, "demo", out, levels=LEVELS, formats=("gpkg",))
    return out


def stored(atlas_store: Path, level: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The stored classification of ``level`` with names, and its GeoJSON per region code."""
    with Store(atlas_store, read_only=True) as store:
        res = load_results(store, "demo", level)
        year = res["run"]["reference_year"]
        regions = store.read("regions", where={"dataset": "demo", "year": year})
        geoms = store.read("geometries", where={"dataset": "demo", "year": year, "level": level})
    names = regions.drop_duplicates("region_code", keep="last").set_index("region_code")["name"]
    frame = res["classification"].drop(columns=["dataset", "level"]).set_index("region_code")
    frame["name"] = names.reindex(frame.index)
    return frame, dict(zip(geoms["region_code"], geoms["geojson"], strict=True))


def test_one_file_in_the_manifest(gpkg: Path) -> None:
    assert sorted(p.name for p in gpkg.iterdir()) == ["demo.gpkg", "manifest.json"]
    manifest = json.loads((gpkg / "manifest.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256((gpkg / "demo.gpkg").read_bytes()).hexdigest()
    assert manifest["files"] == {"demo.gpkg": digest}
    assert set(manifest["levels"]) == set(LEVELS)


def test_sqlite_sees_a_valid_geopackage(gpkg: Path) -> None:
    con = sqlite3.connect(gpkg / "demo.gpkg")
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert struct.pack(">i", APPLICATION_ID) == b"GPKG"
        assert con.execute("PRAGMA user_version").fetchone()[0] == 10300
        srs = con.execute(
            "SELECT srs_id, organization, organization_coordsys_id FROM gpkg_spatial_ref_sys"
        ).fetchall()
        assert sorted(srs) == [(-1, "NONE", -1), (0, "NONE", 0), (4326, "EPSG", 4326)]
        contents = con.execute(
            "SELECT table_name, data_type, srs_id, last_change FROM gpkg_contents"
        ).fetchall()
        assert sorted(row[:3] for row in contents) == [
            ("gemeente", "features", 4326),
            ("wijk", "features", 4326),
        ]
        assert all(row[3].endswith("Z") and "T" in row[3] for row in contents)
        (blob,) = con.execute('SELECT geom FROM "gemeente" WHERE fid = 1').fetchone()
    finally:
        con.close()
    # StandardGeoPackageBinary: magic, version 0, little-endian with an xy envelope.
    magic, version, flags, srs_id = struct.unpack_from("<2sBBi", blob)
    assert (magic, version, flags & 0b1, (flags >> 1) & 0b111, srs_id) == (b"GP", 0, 1, 1, 4326)
    min_x, max_x, min_y, max_y = struct.unpack_from("<4d", blob, 8)
    geom = shapely.from_wkb(blob[40:])
    assert (min_x, min_y, max_x, max_y) == geom.bounds


@pytest.mark.parametrize("level", LEVELS)
def test_gdal_reads_each_layer_back(gpkg: Path, atlas_store: Path, level: str) -> None:
    frame, shapes = stored(atlas_store, level)
    path = gpkg / "demo.gpkg"
    assert [name for name, _ in pyogrio.list_layers(path)] == list(LEVELS)
    info = pyogrio.read_info(path, layer=level)
    assert info["crs"] == "EPSG:4326"
    assert info["features"] == len(frame)
    assert info["geometry_type"] == "Polygon"
    meta, _, wkb, fields = pyogrio.raw.read(path, layer=level)
    read = pd.DataFrame(dict(zip(meta["fields"], fields, strict=True))).set_index("region_code")
    assert sorted(read.index) == sorted(frame.index)
    assert set(read.columns) == set(frame.columns) | {"gemeente_code"}
    for column in frame.columns:
        want = frame.loc[read.index, column].to_numpy()
        got = read[column].to_numpy()
        if want.dtype.kind == "f":
            np.testing.assert_allclose(got.astype(float), want, rtol=0, atol=0)
        else:
            assert got.tolist() == want.tolist(), column
    assert read["years"].dtype.kind == "i" and read["rule_2019"].dtype == bool
    assert (read.index.str[2:6] == read["gemeente_code"].str[2:6]).all()
    for code, blob in zip(read.index, wkb, strict=True):
        want_geom = shapely.from_geojson(shapes[code])
        assert shapely.from_wkb(blob).equals_exact(want_geom, tolerance=1e-9), code


def test_hostile_names_stay_data(gpkg: Path, hostile: dict[str, str]) -> None:
    names: set[str] = set()
    for level in LEVELS:
        meta, _, _, fields = pyogrio.raw.read(gpkg / "demo.gpkg", layer=level, read_geometry=False)
        names |= set(fields[list(meta["fields"]).index("name")])
    assert set(hostile.values()) <= names


def small_layer() -> GeoLayer:
    attributes = pd.DataFrame(
        {
            "region_code": ["GM0001", "GM0002", "GM0003"],
            "ratio": [0.8, math.nan, 1.25],
            "years": [3, 4, 5],
            "flag": [True, False, True],
            "note": ['é, ü & "quotes"', None, "'; DROP TABLE x; --"],
        }
    )
    square = Polygon([(5, 52), (6, 52), (6, 53), (5, 53)])
    return GeoLayer(attributes, [square, None, Polygon()])


def test_missing_values_and_geometries_stay_missing(tmp_path: Path) -> None:
    path = write_geopackage(tmp_path / "x.gpkg", {"areas": small_layer()}, last_change=WHEN)
    meta, _, wkb, fields = pyogrio.raw.read(path, layer="areas")
    read = dict(zip(meta["fields"], fields, strict=True))
    assert math.isnan(read["ratio"][1]) and read["ratio"][2] == 1.25
    assert read["note"].tolist() == ['é, ü & "quotes"', None, "'; DROP TABLE x; --"]
    assert read["flag"].tolist() == [True, False, True]
    assert wkb[1] is None and shapely.from_wkb(wkb[2]).is_empty
    assert shapely.from_wkb(wkb[0]).equals(Polygon([(5, 52), (6, 52), (6, 53), (5, 53)]))
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT last_change FROM gpkg_contents").fetchone() == (
            "2024-05-01T12:30:15.250Z",
        )
        bounds = con.execute("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents").fetchone()
    finally:
        con.close()
    assert bounds == (5.0, 52.0, 6.0, 53.0)


def test_same_input_same_bytes(tmp_path: Path) -> None:
    one = write_geopackage(tmp_path / "a.gpkg", {"areas": small_layer()}, last_change=WHEN)
    two = write_geopackage(tmp_path / "b.gpkg", {"areas": small_layer()}, last_change=WHEN)
    assert one.read_bytes() == two.read_bytes()


@pytest.mark.parametrize("name", ["gpkg_contents", "1areas", "areas; DROP", "rtree_x"])
def test_bad_layer_name_writes_nothing(tmp_path: Path, name: str) -> None:
    with pytest.raises(DataError, match="layer name"):
        write_geopackage(tmp_path / "x.gpkg", {name: small_layer()}, last_change=WHEN)
    assert list(tmp_path.iterdir()) == []


def test_reserved_column_refused(tmp_path: Path) -> None:
    layer = small_layer()
    clash = GeoLayer(layer.attributes.rename(columns={"note": "geom"}), layer.geometries)
    with pytest.raises(DataError, match="'geom'") as err:
        write_geopackage(tmp_path / "x.gpkg", {"areas": clash}, last_change=WHEN)
    assert err.value.hint and "Rename" in err.value.hint
    assert list(tmp_path.iterdir()) == []
