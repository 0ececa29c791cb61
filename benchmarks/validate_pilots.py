"""Validate the pilot evaluation on demo countries: coverage of the planted effect, null size.

For each seed two demo countries are generated: one with the planted pilot effect
(``DEMO_PILOTS``: OTS and UHP rates 15% lower in ten jeugdregio's, six from 2020 and
four from 2023) and the same country without it. Both are evaluated with the demo's
pilot assignment on OTS and UHP. Printed:

- planted: mean estimate against the truth ``log(0.85)``, the share of intervals that
  cover the truth (did2s and TWFE), and the share of countries where the effect is
  found (power) per p-value;
- null: the share of countries with p < 0.05 per p-value (cluster-robust did2s,
  TWFE and Poisson, randomisation inference on did2s and TWFE, wild-cluster bootstrap,
  synthetic-control placebos) -- near 5% when the inference is honest -- and of
  pre-trend tests with p < 0.05;
- with ``--r``: our TWFE and imputation estimates beside base R's ``lm`` on the
  first seed's OTS panel (fixest is not packaged for Debian; ``lm`` with unit and year
  factors gives the same TWFE coefficient).

Run from the repository root::

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/validate_pilots.py --seeds 40 --r
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bluezones.monitor import EvaluationConfig, _did, evaluate_pilots, monitor_table
from bluezones.monitor.evaluate import pilot_panel
from bluezones.sources.demo import generate
from bluezones.sources.demo.pilots import DEMO_PILOTS

YEARS = range(2015, 2025)
INDICATORS = ("ots", "uithuisplaatsing")
P_COLUMNS = ("p_cluster", "p_ri", "twfe_p_cluster", "twfe_p_ri", "twfe_p_wild", "pretrend_p")
EXTRA_P = ("poisson_p_cluster", "synthetic_p")
ALPHA = 0.05
R_SCRIPT = Path(__file__).resolve().parents[1] / "tests" / "monitor" / "reference" / "did_lm.R"


def _evaluate(seed: int, planted: bool, draws: int) -> list[dict[str, float]]:
    country = generate(seed, years=YEARS, pilots=DEMO_PILOTS if planted else None)
    table = monitor_table(country.facts, country.regions, "jeugdregio", suppressed="midpoint")
    rows = []
    for indicator in INDICATORS:
        config = EvaluationConfig(indicator, permutations=draws, bootstrap=draws, seed=seed)
        ev = evaluate_pilots(table, dict(DEMO_PILOTS.starts), config)
        rows.append(
            {
                "seed": seed,
                "planted": planted,
                "indicator": indicator,
                "estimate": ev.estimate,
                "lower": ev.interval[0],
                "upper": ev.interval[1],
                "ri_lower": ev.ri_interval[0],
                "ri_upper": ev.ri_interval[1],
                "twfe": ev.twfe_estimate,
                "twfe_lower": ev.twfe_interval[0],
                "twfe_upper": ev.twfe_interval[1],
                "poisson": ev.poisson_estimate,
                "poisson_lower": ev.poisson_interval[0],
                "poisson_upper": ev.poisson_interval[1],
                "poisson_p_cluster": ev.poisson_p_cluster,
                "synthetic": ev.synthetic.estimate if ev.synthetic else np.nan,
                "synthetic_p": ev.synthetic.p_pooled if ev.synthetic else np.nan,
                **{p: getattr(ev, p) for p in P_COLUMNS},
            }
        )
    return rows


def _report(table: pd.DataFrame) -> None:
    truth = float(np.log1p(-DEMO_PILOTS.reduction))
    for planted, part in table.groupby("planted"):
        kind = f"planted (truth log(0.85) = {truth:.4f})" if planted else "null (truth 0)"
        target = truth if planted else 0.0
        print(f"\n{kind}, {part['seed'].nunique()} countries")
        for indicator, rows in part.groupby("indicator"):
            cover = ((rows["lower"] <= target) & (target <= rows["upper"])).mean()
            cover_twfe = ((rows["twfe_lower"] <= target) & (target <= rows["twfe_upper"])).mean()
            cover_ri = ((rows["ri_lower"] <= target) & (target <= rows["ri_upper"])).mean()
            cover_pois = (
                (rows["poisson_lower"] <= target) & (target <= rows["poisson_upper"])
            ).mean()
            rejects = {p: (rows[p] < ALPHA).mean() for p in P_COLUMNS + EXTRA_P}
            print(
                f"  {indicator:<17} mean est {rows['estimate'].mean():+.4f} "
                f"(sd {rows['estimate'].std():.4f}), TWFE {rows['twfe'].mean():+.4f}, "
                f"Poisson {rows['poisson'].mean():+.4f}, "
                f"synthetic {rows['synthetic'].mean():+.4f}; coverage did2s {cover:.2f}, "
                f"RI {cover_ri:.2f}, TWFE {cover_twfe:.2f}, Poisson {cover_pois:.2f}"
            )
            print("    share p < 0.05: " + ", ".join(f"{k} {v:.3f}" for k, v in rejects.items()))


def _compare_with_r(seed: int) -> None:
    country = generate(seed, years=YEARS, pilots=DEMO_PILOTS)
    table = monitor_table(country.facts, country.regions, "jeugdregio", suppressed="midpoint")
    panel = pilot_panel(table, "ots", DEMO_PILOTS.starts)
    _, idx = np.unique(panel["region_code"], return_inverse=True)
    design = _did.Design.build(idx, panel["year"].to_numpy())
    y, d = panel["y"].to_numpy(), panel["treat"].to_numpy(float)
    beta, se = _did.twfe(design, y, d)
    att = _did.imputation_att(design, y, d)
    with tempfile.TemporaryDirectory() as tmp:
        csv, out = Path(tmp) / "panel.csv", Path(tmp) / "r.json"
        panel[["region_code", "year", "y", "treat"]].to_csv(csv, index=False, float_format="%.17g")
        subprocess.run(["Rscript", str(R_SCRIPT), str(csv), str(out)], check=True)
        ref = json.loads(out.read_text())
    print(f"\nR lm vs ours on seed {seed}'s OTS panel ({len(panel)} region-years):")
    for name, ours in (("twfe", beta), ("twfe_se_crv1", se), ("att", att)):
        theirs = float(np.ravel(ref[name])[0])
        print(f"  {name:<13} ours {ours:+.10f}  R {theirs:+.10f}  diff {abs(ours - theirs):.1e}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds 1..N (default 20)")
    parser.add_argument("--draws", type=int, default=499, help="RI and bootstrap draws")
    parser.add_argument("--r", action="store_true", help="also compare with R's lm")
    args = parser.parse_args(argv)
    rows = []
    for seed in range(1, args.seeds + 1):
        start = time.perf_counter()
        for planted in (True, False):
            rows += _evaluate(seed, planted, args.draws)
        print(f"  seed {seed}: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    _report(pd.DataFrame(rows))
    if args.r:
        _compare_with_r(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
