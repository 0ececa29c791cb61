# ruff: noqa: N806 -- matrix names (X, Z, H, F, K) follow Bates et al. (2015)
"""The binomial random-intercept GLMM against R's lme4::glmer.

Reference values in ``reference/lme4_<kind>.json`` come from
``scripts/lme4_reference.R`` on the synthetic data of
:func:`bluezones.model._glmm_synthetic.make_cells`. Each file holds two glmer fits:
``default`` (glmer's own control) and ``tight`` (PIRLS to ``tolPwrss = 1e-13`` and
a strict Nelder-Mead). We compute the exact Laplace optimum, so we agree with the
tight fit to ~1e-5 and with the default fit to the tolerances glmer's own
convergence allows (1e-3 relative on fixed effects and variance components,
2e-4 on logLik; vcov() up to 1% because glmer's Hessian is taken of its loosely
converged deviance).

Regenerate the references (needs Rscript with lme4) with::

    .venv/bin/python tests/model/test_glmm_vs_lme4.py --regenerate

A test also runs R live where ``Rscript`` and lme4 are available.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bluezones.model._glmm import GLMMResult, _Laplace, fit_glmm
from bluezones.model._glmm_synthetic import SyntheticCells, make_cells, write_for_r

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
REFERENCE = HERE / "reference"
R_SCRIPT = REPO / "scripts" / "lme4_reference.R"
KINDS = ("one_factor", "nested", "persistence", "singular", "crossed")

# Agreement with glmer's default fit (limited by glmer's own convergence).
DEFAULT_REL = 1e-3
DEFAULT_LOGLIK_ABS = 2e-4
DEFAULT_VCOV_REL = 1e-2
# Agreement with the tightly converged glmer fit. Variance components of terms with
# few levels (8 regions) are flat in the deviance: Nelder-Mead stops ~1e-4 away.
TIGHT_REL = 5e-5
TIGHT_SIGMA2_REL = 5e-4
TIGHT_LOGLIK_ABS = 5e-6
# glmer's vcov() is a finite-difference Hessian of its deviance function, whose
# Laplace term uses the weights of the last-but-one PIRLS iterate; ours is the
# exact Hessian (checked against finite differences of our D to 1e-7).
TIGHT_VCOV_REL = 3e-3
RANEF_ABS = 1e-4
COND_SD_REL = 1e-4
# Variance components below this are compared absolutely (singular fits).
ZERO_VARIANCE = 1e-8


def _csv_digest(cells: SyntheticCells, folder: Path) -> str:
    csv, _ = write_for_r(cells, folder)
    return hashlib.sha256(csv.read_bytes()).hexdigest()


def _run_r(cells: SyntheticCells, folder: Path) -> dict[str, Any]:
    csv, spec = write_for_r(cells, folder)
    out = folder / "lme4.json"
    subprocess.run(
        ["Rscript", str(R_SCRIPT), str(csv), str(spec), str(out), "tight"],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    result: dict[str, Any] = json.loads(out.read_text())
    result["data_sha256"] = hashlib.sha256(csv.read_bytes()).hexdigest()
    return result


def _r_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(
        ["Rscript", "-e", "library(lme4); library(jsonlite)"], capture_output=True, timeout=120
    )
    return probe.returncode == 0


@cache
def _fit(kind: str) -> GLMMResult:
    c = make_cells(kind)
    return fit_glmm(c.y, c.n, c.X, c.groups, offset=c.offset, x_names=c.x_names)


def _reference(kind: str) -> dict[str, Any]:
    return json.loads((REFERENCE / f"lme4_{kind}.json").read_text())


def _rel(ours: np.ndarray, theirs: np.ndarray) -> float:
    return float(np.max(np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-300)))


def _compare(
    fit: GLMMResult, cells: SyntheticCells, ref: dict[str, Any], *, tight: bool
) -> dict[str, float]:
    """Check one glmer fit against ours; return the differences for the report."""
    rel = TIGHT_REL if tight else DEFAULT_REL
    beta = np.array([ref["fixef"][name] for name in cells.x_names])
    diffs = {"beta_rel": _rel(fit.beta, beta)}
    assert diffs["beta_rel"] < rel, diffs

    ours_vc, theirs_vc = [], []
    for name in cells.groups:
        ours_vc.append(fit.variance_components[name])
        theirs_vc.append(ref["varcomp"][name])
    ours_arr, theirs_arr = np.array(ours_vc), np.array(theirs_vc)
    positive = theirs_arr > ZERO_VARIANCE
    diffs["sigma2_rel"] = _rel(ours_arr[positive], theirs_arr[positive]) if positive.any() else 0
    assert diffs["sigma2_rel"] < (TIGHT_SIGMA2_REL if tight else DEFAULT_REL), diffs
    assert np.all(ours_arr[~positive] < ZERO_VARIANCE)
    assert fit.singular == bool(ref["is_singular"])

    diffs["loglik_abs"] = abs(fit.loglik - ref["logLik"])
    assert diffs["loglik_abs"] < (TIGHT_LOGLIK_ABS if tight else DEFAULT_LOGLIK_ABS), diffs
    # Ours is the exact optimum: never worse than glmer's beyond rounding.
    assert fit.loglik >= ref["logLik"] - TIGHT_LOGLIK_ABS
    assert fit.aic == pytest.approx(ref["AIC"], abs=2 * diffs["loglik_abs"] + 1e-8)
    assert fit.bic == pytest.approx(ref["BIC"], abs=2 * diffs["loglik_abs"] + 1e-8)

    ranef_abs, sd_rel = 0.0, 0.0
    for name in cells.groups:
        r = ref["ranef"][name]
        levels = np.array(r["levels"], dtype=fit.levels[name].dtype)
        np.testing.assert_array_equal(levels, fit.levels[name])
        ranef_abs = max(ranef_abs, float(np.max(np.abs(fit.ranef[name] - np.array(r["mode"])))))
        if fit.variance_components[name] > ZERO_VARIANCE:
            sd_rel = max(sd_rel, _rel(fit.ranef_sd[name], np.array(r["cond_sd"])))
    diffs["ranef_abs"], diffs["cond_sd_rel"] = ranef_abs, sd_rel
    assert ranef_abs < RANEF_ABS * (1 if tight else 10), diffs
    assert sd_rel < COND_SD_REL * (1 if tight else 10), diffs

    V = np.array(ref["vcov"])
    scale = np.sqrt(np.outer(np.diag(V), np.diag(V)))
    diffs["vcov_rel"] = float(np.max(np.abs(fit.vcov - V) / scale))
    assert diffs["vcov_rel"] < (TIGHT_VCOV_REL if tight else DEFAULT_VCOV_REL), diffs

    diffs["fitted_abs"] = float(np.max(np.abs(fit.fitted - np.array(ref["fitted"]))))
    diffs["fitted_fixed_abs"] = float(
        np.max(np.abs(fit.fitted_fixed - np.array(ref["fitted_fixed"])))
    )
    assert diffs["fitted_abs"] < 10 * RANEF_ABS
    assert diffs["fitted_fixed_abs"] < 10 * RANEF_ABS
    return diffs


@pytest.mark.parametrize("kind", KINDS)
def test_reference_data_is_what_the_generator_makes(kind: str, tmp_path: Path) -> None:
    ref = _reference(kind)
    assert _csv_digest(make_cells(kind), tmp_path) == ref["data_sha256"], (
        "the synthetic generator changed: regenerate the references (see module docstring)"
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("stage", ["tight", "default"])
def test_fit_agrees_with_committed_lme4_reference(kind: str, stage: str) -> None:
    fit = _fit(kind)
    assert fit.converged, fit.warnings
    _compare(fit, make_cells(kind), _reference(kind)[stage], tight=stage == "tight")


@pytest.mark.parametrize("kind", KINDS)
def test_laplace_deviance_is_glmers_objective(kind: str) -> None:
    """At glmer's (tight) estimates our D(theta, beta) equals its -2 logLik."""
    cells = make_cells(kind)
    ref = _reference(kind)["tight"]
    codes, sizes = [], []
    for g in cells.groups.values():
        levels, code = np.unique(g, return_inverse=True)
        codes.append(code)
        sizes.append(levels.size)
    offset = cells.offset if cells.offset is not None else np.zeros(cells.y.size)
    lap = _Laplace(cells.y, cells.n, cells.X, offset, codes, sizes)
    names = list(cells.groups)
    theta = np.array([ref["theta"][names[k]] for k in lap.plan.order])
    beta = np.array([ref["fixef"][name] for name in cells.x_names])
    value, _ = lap.value_and_gradient(np.concatenate([theta, beta]))
    # glmer's PIRLS, even at tolPwrss = 1e-13, leaves D up to ~3e-6 above the exact value.
    assert value == pytest.approx(-2 * ref["logLik"], abs=1e-5)
    assert value <= -2 * ref["logLik"] + 1e-8


def test_pirls_vcov_matches_glmer_rx_vcov() -> None:
    cells = make_cells("nested")
    fit = fit_glmm(cells.y, cells.n, cells.X, cells.groups, x_names=cells.x_names, vcov="pirls")
    V = np.array(_reference("nested")["tight"]["vcov_rx"])
    assert fit.vcov_method == "pirls"
    np.testing.assert_allclose(fit.vcov, V, rtol=5e-4)


def test_deviance_is_glmers_deviance() -> None:
    fit, ref = _fit("one_factor"), _reference("one_factor")["tight"]
    assert fit.deviance == pytest.approx(ref["deviance"], rel=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["nested", "crossed"])
def test_fit_agrees_with_lme4_run_live(kind: str, tmp_path: Path) -> None:
    if not _r_available():
        pytest.skip("Rscript with lme4 and jsonlite is not installed")
    cells = make_cells(kind, seed=7)
    ref = _run_r(cells, tmp_path)
    fit = fit_glmm(
        cells.y, cells.n, cells.X, cells.groups, offset=cells.offset, x_names=cells.x_names
    )
    _compare(fit, cells, ref["tight"], tight=True)
    _compare(fit, cells, ref["default"], tight=False)


def _regenerate() -> None:
    import tempfile

    REFERENCE.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        with tempfile.TemporaryDirectory() as tmp:
            ref = _run_r(make_cells(kind), Path(tmp))
        (REFERENCE / f"lme4_{kind}.json").write_text(json.dumps(ref, indent=1) + "\n")
        print(f"wrote reference/lme4_{kind}.json")


def _report() -> None:
    for kind in KINDS:
        cells, fit = make_cells(kind), _fit(kind)
        for stage in ("tight", "default"):
            diffs = _compare(fit, cells, _reference(kind)[stage], tight=stage == "tight")
            print(kind, stage, {k: f"{v:.2g}" for k, v in diffs.items()})


if __name__ == "__main__":
    if "--regenerate" in sys.argv:
        _regenerate()
    else:
        _report()
