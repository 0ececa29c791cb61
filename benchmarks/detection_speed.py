"""Fit and detection times on the demo country (10 years), gemeente and wijk level.

Run from the repository root::

    .venv/bin/python benchmarks/detection_speed.py [--seed N] [--no-lme4]

For each level it prints the time to build the cells, to fit the expected-use
GLM and the persistent GLMM (lasting area effect + area-by-year noise) of
jeugdhulp, and to run the whole detection (four indicators, funnels, shrinkage,
classification, spatial clusters, peers). Then it fits the same wijk-level
persistent model with ``lme4::glmer`` (through ``scripts/lme4_reference.R``)
and prints its time beside ours and the largest differences between the fits.
A script, not a test: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from bluezones.detect.pipeline import DetectionConfig
from bluezones.detect.results import detect_dataset
from bluezones.model import ModelSpec, cells_from_facts, fit
from bluezones.model._glmm_synthetic import SyntheticCells, write_for_r
from bluezones.model.design import build_design
from bluezones.model.hierarchical import term_groups
from bluezones.regions import harmonise_store
from bluezones.sources.demo import generate
from bluezones.store import Store

REPO = Path(__file__).resolve().parents[1]
R_SCRIPT = REPO / "scripts" / "lme4_reference.R"


def timed(label: str, func, *args, **kwargs):
    started = time.perf_counter()
    out = func(*args, **kwargs)
    print(f"  {label:<38} {time.perf_counter() - started:7.2f} s")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20190101)
    parser.add_argument("--no-lme4", action="store_true", help="Skip the R comparison.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.duckdb")
        print(f"demo country, seed {args.seed}")
        country = timed("generate", generate, args.seed)
        timed("write to store", country.to_store, store)
        timed("harmonise to 2024", harmonise_store, store, "demo", 2024)
        facts = store.read("facts_harmonised", where={"dataset": "demo"})
        regions = store.read("regions", where={"dataset": "demo", "year": 2024})
        wijk_cells = None
        for level in ("gemeente", "wijk"):
            print(f"{level} level")
            spec = ModelSpec(indicator="jeugdhulp", level=level)
            cells = timed("cells", cells_from_facts, facts, spec, regions)
            print(f"  {'':<38} {len(cells)} cells, {int(cells['usable'].sum())} usable")
            timed("GLM (expected use)", fit, cells, spec)
            lasting_spec = ModelSpec(indicator="jeugdhulp", level=level, random="persistent")
            lasting = timed("GLMM persistent (area + area:year)", fit, cells, lasting_spec)
            timed(
                "detection, 4 indicators (store incl.)",
                detect_dataset,
                store,
                "demo",
                DetectionConfig(level=level),
            )
            if level == "wijk":
                wijk_cells, wijk_fit = cells, lasting
        store.close()
    if args.no_lme4 or shutil.which("Rscript") is None:
        print("lme4 comparison skipped" + ("" if args.no_lme4 else ": Rscript not found"))
        return 0
    compare_with_lme4(wijk_cells, wijk_fit)
    return 0


def compare_with_lme4(cells, ours) -> None:
    """Fit the same wijk-level persistent model with glmer; print times and differences."""
    use = cells[cells["usable"]].reset_index(drop=True)
    X, _ = build_design(use, ours.spec, ours.design)
    names = tuple(f"x{j}" for j in range(X.shape[1]))  # R-safe column names
    data = SyntheticCells(
        y=np.round(use["y"].to_numpy(float)),
        n=np.round(use["n"].to_numpy(float)),
        X=X,
        x_names=names,
        groups=term_groups(use, ours.spec),
    )
    print(f"lme4 on the same wijk data ({len(use)} cells)")
    print(f"  {'bluezones':<38} {ours.stats['seconds']:7.2f} s (GLMM fit only)")
    with tempfile.TemporaryDirectory() as tmp:
        csv, spec = write_for_r(data, Path(tmp))
        out = Path(tmp) / "lme4.json"
        started = time.perf_counter()
        subprocess.run(["Rscript", str(R_SCRIPT), str(csv), str(spec), str(out)], check=True)
        wall = time.perf_counter() - started
        ref = json.loads(out.read_text())["default"]
    print(f"  {'lme4 glmer':<38} {ref['fit_seconds']:7.2f} s inside R ({wall:.1f} s wall)")
    beta = np.array([ref["fixef"][k] for k in names])
    print(f"  max rel diff fixed effects          {np.max(np.abs(ours.beta / beta - 1)):.1e}")
    for term, part in ours.random.items():
        rel = part["sd"] ** 2 / ref["varcomp"][term] - 1
        print(f"  rel diff variance {term:<20} {rel:.1e}")
    print(f"  logLik ours - lme4                  {ours.stats['loglik'] - ref['logLik']:.2e}")


if __name__ == "__main__":
    raise SystemExit(main())
