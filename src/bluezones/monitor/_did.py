"""Numpy kernels of the pilot evaluation: two-way demeaning, ATT, RI and wild bootstrap.

These exist beside pyfixest for two reasons: the randomisation inference and the
wild-cluster bootstrap re-estimate the model hundreds of times, which one projection
matrix does in milliseconds; and they give an independent implementation to check
pyfixest's numbers against (``tests/monitor/test_evaluate.py``).

Notation: ``N`` unit-years, units ``g = 1..G``, years ``t``; ``X`` the dummies of
unit and year fixed effects; ``M = I - X (X'X)^+ X'`` the annihilator (two-way
demeaning, exact also for unbalanced panels).

- TWFE: ``beta = (M d)'y / (M d)'d`` (Frisch-Waugh-Lovell).
- CRV1: ``V = G/(G-1) (N-1)/(N-K) sum_g (d~_g' e_g)^2 / (d~'d~)^2`` with ``K = T + 1``
  (year effects, intercept, coefficient): fixest's and pyfixest's default small-sample
  correction, which does not count unit effects nested in the clusters.
- Imputation ATT (Borusyak, Jaravel & Spiess 2024; Gardner 2021's two-stage DiD has
  the same point estimate): fit unit and year effects on untreated unit-years only
  (never-treated and not-yet-treated), impute ``y(0)`` for treated ones, and average
  ``y - y(0)`` over treated unit-years.
- Wild-cluster restricted bootstrap of the TWFE t statistic (Cameron, Gelbach &
  Miller 2008; MacKinnon & Webb 2017): residuals under ``beta = 0`` flipped per
  cluster with Webb's six-point weights.
- Randomisation inference (Fisher; MacKinnon & Webb 2020, "Randomization inference
  for difference-in-differences with few treated clusters"): permute the start years
  over units and recompute the statistic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "Design",
    "Permutations",
    "imputation_att",
    "permutation_pvalue",
    "permutations",
    "twfe",
    "wild_bootstrap_pvalue",
]

NEVER = 0  # cohort value of a never-treated unit
# The randomisation-inference interval is searched on this many points within this many
# standard deviations of the permutation distribution around the estimate.
GRID_POINTS = 4001
GRID_SPAN = 12.0
# Webb (2014) six-point weights: +-sqrt(1/2), +-1, +-sqrt(3/2), equal probability.
WEBB_WEIGHTS = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


@dataclass(frozen=True)
class Design:
    """The fixed-effect design of a unit-year panel, built once per panel."""

    unit: np.ndarray  # unit index 0..G-1 per row
    year: np.ndarray  # calendar year per row
    fe: np.ndarray  # N x K dummies of unit and year effects (one year left out)
    annihilator: np.ndarray  # N x N, M = I - X X^+

    @classmethod
    def build(cls, unit: np.ndarray, year: np.ndarray) -> Design:
        years = np.unique(year)
        n_units = int(unit.max()) + 1
        fe = np.zeros((len(unit), n_units + len(years) - 1))
        fe[np.arange(len(unit)), unit] = 1.0
        for j, y in enumerate(years[1:]):
            fe[year == y, n_units + j] = 1.0
        annihilator = np.eye(len(unit)) - fe @ np.linalg.pinv(fe)
        return cls(unit, year, fe, annihilator)

    @property
    def n_clusters(self) -> int:
        return int(self.unit.max()) + 1

    def treated(self, cohort_of_unit: np.ndarray) -> np.ndarray:
        """0/1 treatment per row: the unit's cohort has started by that year."""
        cohort = cohort_of_unit[self.unit]
        return ((cohort != NEVER) & (self.year >= cohort)).astype(float)


def _crv1(design: Design, d_tilde: np.ndarray, resid: np.ndarray) -> np.ndarray:
    """CRV1 standard errors; arrays may carry a leading batch axis."""
    g = design.n_clusters
    # Unit effects are nested in the clusters and not counted (fixest's k_fixef="nonnested"):
    # k = year effects (T - 1) + the absorbed intercept + the coefficient.
    n, k = len(design.unit), design.fe.shape[1] - g + 2
    scores = np.zeros((*resid.shape[:-1], g))
    np.add.at(scores.T, design.unit, (d_tilde * resid).T)
    dd = float(d_tilde @ d_tilde)
    factor = g / (g - 1) * (n - 1) / (n - k)
    return np.sqrt(factor * (scores**2).sum(axis=-1)) / dd


def twfe(design: Design, y: np.ndarray, d: np.ndarray) -> tuple[float, float]:
    """TWFE coefficient of ``d`` and its CRV1 standard error."""
    d_tilde = design.annihilator @ d
    y_tilde = design.annihilator @ y
    dd = float(d_tilde @ d_tilde)
    beta = float(d_tilde @ y_tilde) / dd
    se = float(_crv1(design, d_tilde, y_tilde - beta * d_tilde))
    return beta, se


def imputation_att(design: Design, y: np.ndarray, d: np.ndarray) -> float:
    """Average of ``y - y(0)`` over treated rows, ``y(0)`` from untreated rows' FE fit."""
    untreated = d == 0
    coef, *_ = np.linalg.lstsq(design.fe[untreated], y[untreated], rcond=None)
    treated = ~untreated
    return float(np.mean(y[treated] - design.fe[treated] @ coef))


@dataclass(frozen=True)
class Permutations:
    """Randomisation-inference draws of a statistic that is linear in the outcome.

    Both statistics are linear in ``y``, so for the outcome with a constant effect
    ``delta`` taken out of the treated rows, ``y - delta d``, a permuted assignment
    gives ``T*(delta) = a* - delta b*`` with ``a*`` the statistic of ``y`` and ``b*``
    that of the observed ``d`` under the permuted assignment; the observed statistic
    is ``a - delta`` (``b = 1``). This gives the p-value of any ``delta`` without
    refitting, and the interval of all ``delta`` not rejected (test inversion; valid
    under a constant effect, Imbens & Rubin 2015, ch. 5).
    """

    observed: float
    a: np.ndarray
    b: np.ndarray

    def pvalue(self, delta: float | np.ndarray = 0.0) -> np.ndarray:
        """``(1 + #{|a* - delta b*| >= |a - delta|}) / (1 + draws)`` per ``delta``."""
        delta = np.atleast_1d(np.asarray(delta, dtype=float))
        stat = np.abs(self.observed - delta)[:, None]
        star = np.abs(self.a[None, :] - delta[:, None] * self.b[None, :])
        return (1 + np.sum(star >= stat - 1e-12, axis=1)) / (1 + len(self.a))

    def interval(self, level: float = 0.95, points: int = GRID_POINTS) -> tuple[float, float]:
        """The range of ``delta`` with p-value above ``1 - level`` (on a fine grid)."""
        span = GRID_SPAN * max(float(np.std(self.a)), 1e-12)
        grid = np.linspace(self.observed - span, self.observed + span, points)
        kept = grid[self.pvalue(grid) > 1 - level]
        if kept.size == 0:
            return self.observed, self.observed
        lower = -np.inf if kept[0] == grid[0] else float(kept[0])
        upper = np.inf if kept[-1] == grid[-1] else float(kept[-1])
        return lower, upper


def _pair(
    design: Design, y: np.ndarray, d_obs: np.ndarray, d: np.ndarray, statistic: str
) -> tuple[float, float]:
    """The statistic under assignment ``d`` of ``y`` and of ``d_obs``."""
    if statistic == "twfe":
        d_tilde = design.annihilator @ d
        dd = float(d_tilde @ d_tilde)
        return float(d_tilde @ y) / dd, float(d_tilde @ d_obs) / dd
    untreated = d == 0
    both = np.column_stack([y, d_obs])
    coef, *_ = np.linalg.lstsq(design.fe[untreated], both[untreated], rcond=None)
    gaps = both[~untreated] - design.fe[~untreated] @ coef
    a, b = gaps.mean(axis=0)
    return float(a), float(b)


def permutations(
    design: Design,
    y: np.ndarray,
    cohort_of_unit: np.ndarray,
    statistic: str,
    draws: int,
    rng: np.random.Generator,
) -> Permutations:
    """Randomisation inference: start years permuted over units, ``draws`` times.

    ``statistic`` is ``"twfe"`` or ``"att"`` (imputation).
    """
    d_obs = design.treated(cohort_of_unit)
    observed, _ = _pair(design, y, d_obs, d_obs, statistic)
    a, b = np.empty(draws), np.empty(draws)
    for k in range(draws):
        d = design.treated(rng.permutation(cohort_of_unit))
        a[k], b[k] = _pair(design, y, d_obs, d, statistic)
    return Permutations(observed, a, b)


def permutation_pvalue(
    design: Design,
    y: np.ndarray,
    cohort_of_unit: np.ndarray,
    statistic: str,
    draws: int,
    rng: np.random.Generator,
) -> tuple[float, np.ndarray]:
    """Two-sided RI p-value of "no effect" and the draws ``T*`` (see :func:`permutations`)."""
    perms = permutations(design, y, cohort_of_unit, statistic, draws, rng)
    return float(perms.pvalue(0.0)[0]), perms.a


def wild_bootstrap_pvalue(
    design: Design, y: np.ndarray, d: np.ndarray, draws: int, rng: np.random.Generator
) -> float:
    """Two-sided WCR bootstrap p-value of the TWFE t statistic for ``beta = 0``."""
    d_tilde = design.annihilator @ d
    dd = float(d_tilde @ d_tilde)
    beta, se = twfe(design, y, d)
    t_obs = beta / se
    restricted = design.annihilator @ y  # residuals of the FE-only model
    weights = rng.choice(WEBB_WEIGHTS, size=(draws, design.n_clusters))
    flipped = restricted[None, :] * weights[:, design.unit]  # B x N
    y_star = flipped @ design.annihilator  # M symmetric: rows are M (w * e)
    beta_star = y_star @ d_tilde / dd
    resid = y_star - beta_star[:, None] * d_tilde[None, :]
    t_star = beta_star / _crv1(design, d_tilde, resid)
    return float((1 + np.sum(np.abs(t_star) >= abs(t_obs))) / (1 + draws))
