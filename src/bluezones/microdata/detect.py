"""Detection on microdata: the same pipeline, started from pattern cells.

The expected-use model of each indicator is fitted on area x year x pattern
cells with the pattern characteristics as categorical terms (instead of the
area shares aggregated data must use); observed, persons and expected are
then summed per area and year, and everything after that (O/E, funnels,
shrinkage, persistence, classification, clusters, peers) is the aggregate
pipeline's own (:func:`bluezones.detect.pipeline.run_detection`).
"""

from __future__ import annotations

from dataclasses import replace

from bluezones.detect.pipeline import DetectionConfig, DetectionResult, Progress, run_detection
from bluezones.detect.results import save_results
from bluezones.errors import DetectError
from bluezones.microdata.cells import cells_from_microdata, pattern_covariates
from bluezones.microdata.load import LOADS_TABLE
from bluezones.model import DEFAULT_COVARIATES, ModelSpec
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
    takes every pattern characteristic present in the files instead.
    """
    config = config or DetectionConfig()
    loads = store.read(LOADS_TABLE, where={"dataset": dataset})
    if loads.empty:
        raise DetectError(
            f"Dataset {dataset!r} was not loaded from microdata.",
            hint="Load it with 'bluezones microdata load'.",
        )
    year = int(loads["boundary_year"].iloc[0])
    regions = store.read("regions", where={"dataset": dataset, "year": year})
    geometries = store.read(
        "geometries", where={"dataset": dataset, "year": year, "level": config.level}
    )
    cells = {}
    for name in config.indicators:
        spec = ModelSpec(indicator=name, level=config.level, years=config.years, covariates=())
        cells[name] = cells_from_microdata(store, dataset, spec, regions)
    if config.covariates == DEFAULT_COVARIATES:
        config = replace(config, covariates=pattern_covariates(cells[config.rules.primary]))
    facts = store.read_facts(dataset)
    result = run_detection(facts, regions, geometries, config, progress, cells=cells)
    save_results(store, dataset, result, reference_year=year)
    return result
