"""The models behind :func:`bluezones.validation.scp.compare_with_scp`.

Each fit takes the prepared SCP wijk table (determinants imputed and
standardised, see :func:`prepare`) and returns our expected share in % for
every wijk, suppressed ones included, plus notes on what was done. The fits are
registered in :data:`FITS` by method name.

Why the binomial fits need a pseudo-denominator: SCP's file gives shares but
no numbers of youth per wijk, and no column measures population (``kleinewijk``
only says "fewer than 1,000 inhabitants"). Every wijk therefore gets the same
number of youth, :data:`PSEUDO_YOUTH`, and the count ``y = round(share * n)``.
With a constant ``n`` the GLM's estimates do not depend on the value chosen
(it only scales the likelihood); the GLMM has a wijk-level random intercept, so
the binomial noise it implies is absorbed there and the choice matters little.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from bluezones.errors import DataError
from bluezones.model._glmm import fit_glmm
from bluezones.model._irls import fit_irls
from bluezones.model.cells import cells_from_facts
from bluezones.model.glm import fit_glm
from bluezones.model.spec import ModelSpec
from bluezones.sources.scp import SCP_DATASET, SCP_MEASURES, SCP_YEAR, scp_to_facts
from bluezones.store import FACT_COLUMNS
from bluezones.validation._lmm import fit_lmm

__all__ = ["FITS", "PSEUDO_YOUTH", "Fit", "Prepared", "prepare"]

# Youth per wijk assumed by the binomial fits: about 3.4 million youth aged 0-17
# in 2017 over about 2,900 wijken is some 1,150 per wijk; a round 1,000.
PSEUDO_YOUTH = 1000
PERCENT = 100.0
INDICATOR = "jeugdhulp_zonder_verblijf"
NUMERATOR = "jeugdhulp_zonder_verblijf"
DENOMINATOR = "youth_0_17"
GEMEENTE, REGIO, WIJK = "gemeente", "jeugdregio", "wijk"


@dataclass(frozen=True)
class Prepared:
    """SCP's wijk table ready for fitting.

    Attributes
    ----------
    frame
        :func:`~bluezones.sources.scp.read_scp_wijkdata` with missing
        determinants imputed.
    X, names
        Standardised design with intercept (all wijken) and its column names:
        our measure name where :data:`SCP_MEASURES` maps a determinant, SCP's
        name otherwise.
    observed
        Rows with a published observed share: the rows fitted.
    groups
        Random-intercept labels per row: gemeente, and jeugdregio when given.
    imputed
        Number of imputed determinants per row.
    """

    frame: pd.DataFrame
    X: np.ndarray
    names: tuple[str, ...]
    observed: np.ndarray
    groups: dict[str, np.ndarray]
    imputed: np.ndarray


@dataclass(frozen=True)
class Fit:
    """Expected share in % for every wijk, and what the fit noted."""

    expected: np.ndarray
    notes: tuple[str, ...]


def prepare(
    frame: pd.DataFrame, determinants: tuple[str, ...], jeugdregio: Mapping[str, str] | None
) -> Prepared:
    """Impute, standardise and name the determinants; attach the grouping labels.

    A missing determinant (SCP published it as ``.`` for small wijken, but used
    the real value) is replaced by the mean over the other wijken of the same
    gemeente, or by the mean over all wijken where the gemeente has none.
    Means and standard deviations for standardising come from the observed wijken.
    """
    frame = frame.copy()
    missing = frame[list(determinants)].isna()
    for column in determinants:
        by_gemeente = frame.groupby("gemeentecode")[column].transform("mean")
        frame[column] = frame[column].fillna(by_gemeente).fillna(frame[column].mean())
    observed = ~frame["suppressed"].to_numpy(bool)
    raw = frame[list(determinants)].to_numpy(float)
    mean, sd = raw[observed].mean(axis=0), raw[observed].std(axis=0)
    X = np.hstack([np.ones((len(frame), 1)), (raw - mean) / sd])
    names = ("Intercept", *(SCP_MEASURES.get(d, (d, 1.0))[0] for d in determinants))
    groups = {GEMEENTE: frame["gemeentecode"].to_numpy(str)}
    if jeugdregio is not None:
        groups[REGIO] = _regio_labels(frame["gemeentecode"], jeugdregio)
    return Prepared(frame, X, names, observed, groups, missing.sum(axis=1).to_numpy())


def _regio_labels(gemeenten: pd.Series, jeugdregio: Mapping[str, str]) -> np.ndarray:
    labels = gemeenten.map(dict(jeugdregio))
    if labels.isna().any():
        code = gemeenten[labels.isna()].iloc[0]
        raise DataError(
            f"Gemeente {code} has no jeugdregio in the mapping given.",
            hint="Map every 2017 gemeente of the SCP file to its jeugdzorgregio.",
            region=code,
        )
    return labels.to_numpy(str)


def _pseudo_counts(prep: Prepared, pseudo_n: int) -> tuple[np.ndarray, np.ndarray]:
    share = prep.frame["perc_jhzv"].to_numpy(float)[prep.observed] / PERCENT
    n = np.full(share.size, float(pseudo_n))
    return np.round(share * n), n


def fit_lmm_expected(prep: Prepared, pseudo_n: int, *, with_random: bool) -> Fit:
    """Linear mixed model on the %, as SCP; random gemeente (and regio) intercepts."""
    del pseudo_n  # the linear model needs no denominator
    use = prep.observed
    y = prep.frame["perc_jhzv"].to_numpy(float)[use]
    fit = fit_lmm(y, prep.X[use], {k: v[use] for k, v in prep.groups.items()})
    expected = prep.X @ fit.beta
    if with_random:
        expected = fit.predict(prep.X, prep.groups)
    sds = ", ".join(f"{k} {v:.3f}" for k, v in fit.sd.items())
    notes = [f"LMM (REML): residual sd {fit.sigma:.3f} pp; random-intercept sd {sds} pp"]
    if not fit.converged:
        notes.append("the REML optimiser did not report convergence")
    return Fit(expected, tuple(notes))


def fit_glm_expected(prep: Prepared, pseudo_n: int) -> Fit:
    """Binomial GLM (our IRLS kernel) on every determinant, with pseudo-counts."""
    y, n = _pseudo_counts(prep, pseudo_n)
    result = fit_irls(prep.X[prep.observed], y, n, "binomial")
    expected = PERCENT * expit(prep.X @ result.beta)
    note = (
        f"binomial GLM by bluezones.model._irls.fit_irls on a design built here "
        f"(ModelSpec accepts only our measures); n = {pseudo_n} youth per wijk"
    )
    return Fit(expected, (note,))


def fit_glm_measures_expected(prep: Prepared, pseudo_n: int) -> Fit:
    """Binomial GLM through bluezones.model: facts -> cells -> ModelSpec -> fit_glm."""
    frame = prep.frame
    facts = _facts_with_counts(frame, pseudo_n)
    covariates = tuple(measure for measure, _ in SCP_MEASURES.values())
    spec = ModelSpec(
        indicator=INDICATOR, covariates=covariates, level=WIJK, years=(SCP_YEAR,), random="none"
    )
    cells = cells_from_facts(facts, spec)
    fitted = fit_glm(cells, spec)
    rate = fitted.predict(cells).set_index("region_code")["expected_rate"]
    expected = PERCENT * rate.reindex(frame["wijkcode"]).to_numpy(float)
    note = (
        f"binomial GLM via ModelSpec/cells_from_facts/fit_glm on the {len(covariates)} "
        f"determinants scp_to_facts maps to our measures ({', '.join(covariates)}); "
        f"dispersion {fitted.dispersion:.2f} at n = {pseudo_n}"
    )
    return Fit(expected, (note, *fitted.warnings))


def _facts_with_counts(frame: pd.DataFrame, pseudo_n: int) -> pd.DataFrame:
    share = frame["perc_jhzv"].to_numpy(float) / PERCENT
    n = np.full(len(frame), float(pseudo_n))
    counts = []
    for measure, values in ((NUMERATOR, np.round(share * n)), (DENOMINATOR, n)):
        counts.append(
            pd.DataFrame(
                {
                    "dataset": SCP_DATASET,
                    "region_code": frame["wijkcode"].astype(object),
                    "year": np.int64(SCP_YEAR),
                    "measure": measure,
                    "value": values,
                    "status": pd.Series(None, index=frame.index, dtype=object).mask(
                        np.isnan(values), "suppressed"
                    ),
                    "source": "pseudo-count for validation",
                }
            )
        )
    return pd.concat([scp_to_facts(frame), *counts], ignore_index=True)[list(FACT_COLUMNS)]


def fit_glmm_expected(prep: Prepared, pseudo_n: int, *, with_random: bool) -> Fit:
    """Binomial GLMM: random gemeente (and regio) intercepts plus one per wijk."""
    y, n = _pseudo_counts(prep, pseudo_n)
    use = prep.observed
    groups = {k: v[use] for k, v in prep.groups.items()}
    groups[WIJK] = prep.frame["wijkcode"].to_numpy(str)[use]
    fit = fit_glmm(y, n, prep.X[use], groups, x_names=prep.names, vcov="pirls")
    expected = PERCENT * fit.predict(prep.X, prep.groups if with_random else None)
    sds = ", ".join(f"{k} {np.sqrt(v):.3f}" for k, v in fit.variance_components.items())
    notes = [
        f"binomial GLMM by bluezones.model._glmm.fit_glmm (Laplace); random-intercept sd "
        f"on the logit scale: {sds}; the wijk term absorbs overdispersion; n = {pseudo_n}",
        *fit.warnings,
    ]
    return Fit(expected, tuple(notes))


FitFunction = Callable[[Prepared, int], Fit]

FITS: dict[str, FitFunction] = {
    "lmm": lambda p, n: fit_lmm_expected(p, n, with_random=True),
    "lmm_fixed": lambda p, n: fit_lmm_expected(p, n, with_random=False),
    "glm": fit_glm_expected,
    "glm_measures": fit_glm_measures_expected,
    "glmm": lambda p, n: fit_glmm_expected(p, n, with_random=True),
    "glmm_fixed": lambda p, n: fit_glmm_expected(p, n, with_random=False),
}
