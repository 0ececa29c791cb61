"""Funnel plots: control limits around a target, z-scores and overdispersion.

An area's indicator (a proportion, a standardised ratio O/E, or a rate) is
compared with a target ``theta0`` by control limits that narrow as the area's
precision grows (Spiegelhalter 2005). Areas outside the limits use notably less
or more youth care than expected.

Three data types
----------------
* ``proportion``: ``x`` events among ``n`` young people, target ``p0`` (default: the
  pooled proportion ``sum x / sum n``).
* ``ratio``: an indirectly standardised ratio ``O / E``, target 1.
* ``rate``: ``O`` events per person-time ``T``, target ``r0`` (default: pooled
  ``sum O / sum T``). A rate is handled as the ratio ``O / E`` with ``E = r0 T`` and
  reported back on the rate scale.

Scales
------
Limits are ``g^-1(g(theta0) +/- z_q sigma)`` on a scale ``g`` with standard error ``s``
under the null (``q = 1 - (1 - level) / 2``, ``z_q = norm.ppf(q)``):

==========  ===========  ====================  ==========================  =========
data        scale        g(y)                  s                           source
==========  ===========  ====================  ==========================  =========
proportion  normal       p                     sqrt(p0 (1 - p0) / n)       S05
proportion  arcsine      asin(sqrt(p))         1 / (2 sqrt(n))             FunnelPlotR "PR"
ratio/rate  normal       O/E                   sqrt(theta0 / E)            S05
ratio/rate  log          log(O/E)              1 / sqrt(theta0 E)          FunnelPlotR SHMI
ratio/rate  sqrt         sqrt(O/E)             1 / (2 sqrt(E))             FunnelPlotR/CQC
==========  ===========  ====================  ==========================  =========

Back-transformation is clamped to the domain (proportions to [0, 1], ratios to
``>= 0``; ``sin^2`` and ``y^2`` are only inverted on the monotone branch), which is
also how FunnelPlotR >= 0.4 repairs non-monotone arcsine limits. Note: FunnelPlotR
0.6.0 draws the CQC limits as ``1 +/- z sigma`` *without* squaring them back to the
ratio scale (open issue nhs-r-community/FunnelPlotR#33); its earlier releases squared
them, and we square them, so the limits and the plotted O/E share a scale.

Exact scales (no normal approximation):

* ``exact`` (proportion): Spiegelhalter 2005, Appendix A.1.1. With ``r_p`` the
  ``p``-quantile of Binomial(n, p0) (smallest ``r`` with ``F(r) >= p``) and
  ``alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1))`` the limit is ``(r_p - alpha) / n``:
  the point where the CDF, linearly interpolated between integers, reaches ``p``.
  Needs whole-number ``n``.
* ``exact`` (ratio/rate): the same interpolation for Poisson(theta0 E), limit
  ``(r_p - alpha) / E``.
* ``chisq`` (ratio/rate): the smooth chi-square limits FunnelPlotR draws as its
  "unadjusted" Poisson limits, ``chi2.ppf(1 - q, 2 mu) / (2 E)`` and
  ``chi2.ppf(q, 2 mu + 2) / (2 E)`` with ``mu = theta0 E`` (FunnelPlotR
  ``calculate_limits``; identical to it for theta0 = 1).

On exact scales the z-scores (and the overdispersion diagnostics) are those of the
``normal`` scale; overdispersion adjustment needs a normal-type scale.

Overdispersion (Spiegelhalter 2005 section 5; Spiegelhalter et al. 2012; FunnelPlotR)
--------------------------------------------------------------------------------------
1. ``z_i = (g(y_i) - g(theta0)) / s_i`` on the chosen scale.
2. Trim the z-scores, ``trim_fraction`` (default ``WINSOR = 0.10``) in each tail:

   * ``winsorise`` (CQC / Spiegelhalter): clamp z at its 10th and 90th percentiles
     (R ``quantile`` type 7, linear interpolation); all ``I`` areas are used.
   * ``truncate`` (NHS Digital SHMI): rank z (ties averaged), ``k = 1 / trim_fraction``,
     ``sp = floor(rank k / (I + 1))``; areas with ``sp == 0`` or ``sp >= k - 1`` are
     dropped, leaving ``I'`` areas.

3. ``phi = mean(z_trimmed^2)`` over the ``I'`` areas used.
4. ``multiplicative``: ``sigma = sqrt(phi) s``, but only when ``phi > 1`` (limits are
   only ever widened: under-dispersion is not evidence for narrower limits).
5. ``additive`` (DerSimonian & Laird 1986, Spiegelhalter et al. 2012), with
   ``w = 1 / s^2`` over the areas used::

       tau2 = max(0, (I' phi - (I' - 1)) / (sum w - sum w^2 / sum w))

   and ``sigma = sqrt(s^2 + tau2)``. As in FunnelPlotR >= 0.4.2, ``tau2 = 0`` when
   ``phi <= 1`` (no overdispersion detected).

Trimming biases ``phi`` down under the null: for standard normal z the expectation
of the 10%-winsorised ``z^2`` is 0.679, and of the 10%-truncated ``z^2`` 0.438.
That is the published method (it makes phi robust to true outliers); it means
``phi <= 1`` is the usual outcome for well-dispersed data, and that moderate
overdispersion is partly missed. Use ``trim_fraction=0`` for the plain estimate.

References
----------
Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance.
    Statistics in Medicine 24:1185-1202 (S05).
Spiegelhalter DJ, Sherlaw-Johnson C, Bardsley M, et al. (2012). Statistical methods
    for healthcare regulation: rating, screening and surveillance. JRSS A 175:1-47.
DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Control Clin Trials
    7:177-188.
Mainey C. FunnelPlotR (R package, CRAN 0.6.0): ``transformed_zscore``, ``winsorisation``,
    ``truncation``, ``phi_func``, ``tau_func``, ``calculate_limits``.
Care Quality Commission (2013). Intelligent Monitoring: statistical methodology
    (square-root transformed z-scores, winsorised at 10%).
NHS Digital. SHMI methodology (log-transformed z-scores, 10% truncation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import pandas as pd
from scipy import special, stats

from bluezones.detect.intervals import (
    _as_array,
    _bad_choice,
    _counts,
    _positive,
    _where,
)
from bluezones.errors import DataError, DetectError

__all__ = [
    "CONTROL_LIMITS",
    "WINSOR",
    "Dispersion",
    "FunnelResult",
    "funnel_cqc",
    "funnel_curves",
    "funnel_proportion",
    "funnel_rate",
    "funnel_ratio",
    "funnel_shmi",
]

#: Two-sided control limits drawn by default: "2 sigma" and "3 sigma" (S05).
CONTROL_LIMITS = (0.95, 0.998)
#: Share of z-scores winsorised (or truncated) in each tail before estimating phi.
WINSOR = 0.10
#: Points on the precision grid of :func:`funnel_curves`.
CURVE_POINTS = 200

Kind = Literal["proportion", "ratio", "rate"]
Scale = Literal["exact", "chisq", "normal", "log", "sqrt", "arcsine"]
Overdispersion = Literal["none", "multiplicative", "additive"]
Trim = Literal["winsorise", "truncate"]

_OVERDISPERSION = ("none", "multiplicative", "additive")
_TRIMS = ("winsorise", "truncate")
_DENOMINATOR = {"proportion": "n", "ratio": "expected", "rate": "person_time"}


# --------------------------------------------------------------------------- scales


@dataclass(frozen=True)
class _Transform:
    """A variance-stabilising scale: ``g``, its clamped inverse and the null s.e."""

    forward: Callable[[np.ndarray], np.ndarray]
    inverse: Callable[[np.ndarray], np.ndarray]
    se: Callable[[np.ndarray, float], np.ndarray]  # (precision, theta0) -> s


def _identity(y: np.ndarray) -> np.ndarray:
    return y


# Keyed by (family, scale); "binomial" serves proportions, "poisson" ratios and rates.
_TRANSFORMS: dict[tuple[str, str], _Transform] = {
    ("binomial", "normal"): _Transform(
        forward=_identity,
        inverse=lambda y: np.clip(y, 0.0, 1.0),
        se=lambda n, p0: np.sqrt(p0 * (1 - p0) / n),
    ),
    ("binomial", "arcsine"): _Transform(
        forward=lambda p: np.arcsin(np.sqrt(p)),
        inverse=lambda y: np.sin(np.clip(y, 0.0, np.pi / 2)) ** 2,
        se=lambda n, p0: 1 / (2 * np.sqrt(n)),
    ),
    ("poisson", "normal"): _Transform(
        forward=_identity,
        inverse=lambda y: np.maximum(y, 0.0),
        se=lambda e, t0: np.sqrt(t0 / e),
    ),
    ("poisson", "log"): _Transform(
        forward=lambda r: _log(r),
        inverse=np.exp,
        se=lambda e, t0: 1 / np.sqrt(t0 * e),
    ),
    ("poisson", "sqrt"): _Transform(
        forward=np.sqrt,
        inverse=lambda y: np.maximum(y, 0.0) ** 2,
        se=lambda e, t0: 1 / (2 * np.sqrt(e)),
    ),
}
_EXACT_SCALES = {"binomial": ("exact",), "poisson": ("exact", "chisq")}


def _log(r: np.ndarray) -> np.ndarray:
    """log with log(0) = -inf and no warning (an O = 0 area has z = -inf on this scale)."""
    with np.errstate(divide="ignore"):
        return np.log(r)


def _scales(family: str) -> tuple[str, ...]:
    return _EXACT_SCALES[family] + tuple(s for f, s in _TRANSFORMS if f == family)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Dispersion:
    """Fitted overdispersion of a funnel.

    Attributes
    ----------
    model
        ``"none"``, ``"multiplicative"`` or ``"additive"``: which one widened the limits.
    phi
        Dispersion ratio ``mean(z_trimmed^2)``; ``None`` when it cannot be estimated
        (log scale with zero counts left after trimming).
    tau2
        DerSimonian-Laird between-area variance on the chosen scale (0 when
        ``phi <= 1``). Reported for every model; only ``"additive"`` applies it.
    trim, trim_fraction
        How z-scores were trimmed before estimating ``phi``.
    n_used
        Number of areas whose z-scores entered ``phi`` (all for winsorising).
    """

    model: Overdispersion
    phi: float | None
    tau2: float
    trim: Trim
    trim_fraction: float
    n_used: int

    @property
    def adjusted(self) -> bool:
        """Whether the limits were widened for overdispersion."""
        return self.model != "none" and self.phi is not None and self.phi > 1


@dataclass(frozen=True, eq=False)
class FunnelResult:
    """A funnel: one row per area plus how the limits were made.

    ``table`` columns: ``observed``, the denominator (``n``, ``expected`` or
    ``person_time``; rates also carry ``expected = target * person_time``),
    ``indicator``, ``z`` (unadjusted, on the test scale), ``z_adjusted`` (against the
    overdispersion-adjusted sigma; equals ``z`` when nothing was adjusted),
    ``trimmed`` (winsorised or truncated when estimating phi), and per level ``L``
    (labelled ``f"{100 L:g}"``, e.g. ``95`` and ``99.8``): ``lower_L``, ``upper_L``,
    ``low_L`` (indicator < lower) and ``high_L`` (indicator > upper).
    """

    table: pd.DataFrame
    kind: Kind
    scale: Scale
    target: float
    levels: tuple[float, ...]
    dispersion: Dispersion

    def flagged(self, level: float | None = None) -> pd.DataFrame:
        """Rows outside the limits of ``level`` (default: the widest level)."""
        tag = _tag(max(self.levels) if level is None else level)
        t = self.table
        return t[t[f"low_{tag}"] | t[f"high_{tag}"]]


# --------------------------------------------------------------------------- public API


def funnel_proportion(
    events: Any,
    n: Any,
    *,
    target: float | None = None,
    scale: Literal["exact", "normal", "arcsine"] | None = None,
    levels: Sequence[float] = CONTROL_LIMITS,
    overdispersion: Overdispersion = "none",
    trim: Trim = "winsorise",
    trim_fraction: float = WINSOR,
    labels: Any = None,
) -> FunnelResult:
    """Funnel limits for proportions ``x / n`` against a target ``p0``.

    Parameters
    ----------
    events, n
        Young people using care and young people at risk, one value per area. A
        pandas Series lends its index as area labels.
    target
        ``p0``; default the pooled proportion ``sum(events) / sum(n)``.
    scale
        ``"exact"`` (interpolated binomial quantiles, S05 Appendix A.1.1),
        ``"normal"`` (``p0 +/- z sqrt(p0 (1 - p0) / n)``) or ``"arcsine"``
        (FunnelPlotR "PR"). Default: ``"exact"`` without overdispersion adjustment,
        ``"normal"`` with it.
    levels
        Two-sided levels of the control limits (default 95% and 99.8%).
    overdispersion, trim, trim_fraction
        See the module docstring.
    labels
        Area labels (default: the Series index, or 0..I-1).

    Examples
    --------
    >>> res = funnel_proportion([10, 30], [100, 100], target=0.1, scale="normal")
    >>> res.table[["indicator", "lower_95", "upper_95", "high_95"]].round(4)
       indicator  lower_95  upper_95  high_95
    0        0.1    0.0412    0.1588    False
    1        0.3    0.0412    0.1588     True
    """
    x, index = _counts(events, "events", labels, n)
    size = _positive(n, "n", index)
    bad = np.flatnonzero(x > size)
    if bad.size:
        i = int(bad[0])
        raise DataError(
            "events exceed n for a proportion",
            hint="a proportion needs events <= n; use funnel_ratio for O/E",
            **_where(index, i),
        )
    p0 = float(x.sum() / size.sum()) if target is None else float(target)
    if not 0 < p0 < 1:
        raise DetectError(
            f"the target proportion must lie strictly between 0 and 1, got {p0!r}",
            hint="with no events at all (or only events) there is nothing to compare",
        )
    chosen = _resolve_scale(scale, "binomial", overdispersion)
    if chosen == "exact":
        frac = np.flatnonzero(size != np.round(size))
        if frac.size:
            raise DataError(
                "exact binomial limits need whole-number denominators",
                hint="round n, or use scale='normal'",
                **_where(index, int(frac[0])),
            )
    table, dispersion = _funnel(
        x, size, x / size, p0, "binomial", chosen, levels, overdispersion, trim, trim_fraction
    )
    table.insert(1, "n", size)
    table.index = index
    return FunnelResult(table, "proportion", chosen, p0, _levels(levels), dispersion)


def funnel_ratio(
    observed: Any,
    expected: Any,
    *,
    target: float = 1.0,
    scale: Literal["exact", "chisq", "normal", "log", "sqrt"] | None = None,
    levels: Sequence[float] = CONTROL_LIMITS,
    overdispersion: Overdispersion = "none",
    trim: Trim = "winsorise",
    trim_fraction: float = WINSOR,
    labels: Any = None,
) -> FunnelResult:
    """Funnel limits for indirectly standardised ratios ``O / E`` against ``target``.

    ``O`` is treated as Poisson with mean ``target * E`` under the null. Scales:
    ``"exact"`` (interpolated Poisson quantiles), ``"chisq"`` (FunnelPlotR's smooth
    unadjusted limits), ``"normal"``, ``"log"`` (SHMI) or ``"sqrt"`` (CQC). Default:
    ``"exact"`` without overdispersion adjustment, ``"sqrt"`` with it. See the
    module docstring for formulas; :func:`funnel_shmi` and :func:`funnel_cqc` are
    the two FunnelPlotR variants ready-made.

    Examples
    --------
    >>> res = funnel_ratio([4, 60], [10.0, 40.0], scale="chisq", levels=[0.95])
    >>> res.table[["indicator", "lower_95", "upper_95", "low_95", "high_95"]].round(4)
       indicator  lower_95  upper_95  low_95  high_95
    0        0.4    0.4795    1.8390    True    False
    1        1.5    0.7144    1.3617   False     True
    """
    o, index = _counts(observed, "observed", labels, expected)
    e = _positive(expected, "expected", index)
    theta0 = _positive_target(target)
    chosen = _resolve_scale(scale, "poisson", overdispersion)
    table, dispersion = _funnel(
        o, e, o / e, theta0, "poisson", chosen, levels, overdispersion, trim, trim_fraction
    )
    table.insert(1, "expected", e)
    table.index = index
    return FunnelResult(table, "ratio", chosen, theta0, _levels(levels), dispersion)


def funnel_rate(
    events: Any,
    person_time: Any,
    *,
    target: float | None = None,
    scale: Literal["exact", "chisq", "normal", "log", "sqrt"] | None = None,
    levels: Sequence[float] = CONTROL_LIMITS,
    overdispersion: Overdispersion = "none",
    trim: Trim = "winsorise",
    trim_fraction: float = WINSOR,
    labels: Any = None,
) -> FunnelResult:
    """Funnel limits for rates ``O / T`` (events per person-time) against ``r0``.

    Computed as the ratio ``O / E`` with ``E = r0 T`` (Poisson, target 1) and reported
    on the rate scale: ``indicator = O / T`` and limits multiplied by ``r0``. ``r0``
    defaults to the pooled rate ``sum O / sum T``. Scales as in :func:`funnel_ratio`.

    Examples
    --------
    >>> res = funnel_rate([5, 50], [1000.0, 2000.0], target=0.02, scale="normal")
    >>> res.table[["indicator", "lower_95", "upper_95", "low_95"]].round(4)
       indicator  lower_95  upper_95  low_95
    0      0.005    0.0112    0.0288    True
    1      0.025    0.0138    0.0262   False
    """
    o, index = _counts(events, "events", labels, person_time)
    t = _positive(person_time, "person_time", index)
    r0 = float(o.sum() / t.sum()) if target is None else _positive_target(target)
    if r0 <= 0:
        raise DetectError(
            "the pooled rate is 0 (no events in any area)",
            hint="pass target= explicitly, or check the events column",
        )
    e = r0 * t
    chosen = _resolve_scale(scale, "poisson", overdispersion)
    table, dispersion = _funnel(
        o, e, o / e, 1.0, "poisson", chosen, levels, overdispersion, trim, trim_fraction
    )
    limit_cols = [c for c in table.columns if c.startswith(("lower_", "upper_"))]
    table[["indicator", *limit_cols]] *= r0
    table.insert(1, "person_time", t)
    table.insert(2, "expected", e)
    table.index = index
    return FunnelResult(table, "rate", chosen, r0, _levels(levels), dispersion)


def funnel_shmi(
    observed: Any,
    expected: Any,
    *,
    levels: Sequence[float] = CONTROL_LIMITS,
    overdispersion: Overdispersion = "additive",
    trim_fraction: float = WINSOR,
    labels: Any = None,
) -> FunnelResult:
    """FunnelPlotR's SHMI variant: log scale, ``s = 1 / sqrt(E)``, 10% truncation.

    ``z = sqrt(E) log(O / E)``; limits ``exp(+/- z_q sqrt(1/E + tau2))``. An area with
    ``O = 0`` has ``z = -inf`` and is only usable for phi if truncation drops it.
    (FunnelPlotR also rounds E to 2 decimals by default, ``SHMI_rounding``; we do not.)
    """
    return funnel_ratio(
        observed,
        expected,
        scale="log",
        levels=levels,
        overdispersion=overdispersion,
        trim="truncate",
        trim_fraction=trim_fraction,
        labels=labels,
    )


def funnel_cqc(
    observed: Any,
    expected: Any,
    *,
    levels: Sequence[float] = CONTROL_LIMITS,
    overdispersion: Overdispersion = "additive",
    trim_fraction: float = WINSOR,
    labels: Any = None,
) -> FunnelResult:
    """FunnelPlotR's CQC variant: square-root scale, ``s = 1 / (2 sqrt(E))``, winsorised.

    ``z = 2 (sqrt(O) - sqrt(E))``; limits ``(1 +/- z_q sqrt(1/(4E) + tau2))^2``
    (back-transformed; see the module note on FunnelPlotR issue #33).
    """
    return funnel_ratio(
        observed,
        expected,
        scale="sqrt",
        levels=levels,
        overdispersion=overdispersion,
        trim="winsorise",
        trim_fraction=trim_fraction,
        labels=labels,
    )


def funnel_curves(
    result: FunnelResult,
    precision: Iterable[float] | None = None,
    n_points: int = CURVE_POINTS,
) -> pd.DataFrame:
    """Smooth control-limit curves for plotting a fitted funnel.

    Parameters
    ----------
    result
        A fitted funnel; its target, scale, levels and dispersion are reused.
    precision
        Denominators to evaluate (n, E or person-time). Default: ``n_points`` points
        spaced evenly on a log scale between the smallest and largest denominator
        in ``result`` (whole numbers for exact binomial limits).

    Returns
    -------
    DataFrame with the precision column (named as in ``result.table``), ``target``,
    and ``lower_L`` / ``upper_L`` per level.
    """
    column = _DENOMINATOR[result.kind]
    if precision is None:
        lo, hi = result.table[column].min(), result.table[column].max()
        grid = np.geomspace(lo, hi, n_points) if hi > lo else np.array([lo])
    else:
        values = list(precision)
        grid = np.sort(_as_array(values, column, pd.RangeIndex(len(values))))
        if (grid <= 0).any():
            raise DataError(f"{column} values of the curve grid must be greater than zero")
    if result.kind == "proportion" and result.scale == "exact":
        grid = np.unique(np.maximum(np.round(grid), 1.0))
    family = "binomial" if result.kind == "proportion" else "poisson"
    if result.kind == "rate":
        theta0, scale_back, prec = 1.0, result.target, result.target * grid
    else:
        theta0, scale_back, prec = result.target, 1.0, grid
    out = pd.DataFrame({column: grid, "target": result.target})
    sigma = _inflation(result.dispersion)
    for level in result.levels:
        lower, upper = _limits(family, result.scale, theta0, prec, level, sigma)
        out[f"lower_{_tag(level)}"] = lower * scale_back
        out[f"upper_{_tag(level)}"] = upper * scale_back
    return out


# --------------------------------------------------------------------------- kernel


def _funnel(
    observed: np.ndarray,
    precision: np.ndarray,
    y: np.ndarray,
    theta0: float,
    family: str,
    scale: str,
    levels: Sequence[float],
    overdispersion: str,
    trim: str,
    trim_fraction: float,
) -> tuple[pd.DataFrame, Dispersion]:
    """Limits, z-scores and flags for clean inputs (validated by the public wrappers)."""
    lv = _levels(levels)
    if overdispersion not in _OVERDISPERSION:
        raise _bad_choice("overdispersion", overdispersion, _OVERDISPERSION)
    if trim not in _TRIMS:
        raise _bad_choice("trim", trim, _TRIMS)
    if not (isinstance(trim_fraction, int | float) and 0 <= trim_fraction < 0.5):
        raise DetectError(
            f"trim_fraction must lie in [0, 0.5), got {trim_fraction!r}",
            hint="0.10 trims 10% in each tail; 0 trims nothing",
        )
    test_scale = scale if (family, scale) in _TRANSFORMS else "normal"
    tr = _TRANSFORMS[(family, test_scale)]
    s = tr.se(precision, theta0)
    distance = tr.forward(y) - tr.forward(np.asarray(theta0))
    z = distance / s
    dispersion, trimmed = _dispersion(
        z, s, cast(Overdispersion, overdispersion), cast(Trim, trim), float(trim_fraction)
    )
    sigma = _inflation(dispersion)
    table = pd.DataFrame({"observed": observed, "indicator": y})
    table["z"] = z
    table["z_adjusted"] = distance / sigma(s)
    table["trimmed"] = trimmed
    for level in lv:
        lower, upper = _limits(family, scale, theta0, precision, level, sigma)
        tag = _tag(level)
        table[f"lower_{tag}"] = lower
        table[f"upper_{tag}"] = upper
        table[f"low_{tag}"] = y < lower
        table[f"high_{tag}"] = y > upper
    return table, dispersion


def _limits(
    family: str,
    scale: str,
    theta0: float,
    precision: np.ndarray,
    level: float,
    sigma: Callable[[np.ndarray], np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided control limits at ``level`` for each precision (n or E)."""
    q = 1 - (1 - level) / 2
    if scale == "exact" and family == "binomial":
        return _binomial_limit(precision, theta0, 1 - q), _binomial_limit(precision, theta0, q)
    if scale == "exact":
        mu = theta0 * precision
        return _poisson_limit(mu, 1 - q) / precision, _poisson_limit(mu, q) / precision
    if scale == "chisq":
        mu = theta0 * precision
        lower = stats.chi2.ppf(1 - q, 2 * mu) / (2 * precision)
        upper = stats.chi2.ppf(q, 2 * mu + 2) / (2 * precision)
        return lower, upper
    tr = _TRANSFORMS[(family, scale)]
    centre = tr.forward(np.asarray(theta0))
    half = special.ndtri(q) * sigma(tr.se(precision, theta0))
    return tr.inverse(centre - half), tr.inverse(centre + half)


def _binomial_limit(n: np.ndarray, p0: float, p: float) -> np.ndarray:
    """S05 Appendix A.1.1: ``(r_p - alpha) / n`` from Binomial(n, p0), clipped to [0, 1]."""
    r = stats.binom.ppf(p, n, p0)
    alpha = (stats.binom.cdf(r, n, p0) - p) / stats.binom.pmf(r, n, p0)
    return np.clip((r - alpha) / n, 0.0, 1.0)


def _poisson_limit(mu: np.ndarray, p: float) -> np.ndarray:
    """Interpolated Poisson(mu) quantile ``r_p - alpha`` (S05 A.1.1), at least 0."""
    r = stats.poisson.ppf(p, mu)
    alpha = (stats.poisson.cdf(r, mu) - p) / stats.poisson.pmf(r, mu)
    return np.maximum(r - alpha, 0.0)


def _dispersion(
    z: np.ndarray, s: np.ndarray, model: Overdispersion, trim: Trim, fraction: float
) -> tuple[Dispersion, np.ndarray]:
    """Trim z, estimate phi and DerSimonian-Laird tau2 (see the module docstring)."""
    if trim == "winsorise":
        used_z, used_s = _winsorise(z, fraction), s
        trimmed = z != used_z
    else:
        keep = _truncation_keep(z, fraction)
        used_z, used_s, trimmed = z[keep], s[keep], ~keep
    n_used = int(used_z.size)
    usable = n_used >= 2 and bool(np.isfinite(used_z).all())
    if not usable:
        if model != "none":
            reason = (
                "too few areas left after trimming"
                if n_used < 2
                else "zero counts give z = -inf on the log scale"
            )
            raise DetectError(
                f"cannot estimate overdispersion: {reason}",
                hint="use more areas, the sqrt scale (funnel_cqc), or overdispersion='none'",
                areas=z.size,
                used=n_used,
            )
        return Dispersion(model, None, 0.0, trim, fraction, n_used), trimmed
    phi = float(np.mean(used_z**2))
    tau2 = _dl_tau2(phi, used_s) if phi > 1 else 0.0
    return Dispersion(model, phi, tau2, trim, fraction, n_used), trimmed


def _dl_tau2(phi: float, s: np.ndarray) -> float:
    """``max(0, (I phi - (I - 1)) / (sum w - sum w^2 / sum w))`` with ``w = 1 / s^2``."""
    w = 1 / s**2
    n = w.size
    return max(0.0, (n * phi - (n - 1)) / (w.sum() - (w**2).sum() / w.sum()))


def _winsorise(z: np.ndarray, fraction: float) -> np.ndarray:
    """Clamp z at its ``fraction`` and ``1 - fraction`` quantiles (R type 7)."""
    if fraction == 0:
        return z.copy()
    ordered = np.sort(z)
    return np.clip(z, _quantile7(ordered, fraction), _quantile7(ordered, 1 - fraction))


def _quantile7(ordered: np.ndarray, p: float) -> float:
    """R's default quantile (type 7) of sorted values; an infinite neighbour wins.

    numpy's ``percentile`` computes ``-inf + t * inf`` (NaN plus a warning) when a
    zero count puts ``-inf`` next to the quantile; the limit is simply ``-inf``.
    """
    h = (ordered.size - 1) * p
    f = int(np.floor(h))
    a, b = ordered[f], ordered[min(f + 1, ordered.size - 1)]
    frac = h - f
    if frac == 0 or a == b:
        return float(a)
    if not np.isfinite(a):
        return float(a)
    if not np.isfinite(b):
        return float(b)
    return float(a + frac * (b - a))


def _truncation_keep(z: np.ndarray, fraction: float) -> np.ndarray:
    """NHS Digital SHMI truncation as in FunnelPlotR ``truncation()``: areas kept."""
    if fraction == 0:
        return np.ones(z.size, dtype=bool)
    k = 1 / fraction
    rank = stats.rankdata(z, method="average")
    sp = np.floor(rank * k / (z.size + 1))
    return (sp > 0) & (sp < k - 1)


def _inflation(d: Dispersion) -> Callable[[np.ndarray], np.ndarray]:
    """sigma(s): the null s.e. widened as the dispersion model says."""
    if d.model == "multiplicative" and d.phi is not None and d.phi > 1:
        factor = float(np.sqrt(d.phi))
        return lambda s: factor * s
    if d.model == "additive" and d.tau2 > 0:
        tau2 = d.tau2
        return lambda s: np.sqrt(s**2 + tau2)
    return lambda s: s


# --------------------------------------------------------------------------- checks


def _resolve_scale(scale: str | None, family: str, overdispersion: str) -> Scale:
    if scale is None:
        if overdispersion == "none":
            return "exact"
        return "normal" if family == "binomial" else "sqrt"
    allowed = _scales(family)
    if scale not in allowed:
        raise _bad_choice("scale", scale, allowed)
    if overdispersion != "none" and (family, scale) not in _TRANSFORMS:
        raise DetectError(
            f"overdispersion adjustment needs a normal-type scale, not {scale!r}",
            hint="choose scale='sqrt' (CQC) or 'log' (SHMI) for ratios and rates, "
            "'normal' or 'arcsine' for proportions",
        )
    return cast(Scale, scale)


def _levels(levels: Sequence[float]) -> tuple[float, ...]:
    try:
        values = tuple(sorted({float(v) for v in levels}))
    except (TypeError, ValueError) as exc:
        raise DetectError(
            f"levels must be numbers, got {levels!r}", hint="e.g. levels=(0.95, 0.998)"
        ) from exc
    if not values or any(not 0 < v < 1 for v in values):
        raise DetectError(
            f"control-limit levels must lie strictly between 0 and 1, got {levels!r}",
            hint="write 95% as 0.95 and 99.8% as 0.998",
        )
    return values


def _positive_target(target: float) -> float:
    value = float(target)
    if not (np.isfinite(value) and value > 0):
        raise DetectError(
            f"target must be a positive number, got {target!r}",
            hint="standardised ratios use target=1",
        )
    return value


def _tag(level: float) -> str:
    """Column suffix of a level: 0.95 -> '95', 0.998 -> '99.8'."""
    return f"{round(100 * level, 10):g}"
