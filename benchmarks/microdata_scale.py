"""Microdata at national scale: 40 million person-years from Parquet to detection results.

Prints (does not test) the figures of issue 6's performance target:

- the pipeline: Parquet files -> checks and cells in the store -> fitted models
  -> detection results (4 indicators, lasting effects), timed per step, in a
  child process whose peak memory (max RSS) is read from ``getrusage``;
  targets: at most 60 s wall time and 4 GB;
- the floor: DuckDB just scanning the columns the pipeline reads;
- our throughput as a share of that scan rate;
- statsmodels' person-level ``Logit`` on a 1-million-row sample, beside it.

The synthetic files (``generate_microdata``, 4 million youths x 10 years by
default) are written once to a cache folder and reused; the demo country's
store (regions) is built before the timed run.

    .venv/bin/python benchmarks/microdata_scale.py                 # full size
    .venv/bin/python benchmarks/microdata_scale.py --youths 400000  # a quick look

The machine is shared: note the load average printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEED = 1
TARGET_SECONDS = 60.0
TARGET_GB = 4.0
SAMPLE_ROWS = 1_000_000
CACHE = Path(os.environ.get("BLUEZONES_BENCH_CACHE", tempfile.gettempdir())) / (
    "bluezones-microdata-bench"
)


def _data(youths: int) -> Path:
    from bluezones.microdata import generate_microdata, synthetic_mapping

    folder = CACHE / f"seed{SEED}-youths{youths}"
    if (folder / "meta.json").is_file():
        print(f"data: reusing {folder}")
        (folder / "mapping.toml").write_text(
            synthetic_mapping(area=True), encoding="utf-8"
        )  # current one
        return folder
    started = time.perf_counter()
    result = generate_microdata(SEED, folder, youths=youths, area_covariates=True)
    print(f"data: generated {result.rows:,} person-years in {time.perf_counter() - started:.1f} s")
    return folder


def _store(path: Path) -> None:
    from bluezones.regions.harmonise import harmonise_store
    from bluezones.sources.demo import generate
    from bluezones.store import Store

    with Store(path) as store:
        generate(SEED).to_store(store)
        harmonise_store(store, "demo", 2024)  # area covariates of the model


def child(store_path: str, folder: str) -> None:
    """The timed pipeline, in its own process: load, then detect; prints JSON."""
    from bluezones.detect.pipeline import DetectionConfig
    from bluezones.detect.results import detect_dataset
    from bluezones.microdata import load_mapping, load_microdata
    from bluezones.store import Store

    marks: dict[str, float] = {}
    started = time.perf_counter()

    def progress(step: str, done: int, total: int) -> None:
        marks.setdefault(step, time.perf_counter() - started)

    with Store(store_path) as store:
        mapping = load_mapping(Path(folder) / "mapping.toml")
        result = load_microdata(store, [folder], mapping, dataset="micro", progress=progress)
        loaded = time.perf_counter() - started
        detected = detect_dataset(store, "micro", DetectionConfig(), progress=progress)
    total = time.perf_counter() - started
    fits = {k: m.stats.get("n_used") for k, m in detected.models.items()}
    print(
        json.dumps(
            {
                "records": result.records,
                "cells": result.cells,
                "marks": marks,
                "load": loaded,
                "detect": total - loaded,
                "total": total,
                "status": detected.classification["status"].value_counts().to_dict(),
                "fits": fits,
            }
        )
    )


def _scan_floor(folder: Path, columns: list[str]) -> tuple[float, int]:
    import duckdb

    con = duckdb.connect()
    sums = ", ".join(f'count("{c}")' for c in columns)
    sql = f"SELECT count(*), {sums} FROM read_parquet('{folder}/*.parquet')"
    con.execute(sql).fetchall()  # warm the file cache as the pipeline's run found it
    started = time.perf_counter()
    rows = con.execute(sql).fetchone()
    return time.perf_counter() - started, int(rows[0]) if rows else 0


def _statsmodels(folder: Path) -> tuple[float, float, int]:
    import duckdb
    import numpy as np
    import statsmodels.formula.api as smf

    started = time.perf_counter()
    frame = duckdb.sql(
        f"SELECT * FROM (SELECT * FROM read_parquet('{folder}/*.parquet') WHERE leeftijd <= 17) "
        f"USING SAMPLE reservoir({SAMPLE_ROWS} ROWS) REPEATABLE (1)"
    ).df()
    age = frame["leeftijd"]
    frame["age_group"] = np.select(
        [age <= 3, age <= 11, age <= 14], ["00-03", "04-11", "12-14"], "15-17"
    )
    frame["sex"] = frame["GBAGESLACHT"].map({1: "man", 2: "vrouw"})
    frame["household"] = np.select(
        [frame["TYPHH"].isin([4, 5]), frame["TYPHH"] == 6], ["paar", "eenouder"], "overig"
    )
    pct = frame["INHP100HBEST"].astype(float)
    frame["income_group"] = np.select([pct.isna(), pct <= 10], ["onbekend", "laag"], "overig")
    frame["parent_psych"] = frame["OUDER_GGZ"].map({1: "ja", 0: "nee"})
    prepared = time.perf_counter() - started
    started = time.perf_counter()
    smf.logit(
        "JEUGDHULP ~ C(age_group) + C(sex) + C(household) + C(income_group) + "
        "C(parent_psych) + C(jaar)",
        frame,
    ).fit(disp=0)
    return prepared, time.perf_counter() - started, len(frame)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--youths", type=int, default=4_000_000)
    parser.add_argument("--child", nargs=2, metavar=("STORE", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    folder = _data(args.youths)
    with tempfile.TemporaryDirectory(prefix="bz-bench-") as tmp:
        store = Path(tmp) / "store.duckdb"
        _store(store)
        load_before = os.getloadavg()
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(store), str(folder)],
            check=True,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    from bluezones.microdata import load_mapping

    mapping = load_mapping(folder / "mapping.toml")
    scan, rows = _scan_floor(folder, mapping.used_columns())
    prepared, logit, sample = _statsmodels(folder)
    records = figures["records"]
    ours_rate = records / wall
    scan_rate = rows / scan
    marks = figures["marks"]
    print(f"\nload average before the run: {', '.join(f'{v:.2f}' for v in load_before)}")
    print(f"person-years:                 {records:,} ({figures['cells']:,} cells stored)")
    print(f"pipeline wall time:           {wall:.1f} s (target <= {TARGET_SECONDS:.0f} s)")
    print(f"  load (checks, cells, facts): {figures['load']:.1f} s")
    for step in ("aggregate", "duplicates", "store"):
        if step in marks:
            print(f"    {step:<12} from {marks[step]:6.1f} s")
    print(f"  detection (4 indicators):    {figures['detect']:.1f} s")
    print(f"  process start and imports:   {wall - figures['total']:.1f} s")
    print(f"peak memory (max RSS):        {peak_gb:.2f} GB (target <= {TARGET_GB:.0f} GB)")
    print(f"DuckDB scan floor:            {scan:.2f} s ({scan_rate / 1e6:.0f} M rows/s)")
    print(f"our throughput:               {ours_rate / 1e6:.2f} M person-years/s")
    print(f"  share of the scan rate:      {100 * ours_rate / scan_rate:.1f}%")
    print(f"statsmodels Logit, {sample:,} rows: {logit:.1f} s (+{prepared:.1f} s to read and code)")
    print(f"classification:               {figures['status']}")
    met = wall <= TARGET_SECONDS and peak_gb <= TARGET_GB
    print("targets met" if met else "targets NOT met")


if __name__ == "__main__":
    main()
