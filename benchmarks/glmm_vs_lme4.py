"""Time our binomial GLMM against lme4::glmer on a country-sized, three-level data set.

42 jeugdregio's, 336 gemeenten, 3,024 wijken and 10 years: 30,240 cells with
random intercepts for region, gemeente and wijk, two covariates and year fixed
effects. Run from the repository root::

    .venv/bin/python benchmarks/glmm_vs_lme4.py

It prints our fit time, glmer's (the time inside R, and the wall time including
start-up and reading the CSV) and the largest differences between the fits.
Needs ``Rscript`` with lme4 and jsonlite for the R part; without them only our
time is printed.
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

from bluezones.model._glmm import fit_glmm
from bluezones.model._glmm_synthetic import make_cells, write_for_r

REPO = Path(__file__).resolve().parents[1]
R_SCRIPT = REPO / "scripts" / "lme4_reference.R"


def main() -> int:
    cells = make_cells("country")
    print(
        f"{cells.y.size} cells, {len(cells.x_names)} fixed effects, terms: "
        + ", ".join(f"{k} ({np.unique(v).size})" for k, v in cells.groups.items())
    )
    started = time.perf_counter()
    fit = fit_glmm(cells.y, cells.n, cells.X, cells.groups, x_names=cells.x_names)
    ours = time.perf_counter() - started
    print(
        f"bluezones fit_glmm: {ours:.2f} s ({fit.iterations} optimiser iterations, "
        f"{fit.evaluations} PIRLS runs, converged={fit.converged})"
    )
    if shutil.which("Rscript") is None:
        print("Rscript not found: skipping lme4")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        csv, spec = write_for_r(cells, Path(tmp))
        out = Path(tmp) / "lme4.json"
        started = time.perf_counter()
        subprocess.run(["Rscript", str(R_SCRIPT), str(csv), str(spec), str(out)], check=True)
        wall = time.perf_counter() - started
        ref = json.loads(out.read_text())["default"]
    print(f"lme4 glmer:         {ref['fit_seconds']:.2f} s inside R ({wall:.2f} s wall)")
    beta = np.array([ref["fixef"][k] for k in cells.x_names])
    print(f"max rel diff beta:   {np.max(np.abs(fit.beta / beta - 1)):.2e}")
    vc = [fit.variance_components[k] / ref["varcomp"][k] - 1 for k in cells.groups]
    print(f"max rel diff sigma2: {np.max(np.abs(vc)):.2e}")
    print(f"logLik ours - lme4:  {fit.loglik - ref['logLik']:.2e}")
    se_ref = np.sqrt(np.diag(np.array(ref["vcov"])))
    print(f"max rel diff SE:     {np.max(np.abs(fit.std_errors / se_ref - 1)):.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
