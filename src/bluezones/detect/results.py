"""Detection results in the store: run detection on a dataset and keep what it found.

Each table holds the results of every dataset and level, keyed by the columns
``dataset`` and ``level``; a new run replaces its own slice in one
transaction, so the atlas never sees half of a run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pandas as pd

from bluezones.detect.pipeline import DetectionConfig, DetectionResult, Progress, run_detection
from bluezones.errors import DetectError
from bluezones.regions.harmonise import HARMONISED_TABLE
from bluezones.store import Store

__all__ = ["RESULT_TABLES", "detect_dataset", "load_results", "save_results"]

RESULT_TABLES = {
    "area_year": "detect_area_year",
    "evidence": "detect_evidence",
    "classification": "detect_classification",
    "yearly_status": "detect_yearly_status",
    "changes": "detect_changes",
    "spatial": "detect_spatial",
    "peers": "detect_peers",
}
RUNS_TABLE = "detect_runs"


def detect_dataset(
    store: Store,
    dataset: str,
    config: DetectionConfig | None = None,
    progress: Progress | None = None,
) -> DetectionResult:
    """Run detection on a dataset's harmonised facts and save the results in the store.

    A dataset loaded from microdata is detected on its pattern cells instead
    (:func:`bluezones.microdata.detect.detect_microdata`).
    """
    config = config or DetectionConfig()
    from bluezones.microdata.detect import detect_microdata, is_microdata  # no import cycle

    if is_microdata(store, dataset):
        return detect_microdata(store, dataset, config, progress)
    if not store.has_table(HARMONISED_TABLE):
        raise DetectError(
            "The store has no harmonised figures.",
            hint=f"Run 'bluezones harmonise --dataset {dataset}' first.",
        )
    facts = store.read(HARMONISED_TABLE, where={"dataset": dataset})
    if facts.empty:
        raise DetectError(
            f"Dataset {dataset!r} has no harmonised figures.",
            hint=f"Run 'bluezones harmonise --dataset {dataset}' first.",
        )
    year = int(facts["reference_year"].iloc[0])
    regions = store.read("regions", where={"dataset": dataset, "year": year})
    geometries = store.read(
        "geometries", where={"dataset": dataset, "year": year, "level": config.level}
    )
    result = run_detection(facts, regions, geometries, config, progress)
    save_results(store, dataset, result, reference_year=year)
    return result


def save_results(
    store: Store, dataset: str, result: DetectionResult, *, reference_year: int
) -> None:
    """Replace this dataset and level's detection results, all in one transaction."""
    key = {"dataset": dataset, "level": result.config.level}
    run = {
        **key,
        "reference_year": reference_year,
        "created_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        "config": json.dumps(_config_dict(result.config), sort_keys=True),
        "summary": json.dumps(result.summary, sort_keys=True, default=str),
        "models": json.dumps({k: m.to_dict() for k, m in result.models.items()}),
    }
    with store.transaction():
        for attr, table in RESULT_TABLES.items():
            frame: pd.DataFrame = getattr(result, attr)
            _replace_slice(store, table, frame.assign(**key), key)
        _replace_slice(store, RUNS_TABLE, pd.DataFrame([run]), key)


def load_results(store: Store, dataset: str, level: str) -> dict[str, Any]:
    """The saved results of one dataset and level: each table, and the run's settings."""
    key = {"dataset": dataset, "level": level}
    if not store.has_table(RUNS_TABLE) or store.read(RUNS_TABLE, where=key).empty:
        raise DetectError(
            f"There are no detection results for {dataset} at {level} level.",
            hint=f"Run 'bluezones detect --dataset {dataset} --level {level}' first.",
        )
    out: dict[str, Any] = {attr: store.read(t, where=key) for attr, t in RESULT_TABLES.items()}
    run = store.read(RUNS_TABLE, where=key).iloc[0]
    out["run"] = {
        "reference_year": int(run["reference_year"]),
        "created_at": str(run["created_at"]),
        "config": json.loads(run["config"]),
        "summary": json.loads(run["summary"]),
        "models": json.loads(run["models"]),
    }
    return out


def _replace_slice(store: Store, table: str, frame: pd.DataFrame, key: dict[str, str]) -> None:
    """Replace the rows of ``key`` in ``table``; rebuild the table if its columns changed."""
    frame = frame.reset_index(drop=True)
    frame.attrs = {}
    if store.has_table(table) and store.columns(table) != list(frame.columns):
        others = store.read(table)
        mask = pd.Series(True, index=others.index)
        for col, value in key.items():
            mask &= others[col] == value
        store.replace(table, pd.concat([others[~mask], frame], ignore_index=True))
        return
    store.replace(table, frame, where=key)


def _config_dict(config: DetectionConfig) -> dict[str, Any]:
    data = dataclasses.asdict(config)
    data["rules"] = dataclasses.asdict(config.rules)
    return data
