"""Detection on microdata: the same pipeline, started from pattern cells.

The expected-use model of each indicator is fitted on area x year x pattern
cells with the pattern characteristics as categorical terms (instead of the
area shares aggregated data must use); observed, persons and expected are
then summed per area and year, and everything after that (O/E, funnels,
shrinkage, persistence, classification, clusters, peers) is the aggregate
pipeline's own (:func:`bluezones.detect.pipeline.run_detection`).
"""

from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd

from bluezones.detect.pipeline import DetectionConfig, DetectionResult, Progress, run_detection
from bluezones.detect.results import save_results
from bluezones.errors import DetectError
from bluezones.microdata.cells import cells_from_microdata, pattern_covariates
from bluezones.microdata.load import LOADS_TABLE
from bluezones.model import DEFAULT_COVARIATES, ModelSpec
from bluezones.model.cells import REASON_MISSING_COVARIATE, wide
from bluezones.regions.harmonise import HARMONISED_TABLE
from bluezones.store import Store

__all__ = ["detect_microdata", "is_microdata"]


def is_microdata(store: Store, dataset: str) -> bool:
    """Whether ``dataset`` was loaded from microdata (and has its cells in the store)."""
    if store.origin(dataset)[0] != "microdata" or not store.has_table(LOADS_TABLE):
        return False
    return not store.read(LOADS_TABLE, where={"dataset": dataset}).empty


def detect_microdata(
    store: Store,
    dataset: str,
    config: DetectionConfig | None = None,
    progress: Progress | None = None,
) -> DetectionResult:
    """Run detection on a microdata dataset's cells and save the results in the store.

    With the default covariates (the area shares of aggregated data) the model
    takes every pattern characteristic present in the files instead, plus the
    area covariates of the mapping's ``[area]`` table, read from that
    dataset's facts harmonised to the boundary year and joined per area and year.
    """
    config = config or DetectionConfig()
    loads = store.read(LOADS_TABLE, where={"dataset": dataset})
    if loads.empty:
        raise DetectError(
            f"Dataset {dataset!r} was not loaded from microdata.",
            hint="Load it with 'bluezones microdata load'.",
        )
    year = int(loads["boundary_year"].iloc[0])
    area = json.loads(loads["mapping"].iloc[0]).get("area") or {}
    area_terms = tuple(area.get("covariates") or ())
    regions = store.read("regions", where={"dataset": dataset, "year": year})
    geometries = store.read(
        "geometries", where={"dataset": dataset, "year": year, "level": config.level}
    )
    cells = {}
    for name in config.indicators:
        spec = ModelSpec(indicator=name, level=config.level, years=config.years, covariates=())
        cells[name] = cells_from_microdata(store, dataset, spec, regions)
    if config.covariates == DEFAULT_COVARIATES:
        terms = pattern_covariates(cells[config.rules.primary]) + area_terms
        config = replace(config, covariates=terms)
    probe = ModelSpec(indicator=config.rules.primary, covariates=config.covariates)
    area_measures = probe.measures()[2:]
    if area_measures:
        values = _area_values(store, area.get("dataset") or dataset, year, area_measures)
        cells = {k: _with_area(c, values, area_measures) for k, c in cells.items()}
    facts = store.read_facts(dataset)
    result = run_detection(facts, regions, geometries, config, progress, cells=cells)
    save_results(store, dataset, result, reference_year=year)
    return result


def _area_values(store: Store, source: str, year: int, measures: list[str]) -> pd.DataFrame:
    """Area covariates per region and year from ``source``'s facts harmonised to ``year``."""
    facts = pd.DataFrame()
    if store.has_table(HARMONISED_TABLE):
        facts = store.read(
            HARMONISED_TABLE,
            where={"dataset": source, "reference_year": year, "measure": measures},
        )
    if facts.empty:
        raise DetectError(
            f"The area covariates {', '.join(measures)} need dataset {source!r} "
            f"harmonised to {year}.",
            hint=f"Run 'bluezones harmonise --dataset {source} --reference-year {year}', "
            "or remove the [area] table from the mapping file and load again.",
        )
    return wide(facts, measures)


def _with_area(cells: pd.DataFrame, values: pd.DataFrame, measures: list[str]) -> pd.DataFrame:
    """Cells with their area's covariates; a cell whose area lacks one is left out, with why."""
    out = cells.merge(values, on=["region_code", "year"], how="left")
    for m in measures:
        missing = out[m].isna() & out["usable"]
        out.loc[missing, "reason"] = REASON_MISSING_COVARIATE.format(measure=m)
        out.loc[missing, "usable"] = False
    return out
