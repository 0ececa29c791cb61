"""Compare our expected youth-care use per wijk with SCP's published expected use (2017).

Prints, for each method of :mod:`bluezones.validation.scp`, how close our
expected shares come to SCP's ``perc_przv`` and how much of the observed
variance each explains; then how much of ``perc_przv`` the determinants
explain with and without gemeente effects; and, where ``Rscript`` with lme4 is
installed, how our REML fit agrees with ``lme4::lmer``. Run from the
repository root::

    .venv/bin/python benchmarks/validate_scp.py [path to SCP csv or ods]
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bluezones.sources.scp import SCP_DETERMINANTS, read_scp_wijkdata
from bluezones.validation._lmm import fit_lmm
from bluezones.validation._scp_fits import GEMEENTE, prepare
from bluezones.validation.scp import METHODS, compare_with_scp, explain_scp_expected

REPO = Path(__file__).resolve().parents[1]
DEFAULT = (
    REPO.parent / "shared/data/scp/jeugdhulp_in_de_wijk_2017/wijkdata_jeugdhulp_2017_merged.csv"
)
FIGURES = (
    ("pearson_scp", "r(przv)"),
    ("spearman_scp", "rho(przv)"),
    ("mad_scp", "MAD(przv)"),
    ("pearson_scp_suppressed", "r(przv) supp"),
    ("mad_scp_suppressed", "MAD supp"),
    ("r2_ours", "R2 obs"),
    ("r2_scp", "R2 SCP"),
    ("mad_observed", "MAD obs"),
    ("residual_sd_ours", "sd resid"),
    ("residual_sd_scp", "sd residu"),
)
LMER = """
library(lme4)
d <- read.csv(commandArgs(TRUE)[1])
x <- grep("^x", names(d), value = TRUE)
f <- as.formula(paste("y ~", paste(x, collapse = " + "), "+ (1 | g)"))
m <- lmer(f, d, REML = TRUE)
vc <- as.data.frame(VarCorr(m))
cat(jsonlite::toJSON(list(beta = unname(fixef(m)), sd = vc$sdcor, reml = REMLcrit(m)),
  digits = 12, auto_unbox = TRUE))
"""


def main(path: Path) -> int:
    rows = {}
    seen: set[str] = set()
    for method, description in METHODS.items():
        started = time.perf_counter()
        comparison = compare_with_scp(path, method=method)
        seconds = time.perf_counter() - started
        rows[method] = {label: comparison.summary[key] for key, label in FIGURES}
        rows[method]["seconds"] = seconds
        print(f"{method}: {description}")
        for note in comparison.notes:
            if note not in seen:  # notes common to every method are printed once
                print(f"    {note}")
            seen.add(note)
    print()
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(pd.DataFrame(rows).T.round(3))
    print("\nSCP's perc_przv explained by the determinants (wijken without missing values):")
    for key, value in explain_scp_expected(path).items():
        print(f"    {key}: {value:.4g}")
    _against_lmer(path)
    return 0


def _against_lmer(path: Path) -> None:
    """Our REML fit of the 'lmm' method against lme4::lmer on the same design."""
    if shutil.which("Rscript") is None:
        print("\nRscript not found: skipping the lme4 check")
        return
    prep = prepare(read_scp_wijkdata(path), tuple(SCP_DETERMINANTS), None)
    use = prep.observed
    y, X, g = prep.frame["perc_jhzv"].to_numpy()[use], prep.X[use], prep.groups[GEMEENTE][use]
    ours = fit_lmm(y, X, {GEMEENTE: g})
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "lmm.csv"
        frame = pd.DataFrame(X[:, 1:], columns=[f"x{j}" for j in range(1, X.shape[1])])
        frame.assign(y=y, g=g).to_csv(csv, index=False)
        out = subprocess.run(
            ["Rscript", "-e", LMER, str(csv)], capture_output=True, text=True, check=True
        )
    ref = json.loads(out.stdout)
    print("\nOur REML fit against lme4::lmer (y ~ determinants + (1 | gemeente)):")
    print(f"    max |beta - lmer|: {np.max(np.abs(ours.beta - np.array(ref['beta']))):.2e}")
    print(f"    sd gemeente ours {ours.sd[GEMEENTE]:.6f}, lmer {ref['sd'][0]:.6f}")
    print(f"    sigma ours {ours.sigma:.6f}, lmer {ref['sd'][1]:.6f}")
    print(f"    REML criterion ours - lmer: {ours.reml - ref['reml']:.2e}")


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT))
