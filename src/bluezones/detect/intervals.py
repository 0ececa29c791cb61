"""Exact and score confidence intervals for counts, ratios, rates and proportions.

Every function takes one value per area (numpy arrays, lists or pandas Series;
a Series keeps its index as area labels) and returns a DataFrame with one row
per area and the columns ``estimate``, ``lower`` and ``upper``. The edge cases
``O = 0`` and ``O = n`` are exact (a bound of 0 or 1, never a rounding
residue). Missing values are refused with an error that names the area: a
suppressed cell must be dropped or imputed on purpose, not turned into a silent
NaN interval.

References
----------
Garwood F (1936). Fiducial limits for the Poisson distribution. Biometrika 28:437-442.
Breslow NE, Day NE (1987). Statistical methods in cancer research, vol. II. IARC (Byar's
    approximation, p. 69).
Wilson EB (1927). Probable inference, the law of succession, and statistical inference.
    JASA 22:209-212.
Clopper CJ, Pearson ES (1934). The use of confidence or fiducial limits illustrated in the
    case of the binomial. Biometrika 26:404-413.
Newcombe RG (1998). Two-sided confidence intervals for the single proportion: comparison
    of seven methods. Statistics in Medicine 17:857-872.
PHEindicatormethods (R, UKHSA): ``byars_lower``, ``byars_upper``, ``wilson_lower``,
    ``phe_rate`` (exact below 10 events, Byar's from 10 on).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import special, stats

from bluezones.errors import DataError, DetectError

__all__ = [
    "BYAR_MIN_COUNT",
    "DEFAULT_LEVEL",
    "poisson_interval",
    "proportion_interval",
    "rate_interval",
    "ratio_interval",
]

#: Confidence level used when none is given.
DEFAULT_LEVEL = 0.95
#: PHEindicatormethods uses the exact (chi-square) interval below this many events and
#: Byar's approximation from it on (``phe_rate``, ``phe_isr``).
BYAR_MIN_COUNT = 10

PoissonMethod = Literal["exact", "byar", "phe"]
ProportionMethod = Literal["wilson", "clopper-pearson"]
Values = Sequence[float] | np.ndarray | pd.Series


# --------------------------------------------------------------------------- public API


def poisson_interval(observed: Values, level: float = DEFAULT_LEVEL) -> pd.DataFrame:
    """Exact (Garwood) confidence interval for a Poisson count ``O``.

    With ``a = 1 - level``::

        lower = chi2.ppf(a / 2, 2 O) / 2        (0 when O = 0)
        upper = chi2.ppf(1 - a / 2, 2 O + 2) / 2

    (Garwood 1936; the chi-square form of the Poisson-gamma relation.) The
    interval is "exact": its coverage is at least ``level`` for every mean.

    Parameters
    ----------
    observed
        Counts per area, ``>= 0``.
    level
        Confidence level in (0, 1).

    Returns
    -------
    DataFrame with ``estimate`` (= O), ``lower``, ``upper``.

    Examples
    --------
    >>> poisson_interval([0, 10]).round(4)
       estimate   lower    upper
    0       0.0  0.0000   3.6889
    1      10.0  4.7954  18.3904
    """
    alpha = _check_level(level)
    o, index = _counts(observed, "observed")
    lower, upper = _garwood(o, alpha)
    return _frame(index, o, lower, upper)


def ratio_interval(
    observed: Values,
    expected: Values,
    level: float = DEFAULT_LEVEL,
    method: PoissonMethod = "exact",
) -> pd.DataFrame:
    """Confidence interval for an indirectly standardised ratio ``O / E``.

    ``E`` is treated as known (it comes from a model fitted on all areas), so the
    interval is the count interval divided by ``E``::

        [L(O) / E, U(O) / E]

    where ``L, U`` come from :func:`poisson_interval` (``method="exact"``), Byar's
    approximation (``"byar"``) or PHEindicatormethods' rule (``"phe"``: exact below
    ``BYAR_MIN_COUNT`` events, Byar's from there on); see :func:`rate_interval`.

    Examples
    --------
    >>> ratio_interval([0, 10], [5.0, 8.0]).round(4)
       estimate   lower   upper
    0      0.00  0.0000  0.7378
    1      1.25  0.5994  2.2988
    """
    alpha = _check_level(level)
    o, index = _counts(observed, "observed", other=expected)
    e = _positive(expected, "expected", index)
    lower, upper = _count_limits(o, alpha, method)
    return _frame(index, o / e, lower / e, upper / e)


def rate_interval(
    events: Values,
    person_time: Values,
    level: float = DEFAULT_LEVEL,
    method: PoissonMethod = "phe",
    multiplier: float = 1.0,
) -> pd.DataFrame:
    """Confidence interval for a rate ``multiplier * O / T`` (events per person-time).

    Byar's approximation (Breslow & Day 1987), with ``z = norm.ppf(1 - a / 2)``::

        lower = O (1 - 1/(9 O) - z / (3 sqrt(O)))^3
        upper = (O + 1) (1 - 1/(9 (O + 1)) + z / (3 sqrt(O + 1)))^3

    ``method="phe"`` (the default) follows PHEindicatormethods' ``phe_rate``: the exact
    Garwood interval for ``O < BYAR_MIN_COUNT`` and Byar's from there on.
    ``"byar"`` uses Byar's for every count (its lower bound is 0 at ``O = 0``; where
    it would turn negative, for tiny counts at high levels, an error is raised).
    ``"exact"`` uses Garwood throughout.

    Examples
    --------
    >>> rate_interval([100], [10_000], multiplier=100_000).round(4)
       estimate     lower      upper
    0    1000.0  813.6211  1216.2794
    """
    alpha = _check_level(level)
    o, index = _counts(events, "events", other=person_time)
    t = _positive(person_time, "person_time", index)
    lower, upper = _count_limits(o, alpha, method, index)
    scale = multiplier / t
    return _frame(index, o * scale, lower * scale, upper * scale)


def proportion_interval(
    events: Values,
    n: Values,
    level: float = DEFAULT_LEVEL,
    method: ProportionMethod = "wilson",
) -> pd.DataFrame:
    """Confidence interval for a proportion ``x / n``.

    Wilson score interval (Wilson 1927; PHEindicatormethods ``wilson_lower``), with
    ``z = norm.ppf(1 - a / 2)``::

        (2x + z^2 -/+ z sqrt(z^2 + 4 x (1 - x/n))) / (2 (n + z^2))

    Clopper-Pearson "exact" interval (Clopper & Pearson 1934)::

        lower = beta.ppf(a / 2, x, n - x + 1)       (0 when x = 0)
        upper = beta.ppf(1 - a / 2, x + 1, n - x)   (1 when x = n)

    Examples
    --------
    >>> proportion_interval([0, 5, 10], [10, 10, 10]).round(4)
       estimate   lower   upper
    0       0.0  0.0000  0.2775
    1       0.5  0.2366  0.7634
    2       1.0  0.7225  1.0000
    """
    alpha = _check_level(level)
    x, index = _counts(events, "events", other=n)
    size = _positive(n, "n", index)
    _check_not_above(x, size, index)
    if method == "wilson":
        lower, upper = _wilson(x, size, alpha)
    elif method == "clopper-pearson":
        lower, upper = _clopper_pearson(x, size, alpha)
    else:
        raise _bad_choice("method", method, ("wilson", "clopper-pearson"))
    return _frame(index, x / size, lower, upper)


# --------------------------------------------------------------------------- kernels


def _garwood(o: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Garwood limits for counts; ``O = 0`` gets a lower limit of exactly 0."""
    lower = np.zeros_like(o)
    pos = o > 0
    lower[pos] = stats.chi2.ppf(alpha / 2, 2 * o[pos]) / 2
    upper = stats.chi2.ppf(1 - alpha / 2, 2 * o + 2) / 2
    return lower, upper


def _byar(o: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Byar's cube-root approximation; the lower limit at ``O = 0`` is 0 by definition."""
    z = special.ndtri(1 - alpha / 2)
    lower = np.zeros_like(o)
    pos = o > 0
    op = o[pos]
    lower[pos] = op * (1 - 1 / (9 * op) - z / (3 * np.sqrt(op))) ** 3
    o1 = o + 1
    upper = o1 * (1 - 1 / (9 * o1) + z / (3 * np.sqrt(o1))) ** 3
    return lower, upper


def _count_limits(
    o: np.ndarray, alpha: float, method: str, index: pd.Index | None = None
) -> tuple[np.ndarray, np.ndarray]:
    if method == "exact":
        return _garwood(o, alpha)
    if method == "byar":
        lower, upper = _byar(o, alpha)
        bad = np.flatnonzero(lower < 0)
        if bad.size:
            i = int(bad[0])
            raise DataError(
                "Byar's approximation gives a negative lower limit for this small count",
                hint="use method='phe' (exact below 10 events) or method='exact'",
                **_where(index, i),
                observed=float(o[i]),
            )
        return lower, upper
    if method == "phe":
        lower, upper = _garwood(o, alpha)
        big = o >= BYAR_MIN_COUNT
        b_lower, b_upper = _byar(o[big], alpha)
        lower[big], upper[big] = b_lower, b_upper
        return lower, upper
    raise _bad_choice("method", method, ("exact", "byar", "phe"))


def _wilson(x: np.ndarray, n: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    z = special.ndtri(1 - alpha / 2)
    centre = 2 * x + z**2
    spread = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
    denom = 2 * (n + z**2)
    lower = np.where(x == 0, 0.0, (centre - spread) / denom)
    upper = np.where(x == n, 1.0, (centre + spread) / denom)
    return lower, upper


def _clopper_pearson(x: np.ndarray, n: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    lower = np.zeros_like(x)
    upper = np.ones_like(x)
    lo = x > 0
    hi = x < n
    lower[lo] = stats.beta.ppf(alpha / 2, x[lo], n[lo] - x[lo] + 1)
    upper[hi] = stats.beta.ppf(1 - alpha / 2, x[hi] + 1, n[hi] - x[hi])
    return lower, upper


# --------------------------------------------------------------------------- validation
# Shared with funnel.py: small check_* helpers that return clean arrays or raise.


def _labels(values: Any, n: int, labels: Any = None, other: Any = None) -> pd.Index:
    """Area labels: explicit ``labels``, else the index of a Series argument, else 0..n-1.

    Two Series arguments must carry the same index: values are paired by position,
    so differently ordered Series would silently mix areas up.
    """
    if labels is not None:
        index = pd.Index(labels)
        if len(index) != n:
            raise DataError(
                f"got {len(index)} labels for {n} areas",
                hint="pass one label per area",
            )
        return index
    series = [v for v in (values, other) if isinstance(v, pd.Series)]
    if len(series) == 2 and not series[0].index.equals(series[1].index):
        raise DataError(
            "the two Series arguments have different indexes",
            hint="align them first, e.g. expected = expected.reindex(observed.index)",
        )
    return series[0].index if series else pd.RangeIndex(n)


def _where(index: pd.Index | None, i: int) -> dict[str, Hashable]:
    """Error context that names an area by position and, if it has one, its label."""
    if index is None or isinstance(index, pd.RangeIndex):
        return {"row": i}
    return {"row": i, "area": index[i]}


def _to_float(values: Any, name: str) -> np.ndarray:
    """One value per area as a 1-D float array (a scalar counts as one area)."""
    try:
        arr = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"{name} must be numeric",
            hint=f"convert {name} to numbers; suppressed cells must be dropped first",
            column=name,
        ) from exc
    if arr.ndim != 1:
        raise DataError(f"{name} must be one-dimensional (one value per area)", column=name)
    return arr


def _as_array(values: Any, name: str, index: pd.Index) -> np.ndarray:
    """A finite 1-D float array aligned with ``index``, or a DataError naming the area."""
    arr = _to_float(values, name)
    if len(arr) != len(index):
        raise DataError(
            f"{name} has {len(arr)} values for {len(index)} areas",
            hint="pass one value per area in every argument",
            column=name,
        )
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        i = int(bad[0])
        raise DataError(
            f"{name} is missing or not finite for {bad.size} area(s)",
            hint="drop or impute suppressed/missing cells first; they are missing, not zero",
            column=name,
            **_where(index, i),
        )
    return arr


def _counts(
    values: Any, name: str, labels: Any = None, other: Any = None
) -> tuple[np.ndarray, pd.Index]:
    """Non-negative, finite counts plus the area labels (see ``_labels``)."""
    index = _labels(values, len(_to_float(values, name)), labels, other)
    out = _as_array(values, name, index)
    neg = np.flatnonzero(out < 0)
    if neg.size:
        i = int(neg[0])
        raise DataError(
            f"{name} must not be negative",
            hint="counts of young people or events cannot be below zero; check the source",
            column=name,
            value=float(out[i]),
            **_where(index, i),
        )
    return out, index


def _positive(values: Any, name: str, index: pd.Index) -> np.ndarray:
    """A strictly positive denominator (n, E or person-time)."""
    out = _as_array(values, name, index)
    bad = np.flatnonzero(out <= 0)
    if bad.size:
        i = int(bad[0])
        raise DataError(
            f"{name} must be greater than zero",
            hint="an area without young people or without an expected count cannot be "
            "compared; drop it (or merge it with a neighbour) first",
            column=name,
            value=float(out[i]),
            **_where(index, i),
        )
    return out


def _check_not_above(x: np.ndarray, n: np.ndarray, index: pd.Index) -> None:
    bad = np.flatnonzero(x > n)
    if bad.size:
        i = int(bad[0])
        raise DataError(
            "events exceed the denominator for a proportion",
            hint="a proportion needs events <= n; for a ratio O/E use ratio_interval",
            **_where(index, i),
            events=float(x[i]),
            n=float(n[i]),
        )


def _check_level(level: float) -> float:
    """Return ``alpha = 1 - level`` for a level strictly between 0 and 1."""
    if not (isinstance(level, int | float) and 0 < level < 1):
        raise DetectError(
            f"confidence level must lie strictly between 0 and 1, got {level!r}",
            hint="write 95% as 0.95 and 99.8% as 0.998",
        )
    return 1.0 - float(level)


def _bad_choice(name: str, value: object, allowed: Sequence[str]) -> DetectError:
    return DetectError(
        f"unknown {name} {value!r}",
        hint=f"choose one of: {', '.join(allowed)}",
    )


def _frame(
    index: pd.Index, estimate: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> pd.DataFrame:
    return pd.DataFrame({"estimate": estimate, "lower": lower, "upper": upper}, index=index)
