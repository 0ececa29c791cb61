"""Trends of the monitor's rates: the yearly change per region, with an interval.

For one region and indicator the counts ``O_t`` over youths ``N_t`` follow a
log-linear (Poisson) model with overdispersion::

    log E[O_t] = log N_t + a + b (t - t0),    Var O_t = phi E[O_t]

fitted by Newton-Raphson (IRLS). The yearly change is ``exp(b) - 1``; its interval
``exp(b +- z se(b)) - 1`` with ``se(b)`` scaled by ``sqrt(phi)``,
``phi = max(1, Pearson X^2 / (n - 2))`` (quasi-Poisson: a region whose rate jumps
about more than chance allows gets a wider interval, never a narrower one).

By default only the years since the indicator's last trend break are used, so a
break in the series is never read as a trend. A mean (OTS duration) has no
count model and is left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from bluezones.errors import DataError
from bluezones.monitor.indicators import MONITOR_INDICATORS

__all__ = ["MIN_TREND_YEARS", "trend_table"]

#: Years a trend needs at least.
MIN_TREND_YEARS = 3
NEWTON_STEPS = 50
NEWTON_TOL = 1e-10


def _poisson_slope(
    counts: np.ndarray, exposure: np.ndarray, x: np.ndarray
) -> tuple[float, float, float]:
    """Slope, its model-based standard error and the Pearson dispersion."""
    design = np.column_stack([np.ones_like(x), x])
    offset = np.log(exposure)
    rate = max(counts.sum(), 0.5) / exposure.sum()
    beta = np.array([np.log(rate), 0.0])
    for _ in range(NEWTON_STEPS):
        mu = np.exp(offset + design @ beta)
        info = design.T @ (mu[:, None] * design)
        step = np.linalg.solve(info, design.T @ (counts - mu))
        beta = beta + step
        if np.max(np.abs(step)) < NEWTON_TOL:
            break
    mu = np.exp(offset + design @ beta)
    info = design.T @ (mu[:, None] * design)
    se = float(np.sqrt(np.linalg.inv(info)[1, 1]))
    dof = len(counts) - 2
    phi = float(np.sum((counts - mu) ** 2 / mu) / dof) if dof > 0 else 1.0
    return float(beta[1]), se, phi


def trend_table(
    table: pd.DataFrame,
    indicator: str,
    *,
    since_break: bool = True,
    level: float = 0.95,
) -> pd.DataFrame:
    """Yearly change of ``indicator`` per region (see the module docstring).

    Parameters
    ----------
    table
        :func:`~bluezones.monitor.indicators.monitor_table` rows.
    indicator
        A rate or share of :data:`~bluezones.monitor.indicators.MONITOR_INDICATORS`.
    since_break
        Use only the years from the indicator's last trend break on (default).
    level
        Confidence level of the interval.

    Returns
    -------
    DataFrame
        ``region_code, indicator, first_year, last_year, years, change_pct, lower,
        upper, p_value, dispersion``; regions with fewer than
        :data:`MIN_TREND_YEARS` usable years are left out.
    """
    spec = MONITOR_INDICATORS.get(indicator)
    if spec is None or spec.kind == "mean":
        raise DataError(
            f"A trend needs a rate or share, not {indicator!r}.",
            hint="Choose one of "
            + ", ".join(n for n, s in MONITOR_INDICATORS.items() if s.kind != "mean")
            + ".",
        )
    part = table[(table["indicator"] == indicator) & table["numerator"].notna()]
    part = part[part["denominator"] > 0]
    if since_break and not part.empty:
        breaks = [b for b in spec.trend_breaks if b <= int(part["year"].max())]
        if breaks:
            part = part[part["year"] >= max(breaks)]
    z = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for code, g in part.groupby("region_code", sort=True):
        if len(g) < MIN_TREND_YEARS or not g["numerator"].gt(0).any():
            continue  # too short, or no one in any year: a change of a rate 0 is undefined
        years = g["year"].to_numpy(float)
        try:
            slope, se, phi = _poisson_slope(
                g["numerator"].to_numpy(float),
                g["denominator"].to_numpy(float),
                years - years.mean(),
            )
        except np.linalg.LinAlgError:
            continue  # every case in one year: the slope runs off to infinity
        if not (np.isfinite(slope) and np.isfinite(se)):
            continue
        se *= np.sqrt(max(phi, 1.0))
        rows.append(
            (
                code,
                indicator,
                int(years.min()),
                int(years.max()),
                len(g),
                100 * np.expm1(slope),
                100 * np.expm1(slope - z * se),
                100 * np.expm1(slope + z * se),
                float(2 * stats.norm.sf(abs(slope / se))),
                phi,
            )
        )
    cols = ["region_code", "indicator", "first_year", "last_year", "years", "change_pct"]
    cols += ["lower", "upper", "p_value", "dispersion"]
    return pd.DataFrame(rows, columns=cols)
