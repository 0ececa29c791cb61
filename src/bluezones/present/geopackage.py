"""GeoPackage files written with the standard library's sqlite3: no GDAL needed.

Inside CBS Remote Access there is no GDAL, so the export cannot lean on
fiona or pyogrio. A GeoPackage is an SQLite database laid out as the OGC
GeoPackage Encoding Standard 1.3 prescribes; the parts a feature layer needs
are small:

- ``PRAGMA application_id`` = ``'GPKG'`` and ``user_version`` = 10300;
- ``gpkg_spatial_ref_sys`` with the two required undefined systems (-1
  cartesian, 0 geographic) and EPSG:4326 (WGS84, longitude before latitude);
- ``gpkg_contents`` with a ``features`` row per layer and its bounds;
- ``gpkg_geometry_columns`` with the geometry type of each layer;
- a feature table per layer whose geometry blobs are a StandardGeoPackageBinary
  header (magic ``GP``, version, flags, SRS id, envelope) followed by ISO WKB.

No spatial index (rtree) is written: readers build one when they need it.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from bluezones._atomic import atomic_path
from bluezones.errors import DataError

__all__ = ["APPLICATION_ID", "SRS_ID", "USER_VERSION", "GeoLayer", "write_geopackage"]

#: ``PRAGMA application_id`` of a GeoPackage: the ASCII bytes 'GPKG'.
APPLICATION_ID = 0x47504B47
#: ``PRAGMA user_version`` of GeoPackage version 1.3.0.
USER_VERSION = 10300
#: Spatial reference system of every layer: EPSG:4326 (WGS84 longitude/latitude).
SRS_ID = 4326
#: OGC WKT of EPSG:4326, as in the GeoPackage standard's examples.
WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,'
    'AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]'
)
#: Names of the primary-key and geometry columns of every feature table.
FID, GEOM = "fid", "geom"
#: Table names the standard reserves, and the form a layer name must have.
_RESERVED = re.compile(r"^(gpkg_|rtree_|sqlite_)", re.IGNORECASE)
_LAYER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: Header flags: bit 0 little-endian, bits 1-3 envelope kind 1 (minx, maxx, miny, maxy).
_FLAGS_ENVELOPE = 0b0000_0011
#: Header flags of an empty geometry: little-endian, no envelope, bit 4 set.
_FLAGS_EMPTY = 0b0001_0001

_SCHEMA = """
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE,
  min_y DOUBLE,
  max_x DOUBLE,
  max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
);
"""
#: The rows of gpkg_spatial_ref_sys: name, id, organization, its code, definition, description.
_SPATIAL_REF_SYS = (
    ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian SRS"),
    ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic SRS"),
    ("WGS 84 geodetic", SRS_ID, "EPSG", SRS_ID, WGS84_WKT, "longitude/latitude (WGS 84)"),
)


@dataclass(frozen=True)
class GeoLayer:
    """One feature layer: attribute rows and a geometry (or ``None``) per row."""

    attributes: pd.DataFrame
    geometries: Sequence[BaseGeometry | None]
    description: str = ""


def write_geopackage(
    path: Path | str, layers: Mapping[str, GeoLayer], *, last_change: dt.datetime
) -> Path:
    """Write ``layers`` as feature tables of one GeoPackage at ``path`` (replaced atomically).

    Parameters
    ----------
    path
        The ``.gpkg`` file to write.
    layers
        Layer name (letters, digits, underscores; starts with a letter) to its rows.
        Boolean columns become ``BOOLEAN``, integers ``INTEGER``, floats ``DOUBLE``
        and everything else ``TEXT``; missing values are stored as NULL, never zero.
    last_change
        When the data last changed (``gpkg_contents.last_change``, taken as UTC).
        Passing the detection run's time, not the clock, keeps the file reproducible.
    """
    for name, layer in layers.items():
        _check_layer(name, layer)
    stamp = last_change.strftime("%Y-%m-%dT%H:%M:%S.") + f"{last_change.microsecond // 1000:03d}Z"
    with atomic_path(path) as tmp:
        # Autocommit mode: the one transaction is opened and committed here, explicitly.
        con = sqlite3.connect(tmp, isolation_level=None)
        try:
            con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            con.execute(f"PRAGMA user_version = {USER_VERSION}")
            con.executescript("BEGIN;" + _SCHEMA)
            con.executemany(
                "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", _SPATIAL_REF_SYS
            )
            for name, layer in layers.items():
                _write_layer(con, name, layer, stamp)
            con.execute("COMMIT")
        finally:
            con.close()
    return Path(path)


def _check_layer(name: str, layer: GeoLayer) -> None:
    if not _LAYER_NAME.match(name) or _RESERVED.match(name):
        raise DataError(
            f"GeoPackage layer name {name!r} is not allowed.",
            hint="Use letters, digits and underscores, starting with a letter, "
            "and not the prefixes gpkg_, rtree_ or sqlite_.",
        )
    if len(layer.geometries) != len(layer.attributes):
        raise DataError(
            f"Layer {name!r} has {len(layer.attributes)} rows but "
            f"{len(layer.geometries)} geometries.",
            hint="Give exactly one geometry (or None) per row.",
        )
    taken = {c.lower() for c in layer.attributes.columns}
    if FID in taken or GEOM in taken or len(taken) < len(layer.attributes.columns):
        raise DataError(
            f"Layer {name!r} has a column named {FID!r} or {GEOM!r}, or duplicate column names.",
            hint="Rename the column: the GeoPackage uses these names itself.",
        )


def _write_layer(con: sqlite3.Connection, name: str, layer: GeoLayer, stamp: str) -> None:
    frame = layer.attributes
    geoms = list(layer.geometries)
    present = [g for g in geoms if g is not None and not g.is_empty]
    kinds = {g.geom_type.upper() for g in geoms if g is not None}
    geometry_type = kinds.pop() if len(kinds) == 1 else "GEOMETRY"
    bounds: Sequence[float | None] = (
        shapely.total_bounds(present).tolist() if present else (None, None, None, None)
    )
    columns = [f"{_quote(FID)} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL"]
    columns.append(f"{_quote(GEOM)} {geometry_type}")
    columns += [f"{_quote(str(col))} {_sql_type(frame[col])}" for col in frame.columns]
    con.execute(f"CREATE TABLE {_quote(name)} ({', '.join(columns)})")
    con.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change,"
        " min_x, min_y, max_x, max_y, srs_id) VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?, ?)",
        (name, name, layer.description, stamp, *bounds, SRS_ID),
    )
    con.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)",
        (name, GEOM, geometry_type, SRS_ID),
    )
    names = ", ".join(_quote(str(c)) for c in (GEOM, *frame.columns))
    marks = ", ".join("?" * (len(frame.columns) + 1))
    rows = (
        (_blob(geom), *(_value(v) for v in values))
        for geom, values in zip(geoms, frame.itertuples(index=False, name=None), strict=True)
    )
    con.executemany(f"INSERT INTO {_quote(name)} ({names}) VALUES ({marks})", rows)


def _blob(geom: BaseGeometry | None) -> bytes | None:
    """StandardGeoPackageBinary: 'GP', version 0, flags, SRS id, envelope, then ISO WKB."""
    if geom is None:
        return None
    if geom.has_z:
        raise DataError(
            "GeoPackage export supports 2D geometries only.",
            hint="Drop the Z coordinates (shapely.force_2d) before exporting.",
        )
    wkb = shapely.to_wkb(geom, byte_order=1, flavor="iso", output_dimension=2)
    if geom.is_empty:
        return struct.pack("<2sBBi", b"GP", 0, _FLAGS_EMPTY, SRS_ID) + wkb
    min_x, min_y, max_x, max_y = geom.bounds
    header = struct.pack("<2sBBi4d", b"GP", 0, _FLAGS_ENVELOPE, SRS_ID, min_x, max_x, min_y, max_y)
    return header + wkb


def _sql_type(column: pd.Series) -> str:
    kind = column.dtype.kind
    if kind == "b" or str(column.dtype) == "boolean":
        return "BOOLEAN"
    if kind in "iu":
        return "INTEGER"
    if kind == "f":
        return "DOUBLE"
    return "TEXT"


def _value(value: Any) -> Any:
    """A value SQLite stores: NaN and NA become NULL, numpy scalars plain Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    item = getattr(value, "item", None)
    value = item() if callable(item) else value
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | str | bytes):
        return value
    return str(value)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
