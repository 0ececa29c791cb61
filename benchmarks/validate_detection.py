"""Score detection against the demo country's ground truth, over several seeds.

For each seed a demo country is generated (with planted low, high and
escalation areas, and with ``--null`` also without: the null country), stored
in a temporary DuckDB, harmonised, run through detection and scored with
:mod:`bluezones.validation.truth`. Prints a row per seed and the pooled figures.
Run from the repository root::

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/validate_detection.py --seeds 6 --null
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/validate_detection.py --seeds 6 --null \
        --no-wijk-composition --drop-suppressed        # without the two corrections
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/validate_detection.py --seeds 6 --null \
        --with-low-income                              # the demo's own determinants
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/validate_detection.py --seeds 2 --level wijk

``--with-low-income`` adds the one determinant the demo country draws its care
from but SCP's set (the default covariates) lacks: the coverage then measures
the method alone, not also the omitted covariate.

One BLAS thread is much faster here: the fits are many small matrix products, and
on a shared two-core machine threaded BLAS made a gemeente run take 100 s, not 10 s.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from bluezones.detect.pipeline import DetectionConfig
from bluezones.model import DEFAULT_COVARIATES
from bluezones.validation.truth import pool_scores, validate_demo

PER_SEED = (
    ("seconds", "s"),
    ("recall_low", "rec low"),
    ("recall_escalation", "rec esc"),
    ("escalation_as_bluezone", "esc->BZ"),
    ("recall_high", "rec high"),
    ("fdp_bluezone", "FDP BZ"),
    ("fdp_escalation", "FDP esc"),
    ("fdp_high", "FDP high"),
    ("fdp_truly_bluezone", "FDP BZ truth"),
    ("fdp_truly_high", "FDP high truth"),
    ("flagged", "flagged"),
    ("coverage", "cov"),
    ("coverage_realised", "cov real"),
    ("coverage_realised_jeugdhulp", "cov real jh"),
    ("correlation_realised", "r real"),
    ("outside_95", "out95"),
    ("outside_95_unplanted", "out95 unpl"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 1..N (default 5)")
    parser.add_argument("--level", choices=("gemeente", "wijk"), default="gemeente")
    parser.add_argument("--null", action="store_true", help="also the null countries")
    parser.add_argument("--no-wijk-composition", action="store_true")
    parser.add_argument("--drop-suppressed", action="store_true")
    parser.add_argument("--with-low-income", action="store_true", help="add pct_low_income")
    args = parser.parse_args(argv)
    config = DetectionConfig(
        composition=not args.no_wijk_composition,
        suppressed_below=None if args.drop_suppressed else DetectionConfig().suppressed_below,
        covariates=DEFAULT_COVARIATES + (("pct_low_income",) if args.with_low_income else ()),
    )
    seeds = list(range(1, args.seeds + 1))
    kinds = [True, False] if args.null else [True]
    pooled = {}
    for plant in kinds:
        kind = "planted" if plant else "null"
        print(f"\n{kind} countries, {args.level} level")
        rows = []
        for seed in seeds:
            rows.append(validate_demo([seed], level=args.level, plant=plant, config=config))
            print(f"  seed {seed}: {rows[-1]['seconds'].iloc[0]:.0f} s", file=sys.stderr)
        table = pd.concat(rows, ignore_index=True)
        pooled[kind] = pool_scores(table)
        print(_readable(table).to_string())
        print("\nper indicator (mean over seeds):")
        print(_per_indicator(table).round(3).to_string())
    print("\npooled:")
    print(pd.DataFrame(pooled).T[[key for key, _ in PER_SEED]].round(3).to_string())
    return 0


def _readable(table: pd.DataFrame) -> pd.DataFrame:
    out = table.set_index("seed")[[key for key, _ in PER_SEED]]
    return out.rename(columns=dict(PER_SEED)).round(3)


def _per_indicator(table: pd.DataFrame) -> pd.DataFrame:
    figures = ("coverage", "coverage_realised", "correlation_realised", "outside_95")
    names = sorted(
        c.removeprefix("coverage_realised_")
        for c in table.columns
        if c.startswith("coverage_realised_")
    )
    return pd.DataFrame(
        {f: [table[f"{f}_{n}"].mean() for n in names] for f in figures}, index=names
    )


if __name__ == "__main__":
    sys.exit(main())
