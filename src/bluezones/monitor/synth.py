"""Synthetic control with placebo tests: the second view on the pilots.

For each pilot region a *synthetic* twin is built from regions that were never pilots:
non-negative donor weights ``w`` summing to one that make the twin's pre-start path
follow the pilot's (Abadie, Diamond & Hainmueller 2010). Paths are the log rate
minus each region's own pre-start mean (the "demeaned" synthetic control of
Doudchenko & Imbens 2016 and Ferman & Pinto 2021): regions differ in level, and a
convex mix of donors cannot reach an extreme level, but it can follow a trend. The
gap ``pilot - twin`` after the start is the estimated effect (log scale).

Weights solve ``min ||y_pre - Y0_pre w||^2`` subject to ``w >= 0, sum w = 1``, by
non-negative least squares with the sum constraint added as a heavily weighted row
(:data:`SUM_PENALTY`).

Placebos (in space): every donor in turn is treated as if it had started in the
pilot's start year, with the other donors as its pool. A pilot's p-value is its rank
by the size of its mean post-start gap among itself and its placebos (Firpo &
Possebom 2018's test on the effect itself). Abadie et al. (2010) rank by
``post-RMSPE / pre-RMSPE`` instead, reported as ``ratio``; but with five pre-start
years and some thirty donors the pre-start fit is often exact, the ratio then
infinite, and ranks by it meaningless. The pooled estimate is the mean of the
pilots' effects; its p-value compares it with means of randomly drawn placebo
effects (one per pilot, same start years).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from bluezones.errors import DataError

__all__ = ["PLACEBO_DRAWS", "SUM_PENALTY", "SyntheticControl", "synthetic_control"]

#: Weight of the row that makes the donor weights sum to one.
SUM_PENALTY = 1e3
#: Draws of placebo sets for the pooled p-value.
PLACEBO_DRAWS = 999
MIN_DONORS = 5


@dataclass(frozen=True)
class SyntheticControl:
    """Per-pilot effects and placebo ranks, the gaps over time, and the pooled result."""

    per_pilot: pd.DataFrame  # region_code, start, effect, pre_rmspe, post_rmspe, ratio, p_placebo
    gaps: pd.DataFrame  # region_code, start, year, rel, gap, placebo (bool)
    weights: dict[str, dict[str, float]]  # pilot -> donor -> weight (> 0.001)
    estimate: float
    p_pooled: float


def _weights(target: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """Convex weights (``donors`` is years x units) closest to ``target`` on those years."""
    a = np.vstack([donors, SUM_PENALTY * np.ones(donors.shape[1])])
    b = np.append(target, SUM_PENALTY)
    w, _ = nnls(a, b)
    return w / w.sum()


def _fit(
    wide: pd.DataFrame, unit: str, donors: list[str], start: int
) -> tuple[pd.Series, np.ndarray]:
    """Gap per year (demeaned on the pre years) and the donor weights."""
    pre = wide.index < start
    paths = wide[[unit, *donors]] - wide.loc[pre, [unit, *donors]].mean()
    w = _weights(paths.loc[pre, unit].to_numpy(), paths.loc[pre, donors].to_numpy())
    gap = paths[unit] - paths[donors].to_numpy() @ w
    return gap, w


def _rmspe(gap: pd.Series, start: int) -> tuple[float, float, float]:
    pre, post = gap[gap.index < start], gap[gap.index >= start]
    return float(np.sqrt((pre**2).mean())), float(np.sqrt((post**2).mean())), float(post.mean())


def synthetic_control(
    panel: pd.DataFrame,
    starts: Mapping[str, int],
    *,
    draws: int = PLACEBO_DRAWS,
    seed: int = 0,
) -> SyntheticControl:
    """Synthetic control per pilot with in-space placebos (see the module docstring).

    Parameters
    ----------
    panel
        :func:`~bluezones.monitor.evaluate.pilot_panel` rows (``region_code, year, y``).
    starts
        Pilot code -> start year.
    draws, seed
        Placebo sets for the pooled p-value, and their seed.
    """
    wide = panel.pivot(index="year", columns="region_code", values="y").sort_index()
    wide = wide.dropna(axis=1)  # a synthetic control needs every year of every region
    donors = [c for c in wide.columns if c not in starts]
    if len(donors) < MIN_DONORS:
        raise DataError(
            f"Only {len(donors)} regions with every year were never pilots; "
            f"a synthetic control needs at least {MIN_DONORS}.",
            hint="Use suppressed='midpoint' so fewer regions have gaps, or fewer pilots.",
        )
    rows, gaps, weights = [], [], {}
    placebo_effects: dict[int, list[float]] = {}
    for start in sorted(set(starts.values())):
        effects = []
        for donor in donors:
            gap, _ = _fit(wide, donor, [d for d in donors if d != donor], start)
            pre, post, effect = _rmspe(gap, start)
            effects.append((effect, post / pre if pre > 0 else np.inf))
            gaps.append(_gap_frame(gap, donor, start, placebo=True))
        placebo_effects[start] = [e for e, _ in effects]
        for code in sorted(c for c, s in starts.items() if s == start and c in wide.columns):
            gap, w = _fit(wide, code, donors, start)
            pre, post, effect = _rmspe(gap, start)
            ratio = post / pre if pre > 0 else np.inf
            rank = 1 + sum(abs(e) >= abs(effect) for e, _ in effects)
            rows.append((code, start, effect, pre, post, ratio, rank / (len(effects) + 1)))
            gaps.append(_gap_frame(gap, code, start, placebo=False))
            weights[code] = {d: float(v) for d, v in zip(donors, w, strict=True) if v > 1e-3}
    cols = ["region_code", "start", "effect", "pre_rmspe", "post_rmspe", "ratio", "p_placebo"]
    per_pilot = pd.DataFrame(rows, columns=cols)
    if per_pilot.empty:
        raise DataError(
            "No pilot region has figures in every year.",
            hint="Use suppressed='midpoint', or check the pilots' facts.",
        )
    estimate = float(per_pilot["effect"].mean())
    rng = np.random.default_rng(seed)
    pooled = np.zeros(draws)
    for start in per_pilot["start"]:
        pooled += rng.choice(placebo_effects[int(start)], size=draws)
    pooled /= len(per_pilot)
    p = float((1 + np.sum(np.abs(pooled) >= abs(estimate))) / (1 + draws))
    return SyntheticControl(per_pilot, pd.concat(gaps, ignore_index=True), weights, estimate, p)


def _gap_frame(gap: pd.Series, code: str, start: int, *, placebo: bool) -> pd.DataFrame:
    years = gap.index.to_numpy(int)
    return pd.DataFrame(
        {
            "region_code": code,
            "start": start,
            "year": years,
            "rel": years - start,
            "gap": gap.to_numpy(float),
            "placebo": placebo,
        }
    )
