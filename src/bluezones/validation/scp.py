"""Our expected use per wijk against SCP's published expected use, 2017.

SCP's *Jeugdhulp in de wijk* (2020-1) published, per wijk, the observed share of
youth with jeugdhulp zonder verblijf (``perc_jhzv``), the expected share from
its multilevel model (``perc_przv``: a linear model on the percentage with
random intercepts for gemeente and jeugdzorgregio) and 27 determinants.
:func:`compare_with_scp` refits such a model, or one of ours, and says how close
our expected shares come to SCP's, and how well each explains the observed.

What SCP's "expected" is
------------------------
Regressing ``perc_przv`` on the determinants alone explains 61% of its variance
(complete cases), and 93% of what is left is between gemeenten; adding one
dummy per gemeente explains 99.9% (:func:`explain_scp_expected`). So
``perc_przv`` is the fixed part *plus the gemeente (and regio) random
effects*: SCP's "expected" already contains how much more or less a gemeente
uses than its population predicts, and ``residu`` only shows differences
between wijken of one gemeente. Method ``"lmm"`` follows that definition;
``"lmm_fixed"`` is the population-only expectation that a BlueZone comparison
between gemeenten needs.

The file has no jeugdzorgregio column; pass ``jeugdregio`` (gemeente code ->
regio) to add that term. Without it the gemeente term takes the regio's share,
which changes no expected value that includes random effects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from bluezones.errors import ModelError
from bluezones.sources.scp import SCP_DETERMINANTS, read_scp_wijkdata
from bluezones.validation._scp_fits import FITS, PSEUDO_YOUTH, prepare

__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "PSEUDO_YOUTH",
    "Method",
    "ScpComparison",
    "compare_with_scp",
    "explain_scp_expected",
]

Method = Literal["lmm", "lmm_fixed", "glm", "glm_measures", "glmm", "glmm_fixed"]
METHODS: dict[Method, str] = {
    "lmm": "linear mixed model on the %, expected = fixed part + gemeente/regio effects (SCP)",
    "lmm_fixed": "linear mixed model on the %, expected = fixed part only",
    "glm": "binomial GLM on all determinants, pseudo-counts",
    "glm_measures": "binomial GLM through bluezones.model on the 5 mapped measures",
    "glmm": "binomial GLMM, expected = fixed part + gemeente/regio effects",
    "glmm_fixed": "binomial GLMM, expected = fixed part only",
}
DEFAULT_METHOD: Method = "lmm"

TABLE_COLUMNS = (
    "wijkcode",
    "wijknaam",
    "gemeentecode",
    "gemnaam_2017",
    "suppressed",
    "imputed",
    "observed",
    "scp_expected",
    "expected",
    "difference",
    "residual",
    "scp_residual",
)


@dataclass(frozen=True)
class ScpComparison:
    """Our expected shares next to SCP's, per wijk and in summary.

    Attributes
    ----------
    method
        The method in :data:`METHODS`.
    table
        One row per wijk: ``observed`` (``perc_jhzv``, NaN where suppressed),
        ``scp_expected`` (``perc_przv``), ``expected`` (ours), ``difference``
        (ours - SCP's), ``residual`` (observed - ours), ``scp_residual``
        (SCP's ``residu``) in percentage points, and ``imputed``: how many
        determinants were imputed.
    summary
        ``pearson_scp``, ``spearman_scp``, ``mad_scp`` (ours vs ``perc_przv``
        over all wijken; ``mad`` is the mean absolute difference in pp), the
        same with suffix ``_suppressed`` over the suppressed wijken only,
        ``pearson_observed`` and ``mad_observed`` (ours vs observed),
        ``r2_ours``, ``r2_scp`` (share of the observed variance each explains),
        ``residual_sd_ours``, ``residual_sd_scp``, and counts of wijken.
    determinants
        SCP's names of the determinants used.
    notes
        What the fit did and noticed.
    """

    method: str
    table: pd.DataFrame
    summary: dict[str, float]
    determinants: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "summary": self.summary,
            "determinants": list(self.determinants),
            "notes": list(self.notes),
            "table": self.table.to_dict(orient="records"),
        }


def compare_with_scp(
    path: Path | str,
    *,
    method: Method = DEFAULT_METHOD,
    determinants: tuple[str, ...] | None = None,
    jeugdregio: Mapping[str, str] | None = None,
    pseudo_n: int = PSEUDO_YOUTH,
) -> ScpComparison:
    """Fit ``method`` to SCP's 2017 wijk data and compare with SCP's expected shares.

    Parameters
    ----------
    path
        SCP's ``Wijkdata_Jeugdhulp_in_de_wijk.ods`` or the merged CSV (faster).
    method
        A key of :data:`METHODS`.
    determinants
        SCP determinant names to use; default all 27 (:data:`SCP_DETERMINANTS`).
    jeugdregio
        Optional 2017 gemeente code (``GM0014``) -> jeugdzorgregio label, for a
        regio random intercept (the SCP file has none).
    pseudo_n
        Youth per wijk assumed by the binomial methods (the file has no counts).

    Notes
    -----
    Wijken with a suppressed observed share (fewer than 10 users) are left out
    of the fit but get an expected value; the summary scores them separately.
    """
    if method not in METHODS:
        raise ModelError(
            f"Unknown comparison method {method!r}.",
            hint=f"Choose one of {', '.join(METHODS)}.",
        )
    chosen = tuple(SCP_DETERMINANTS) if determinants is None else tuple(determinants)
    unknown = [d for d in chosen if d not in SCP_DETERMINANTS]
    if unknown or not chosen:
        raise ModelError(
            f"Unknown SCP determinant {unknown[0]!r}." if unknown else "No determinants given.",
            hint=f"Use names from SCP's file: {', '.join(SCP_DETERMINANTS)}.",
        )
    if pseudo_n < 1:
        raise ModelError(f"pseudo_n must be a positive count, not {pseudo_n}.", hint="Use 1000.")
    frame = read_scp_wijkdata(path)
    prep = prepare(frame, chosen, jeugdregio)
    fit = FITS[method](prep, pseudo_n)
    table = _table(prep.frame, fit.expected, prep.imputed)
    notes = (
        f"{int((prep.imputed > 0).sum())} wijken had at least one determinant missing "
        "(imputed by the gemeente mean of the other wijken)",
        *(() if jeugdregio else ("no jeugdzorgregio term: the SCP file has no regio column",)),
        *fit.notes,
    )
    return ScpComparison(method, table, _summary(table), chosen, notes)


def _table(frame: pd.DataFrame, expected: np.ndarray, imputed: np.ndarray) -> pd.DataFrame:
    out = frame[["wijkcode", "wijknaam", "gemeentecode", "gemnaam_2017", "suppressed"]].copy()
    out["imputed"] = imputed
    out["observed"] = frame["perc_jhzv"]
    out["scp_expected"] = frame["perc_przv"]
    out["expected"] = expected
    out["difference"] = out["expected"] - out["scp_expected"]
    out["residual"] = out["observed"] - out["expected"]
    out["scp_residual"] = frame["residu"]
    return out[list(TABLE_COLUMNS)]


def _summary(table: pd.DataFrame) -> dict[str, float]:
    obs = table[~table["suppressed"]]
    sup = table[table["suppressed"]]
    out: dict[str, float] = {
        "n_wijken": len(table),
        "n_observed": len(obs),
        "n_suppressed": len(sup),
    }
    for suffix, part in (("", table), ("_suppressed", sup)):
        ours, scp = part["expected"].to_numpy(), part["scp_expected"].to_numpy()
        out[f"pearson_scp{suffix}"] = float(np.corrcoef(ours, scp)[0, 1])
        out[f"spearman_scp{suffix}"] = float(stats.spearmanr(ours, scp).statistic)
        out[f"mad_scp{suffix}"] = float(np.mean(np.abs(ours - scp)))
    y = obs["observed"].to_numpy()
    ours, scp = obs["expected"].to_numpy(), obs["scp_expected"].to_numpy()
    total = float(np.sum((y - y.mean()) ** 2))
    out["pearson_observed"] = float(np.corrcoef(ours, y)[0, 1])
    out["mad_observed"] = float(np.mean(np.abs(y - ours)))
    out["r2_ours"] = 1.0 - float(np.sum((y - ours) ** 2)) / total
    out["r2_scp"] = 1.0 - float(np.sum((y - scp) ** 2)) / total
    out["residual_sd_ours"] = float(np.std(y - ours, ddof=1))
    out["residual_sd_scp"] = float(np.std(obs["scp_residual"].to_numpy(), ddof=1))
    return out


def explain_scp_expected(path: Path | str) -> dict[str, float]:
    """How much of SCP's ``perc_przv`` the determinants explain, with and without gemeente.

    Least squares of ``perc_przv`` on all determinants over the wijken with no
    determinant missing, first alone, then with one dummy per gemeente (which
    absorbs gemeente-level determinants and any gemeente or regio effect).
    If ``perc_przv`` were the fixed part only, the first fit would be nearly
    exact; that the second is nearly exact shows SCP's expected value contains
    a gemeente-level effect.

    Returns
    -------
    dict
        ``n_complete``, ``r2_determinants``, ``r2_with_gemeente``,
        ``between_gemeente_share`` (of the first fit's residual variance),
        ``residual_sd_with_gemeente`` (pp).
    """
    frame = read_scp_wijkdata(path)
    columns = list(SCP_DETERMINANTS)
    complete = frame.dropna(subset=columns)
    y = complete["perc_przv"].to_numpy(float)
    X = np.column_stack([np.ones(len(complete)), complete[columns].to_numpy(float)])
    resid = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    dummies = pd.get_dummies(complete["gemeentecode"], dtype=float).to_numpy()
    X_g = np.hstack([complete[columns].to_numpy(float), dummies])
    resid_g = y - X_g @ np.linalg.lstsq(X_g, y, rcond=None)[0]
    between = pd.Series(resid).groupby(complete["gemeentecode"].to_numpy()).transform("mean")
    return {
        "n_complete": len(complete),
        "r2_determinants": float(1.0 - resid.var() / y.var()),
        "r2_with_gemeente": float(1.0 - resid_g.var() / y.var()),
        "between_gemeente_share": float(between.var() / resid.var()),
        "residual_sd_with_gemeente": float(resid_g.std()),
    }
