"""Exports of the detection results: CSV, Parquet, Excel, GeoJSON and GeoPackage, with a manifest.

Per level the files are::

    <dataset>-<level>-classification.csv|parquet   one row per area: status, reasons, ratios
    <dataset>-<level>-area-year.csv|parquet        one row per area, indicator and year
    <dataset>-<level>.xlsx                         a sheet per indicator, the classification,
                                                   and a sheet with sources and method
    <dataset>-<level>.geojson                      areas with their classification (WGS84)
    <dataset>.gpkg                                 a layer per level, the GeoJSON's columns
    manifest.json                                  provenance of everything in the folder

The folder is replaced atomically. CSVs use UTF-8 with a BOM, so Excel opens
them with the accents intact; missing values stay empty, never zero.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import shapely

from bluezones._atomic import atomic_dir
from bluezones.errors import DataError
from bluezones.indicators import INDICATORS
from bluezones.present.geopackage import GeoLayer, write_geopackage
from bluezones.present.provenance import MANIFEST, manifest, sources
from bluezones.sdc import released_results
from bluezones.store import Store

__all__ = ["EXPORT_FORMATS", "ExportFormat", "write_exports"]

ExportFormat = Literal["csv", "parquet", "xlsx", "geojson", "gpkg"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("csv", "parquet", "xlsx", "geojson", "gpkg")
#: Excel's limit on sheet-name length.
SHEET_NAME_MAX = 31
#: Text of the method sheet, one line per row.
METHOD_NOTE = (
    "Verwacht gebruik: model op kenmerken van de bevolking (indirecte standaardisatie).",
    "Werkelijk/verwacht (O/E) met exact Poisson-interval; trechtergrenzen 95% en 99,8% "
    "met overdispersie.",
    "Blijvend effect: gebiedseffect over de jaren met de kans dat het gebruik blijvend "
    "lager of hoger is.",
    "Een verschil met de verwachting is geen oordeel over beleid: het wijst op lokale "
    "factoren die het model niet kent.",
    "Onderdrukte of ontbrekende cijfers zijn leeg gelaten, nooit nul.",
    "Vanaf 2021 (publicatie 29 oktober 2021) leveren meer aanbieders aan: trendbreuk.",
)


def write_exports(
    store: Store,
    dataset: str,
    out_dir: Path | str,
    *,
    levels: Sequence[str] = ("gemeente",),
    formats: Sequence[str] = EXPORT_FORMATS,
) -> list[Path]:
    """Write the detection results of ``dataset`` to ``out_dir``; return the files written."""
    unknown = sorted(set(formats) - set(EXPORT_FORMATS))
    if unknown:
        raise DataError(
            f"Unknown export formats {unknown}.", hint=f"Choose from {', '.join(EXPORT_FORMATS)}."
        )
    tables = {level: _tables(store, dataset, level) for level in levels}
    out = Path(out_dir)
    with atomic_dir(out) as tmp:
        for level, (classification, area_year, run, geoms) in tables.items():
            stem = f"{dataset}-{level}"
            if "csv" in formats:
                classification.to_csv(
                    tmp / f"{stem}-classification.csv", index=False, encoding="utf-8-sig"
                )
                area_year.to_csv(tmp / f"{stem}-area-year.csv", index=False, encoding="utf-8-sig")
            if "parquet" in formats:
                classification.to_parquet(tmp / f"{stem}-classification.parquet", index=False)
                area_year.to_parquet(tmp / f"{stem}-area-year.parquet", index=False)
            if "xlsx" in formats:
                _excel(tmp / f"{stem}.xlsx", classification, area_year, run, store)
            if "geojson" in formats:
                _geojson(tmp / f"{stem}.geojson", classification, geoms)
        if "gpkg" in formats:
            _geopackage(tmp / f"{dataset}.gpkg", tables)
        made = manifest(store, dataset, {lv: t[2] for lv, t in tables.items()}, tmp)
        (tmp / MANIFEST).write_text(
            json.dumps(made, indent=1, ensure_ascii=False), encoding="utf-8"
        )
    return sorted(p for p in out.iterdir() if p.is_file())


def _tables(
    store: Store, dataset: str, level: str
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any], pd.DataFrame]:
    results = released_results(store, dataset, level)
    year = results["run"]["reference_year"]
    regions = store.read("regions", where={"dataset": dataset, "year": year})
    names = regions.drop_duplicates("region_code", keep="last").set_index("region_code")
    drop = ["dataset", "level"]

    def named(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.drop(columns=[c for c in drop if c in frame]).copy()
        frame.insert(1, "name", frame["region_code"].map(names["name"]))
        frame.insert(2, "gemeente_code", frame["region_code"].map(names["gemeente_code"]))
        return frame

    classification = named(results["classification"]).sort_values("region_code", ignore_index=True)
    area_year = named(results["area_year"]).sort_values(
        ["indicator", "region_code", "year"], ignore_index=True
    )
    geoms = store.read("geometries", where={"dataset": dataset, "year": year, "level": level})
    return classification, area_year, results["run"], geoms


def _excel(
    path: Path,
    classification: pd.DataFrame,
    area_year: pd.DataFrame,
    run: dict[str, Any],
    store: Store,
) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        classification.to_excel(writer, sheet_name="classificatie", index=False)
        for name, part in area_year.groupby("indicator", sort=False):
            ind = INDICATORS.get(str(name))
            sheet = (ind.label_nl if ind else str(name))[:SHEET_NAME_MAX]
            for bad in "[]:*?/\\":
                sheet = sheet.replace(bad, " ")
            part.to_excel(writer, sheet_name=sheet, index=False)
        rows: list[tuple[str, str]] = [("methode", line) for line in METHOD_NOTE]
        rows.append(("peiljaar (grenzen)", str(run["reference_year"])))
        rows.append(("detectie uitgevoerd", str(run["created_at"])))
        rows.append(("instellingen", json.dumps(run["config"], sort_keys=True)))
        for source in sources(store):
            rows.append(
                (
                    "bron",
                    f"{source['source']} {source['table_id']} (gewijzigd {source['modified']})",
                )
            )
        pd.DataFrame(rows, columns=["onderwerp", "toelichting"]).to_excel(
            writer, sheet_name="bronnen en methode", index=False
        )


def _geojson(path: Path, classification: pd.DataFrame, geoms: pd.DataFrame) -> None:
    shapes = dict(zip(geoms["region_code"], geoms["geojson"], strict=True))
    features = []
    for row in classification.to_dict(orient="records"):
        geometry = shapes.get(row["region_code"])
        props = {k: _plain(v) for k, v in row.items()}
        features.append(
            {
                "type": "Feature",
                "id": row["region_code"],
                "geometry": None if geometry is None else json.loads(geometry),
                "properties": props,
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(collection, ensure_ascii=False, allow_nan=False), encoding="utf-8")


def _geopackage(
    path: Path, tables: dict[str, tuple[pd.DataFrame, pd.DataFrame, dict[str, Any], pd.DataFrame]]
) -> None:
    """One GeoPackage, a layer per level with the GeoJSON's properties (WGS84)."""
    if not tables:
        return
    layers = {}
    for level, (classification, _, _, geoms) in tables.items():
        shapes = dict(zip(geoms["region_code"], geoms["geojson"], strict=True))
        texts = [shapes.get(code) for code in classification["region_code"]]
        layers[level] = GeoLayer(
            classification,
            [None if text is None else shapely.from_geojson(text) for text in texts],
            description=f"{level}: classificatie en kerncijfers",
        )
    last = max(pd.Timestamp(t[2]["created_at"]) for t in tables.values())
    write_geopackage(path, layers, last_change=last.to_pydatetime())


def _plain(value: Any) -> Any:
    """JSON-safe scalars: NaN and NA become null, numpy scalars plain Python."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    item = getattr(value, "item", None)
    value = item() if callable(item) else value
    return None if isinstance(value, float) and value != value else value
