"""Detection on the real CBS extracts of 2021/2022, gemeente and wijk level.

Run from the repository root::

    .venv/bin/python benchmarks/detect_real.py [--shared-data DIR] [--levels gemeente wijk]

Loads ``cbs/kwb_2021_2022_met_jeugdzorg_wijken`` with the real herindeling
crosswalk into a temporary store, harmonises to 2022 and runs detection of
``jeugdzorg`` (per 100 youth aged 0-14) with the thin covariates of
:mod:`bluezones.validation.real`. Per level it prints the counts per status, the
lowest and highest areas with names and ratios, the expected-use model's fit
(deviance explained, dispersion) and the time taken. At gemeente level it then
compares with CBS's published jeugdhulp shares of 2022 (85098NED).
A script, not a test: the wijk level takes longer and the times depend on the machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from bluezones.detect.pipeline import DetectionResult
from bluezones.store import Store
from bluezones.validation.published import compare_with_published, denominator_agreement
from bluezones.validation.real import (
    DATASET,
    REAL_INDICATOR,
    detect_real_extracts,
    load_real_extracts,
)

REPO = Path(__file__).resolve().parents[1]
SHOWN = 10  # lowest and highest areas listed per level


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--levels", nargs="+", default=["gemeente", "wijk"])
    args = parser.parse_args()
    pd.set_option("display.width", 160)
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "s.duckdb") as store:
        start = time.perf_counter()
        loaded = load_real_extracts(store, args.shared_data)
        print(f"load + crosswalk + harmonise: {time.perf_counter() - start:.1f} s")
        print(f"  facts {loaded.facts}, statuses {dict(loaded.statuses)}")
        print(f"  crosswalk rows {loaded.crosswalk}, harmonised facts {loaded.harmonised}")
        print(f"  left out (vanished without inhabitants): {', '.join(loaded.dropped) or '-'}")
        names = _names(store)
        for level in args.levels:
            start = time.perf_counter()
            result = detect_real_extracts(args.shared_data, level=level, store=store)
            seconds = time.perf_counter() - start
            _report(result, names, seconds)
            if level == "gemeente":
                _published(result, args.shared_data)


def _names(store: Store) -> pd.Series:
    regions = store.read("regions", where={"dataset": DATASET})
    regions = regions.sort_values("year").drop_duplicates("region_code", keep="last")
    gemeente = regions.set_index("region_code")["name"]
    label = regions["name"].where(
        regions["level"] == "gemeente",
        regions["name"] + " (" + regions["gemeente_code"].map(gemeente).fillna("?") + ")",
    )
    return pd.Series(label.to_numpy(), index=regions["region_code"].to_numpy())


def _report(result: DetectionResult, names: pd.Series, seconds: float) -> None:
    level = result.config.level
    print(f"\n=== {level}: {seconds:.1f} s ===")
    classes = result.classification.assign(name=lambda c: c["region_code"].map(names))
    print("status counts:", classes["status"].value_counts().to_dict())
    glm = result.models[f"{REAL_INDICATOR}:expected"]
    s = glm.stats
    print(
        f"expected-use GLM: deviance explained {1 - s['deviance'] / s['null_deviance']:.3f}, "
        f"dispersion (Pearson) {glm.dispersion:.1f}, cells used {s['n_used']} of {s['n_cells']}"
    )
    print(glm.coefficients()[["term", "estimate", "se"]].round(3).to_string(index=False))
    lasting = result.models.get(f"{REAL_INDICATOR}:persistent")
    if lasting is not None:
        print(f"lasting area effect sd (logit): {lasting.random['area']['sd']:.3f}")
    print("funnel overdispersion per year:", result.summary["dispersion"][REAL_INDICATOR])
    ay = result.area_year
    unusable = ay[~ay["usable"]]
    print(f"unusable area-years: {len(unusable)} of {len(ay)}")
    if len(unusable):
        print(unusable["reason"].value_counts().to_string())
    judged = classes[classes["status"] != "too_small"].sort_values("ratio")
    columns = ["region_code", "name", "status", "ratio", "ratio_low", "ratio_high", "p_low"]
    print(f"\nlowest {SHOWN} (lasting ratio):")
    print(judged.head(SHOWN)[columns].round(3).to_string(index=False))
    columns[-1] = "p_high"
    print(f"highest {SHOWN}:")
    print(judged.tail(SHOWN)[::-1][columns].round(3).to_string(index=False))


def _published(result: DetectionResult, shared_data: Path) -> None:
    print("\n--- against 85098NED (jeugdhulp % of youth 0-17, 2022) ---")
    print("Spearman of the published share with jeugdzorg per candidate denominator:")
    print(denominator_agreement(shared_data).round(3).to_string())
    comparison = compare_with_published(result, shared_data)
    print(
        "Spearman of the published share with:",
        {k: round(v, 3) for k, v in comparison.spearman.items()},
    )
    print("the lowest and highest of SOURCES.md:")
    print(comparison.known.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
