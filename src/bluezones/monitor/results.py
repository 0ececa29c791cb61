"""The monitor on a stored dataset: indicators, pilot evaluation, and their tables in the store.

:func:`monitor_dataset` reads a dataset's facts and region lists, builds the monitor
indicators per jeugdregio and for the land, resolves the pilots (the demo's own from
its ``demo_truth_pilots`` table, else the registry, extended by a user's file) and
evaluates them on each chosen rate. :func:`save_monitor` writes the results in one
transaction, replacing the dataset's earlier slice; :func:`load_monitor` reads them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from bluezones.errors import ConfigError, StoreError
from bluezones.monitor.evaluate import EvaluationConfig, PilotEvaluation, evaluate_pilots
from bluezones.monitor.indicators import MONITOR_INDICATORS, monitor_table
from bluezones.monitor.pilots import Pilot, demo_pilots, load_pilots, resolve_pilots
from bluezones.monitor.trends import trend_table
from bluezones.regions.harmonise import HARMONISED_TABLE
from bluezones.store import Store

__all__ = [
    "DEFAULT_EVALUATED",
    "MONITOR_TABLES",
    "MonitorResult",
    "load_monitor",
    "monitor_dataset",
    "save_monitor",
    "synthetic_paths",
]

#: The rates evaluated by default: the two the pilots were meant to lower most.
DEFAULT_EVALUATED = ("ots", "uithuisplaatsing")
MONITOR_TABLES = {
    "indicators": "monitor_indicators",
    "evaluation": "monitor_evaluation",
    "event_study": "monitor_event_study",
    "trends": "monitor_trends",
    "synthetic": "monitor_synthetic",
}
DEMO_TRUTH_PILOTS = "demo_truth_pilots"


@dataclass(frozen=True)
class MonitorResult:
    """Indicators per jeugdregio and land, and one evaluation per evaluated rate."""

    dataset: str
    indicators: pd.DataFrame  # monitor_table rows with a ``level`` column (gemeente if harmonised)
    evaluations: dict[str, PilotEvaluation]
    pilots: tuple[Pilot, ...]
    starts: dict[str, int]
    pilot_source: str
    trends: pd.DataFrame  # trend_table rows of every rate, gemeente, jeugdregio and land


def _pilots(
    store: Store, dataset: str, pilots_file: Path | str | None
) -> tuple[tuple[Pilot, ...], str]:
    truth = store.read(DEMO_TRUTH_PILOTS) if store.has_table(DEMO_TRUTH_PILOTS) else None
    if pilots_file is None and dataset == "demo" and truth is not None and not truth.empty:
        return demo_pilots(truth), "demo truth"
    if pilots_file is None and dataset == "demo":
        raise ConfigError(
            "The demo country in this store has no pilots.",
            hint="Generate it with planted pilots (generate(pilots=DEMO_PILOTS)), or give a "
            "pilot file whose entries carry demo codes (code = 'JZ03').",
        )
    return load_pilots(pilots_file), "registry" if pilots_file is None else str(pilots_file)


def _gemeente_table(store: Store, dataset: str, regions: pd.DataFrame) -> pd.DataFrame | None:
    """The indicators per gemeente on the reference year's boundaries, if harmonised.

    Harmonised facts make the gemeenten those of the atlas; a suppressed cell stays
    missing (the midpoint only serves sums). ``None`` without harmonised facts.
    """
    if not store.has_table(HARMONISED_TABLE):
        return None
    facts = store.read(HARMONISED_TABLE, where={"dataset": dataset})
    if facts.empty:
        return None
    reference = regions[regions["year"] == int(regions["year"].max())]
    part = monitor_table(facts, reference, "gemeente", suppressed="propagate")
    return part.assign(level="gemeente")


def monitor_dataset(
    store: Store,
    dataset: str,
    *,
    evaluated: Sequence[str] = DEFAULT_EVALUATED,
    pilots_file: Path | str | None = None,
    config: EvaluationConfig | None = None,
) -> MonitorResult:
    """Indicators and pilot evaluations of ``dataset`` (see the module docstring).

    Parameters
    ----------
    store, dataset
        Where the facts (as published, per year) and region lists are.
    evaluated
        Rates to evaluate the pilots on.
    pilots_file
        A user's pilot TOML (see :func:`~bluezones.monitor.pilots.load_pilots`).
    config
        Evaluation settings; its ``indicator`` is replaced by each of ``evaluated``.
    """
    config = config or EvaluationConfig()
    facts = store.read_facts(dataset)
    if facts.empty:
        raise StoreError(
            f"The store has no facts of dataset {dataset!r}.",
            hint=f"Load the dataset first; datasets present: {store.datasets() or 'none'}.",
        )
    regions = store.read("regions", where={"dataset": dataset})
    tables = [
        monitor_table(facts, regions, level, suppressed=config.suppressed).assign(level=level)
        for level in ("jeugdregio", "land")
    ]
    gemeenten = _gemeente_table(store, dataset, regions)
    if gemeenten is not None:
        tables.insert(0, gemeenten)
    table = pd.concat(tables, ignore_index=True)
    pilots, source = _pilots(store, dataset, pilots_file)
    reference = int(regions["year"].max())
    ref_regions = regions[regions["year"] == reference]
    jz = table[table["level"] == "jeugdregio"]
    evaluations: dict[str, PilotEvaluation] = {}
    starts: dict[str, int] = {}
    for name in evaluated:
        years = sorted(
            int(y) for y in jz.loc[(jz["indicator"] == name) & jz["value"].notna(), "year"].unique()
        )
        starts = resolve_pilots(pilots, ref_regions, years)
        evaluations[name] = evaluate_pilots(jz, starts, replace(config, indicator=name))
    rates = [n for n, s in MONITOR_INDICATORS.items() if s.kind != "mean"]
    trends = pd.concat([trend_table(table, name) for name in rates], ignore_index=True)
    return MonitorResult(dataset, table, evaluations, pilots, starts, source, trends)


def save_monitor(store: Store, dataset: str, result: MonitorResult) -> None:
    """Write the result's tables, replacing the dataset's earlier ones, in one transaction."""
    run = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    evaluation = pd.DataFrame(
        [
            {
                "dataset": dataset,
                "indicator": name,
                "run_at": run,
                "pilot_source": result.pilot_source,
                "summary": json.dumps(ev.summary(), ensure_ascii=False, sort_keys=True),
            }
            for name, ev in result.evaluations.items()
        ]
    )
    events = pd.concat(
        [
            ev.event_study.assign(dataset=dataset, indicator=n)
            for n, ev in result.evaluations.items()
        ],
        ignore_index=True,
    )
    synthetic = pd.concat(
        [
            synthetic_paths(ev).assign(dataset=dataset, indicator=n)
            for n, ev in result.evaluations.items()
            if ev.synthetic is not None
        ]
        or [pd.DataFrame(columns=[*_SYNTHETIC_COLUMNS, "dataset", "indicator"])],
        ignore_index=True,
    )
    with store.transaction():
        store.replace(
            MONITOR_TABLES["indicators"],
            result.indicators.assign(dataset=dataset),
            where={"dataset": dataset},
        )
        store.replace(MONITOR_TABLES["evaluation"], evaluation, where={"dataset": dataset})
        store.replace(MONITOR_TABLES["event_study"], events, where={"dataset": dataset})
        trends = result.trends.assign(dataset=dataset)
        store.replace(MONITOR_TABLES["trends"], trends, where={"dataset": dataset})
        store.replace(MONITOR_TABLES["synthetic"], synthetic, where={"dataset": dataset})


_SYNTHETIC_COLUMNS = ["region_code", "start", "year", "rel", "placebo", "path", "synthetic", "gap"]


def synthetic_paths(evaluation: PilotEvaluation) -> pd.DataFrame:
    """Each pilot's and placebo's path and its synthetic twin, per year (log scale).

    ``path`` is the region's log rate minus its own mean before ``start`` (the demeaned
    path the synthetic control follows), ``synthetic = path - gap`` its twin's; the
    atlas draws the pilots' average against their twins' and the placebo gaps.
    """
    if evaluation.synthetic is None:
        return pd.DataFrame(columns=_SYNTHETIC_COLUMNS)
    gaps = evaluation.synthetic.gaps
    y = evaluation.panel.set_index(["region_code", "year"])["y"]
    own = y.reindex(pd.MultiIndex.from_frame(gaps[["region_code", "year"]])).to_numpy(float)
    frame = gaps.assign(y=own)
    pre_mean = frame[frame["year"] < frame["start"]].groupby(["region_code", "start"])["y"].mean()
    keys = pd.MultiIndex.from_frame(frame[["region_code", "start"]])
    frame["path"] = frame["y"] - pre_mean.reindex(keys).to_numpy(float)
    frame["synthetic"] = frame["path"] - frame["gap"]
    return frame[_SYNTHETIC_COLUMNS].reset_index(drop=True)


def load_monitor(store: Store, dataset: str) -> dict[str, Any]:
    """The saved monitor tables of ``dataset``; evaluation summaries parsed from JSON."""
    if not store.has_table(MONITOR_TABLES["evaluation"]):
        raise StoreError(
            "The store has no monitor results.",
            hint=f"Run 'bluezones monitor --dataset {dataset}' first.",
        )
    out: dict[str, Any] = {
        key: store.read(table, where={"dataset": dataset})
        if store.has_table(table)
        else pd.DataFrame()  # a store saved before this table existed
        for key, table in MONITOR_TABLES.items()
    }
    out["summaries"] = {
        row["indicator"]: json.loads(row["summary"]) for _, row in out["evaluation"].iterrows()
    }
    return out
