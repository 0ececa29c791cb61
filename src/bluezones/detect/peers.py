"""Peer groups: each area's most similar areas on its standardised covariate profile.

As England's Fingertips compares a local authority with its CIPFA nearest
neighbours, bluezones compares an area with the areas whose population looks
most like it: Euclidean distance on covariates standardised to mean 0 and
standard deviation 1 (so no covariate dominates by its unit), optionally
weighted (e.g. by the model's coefficients, so that what drives expected use
counts most).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from bluezones.errors import DetectError

__all__ = ["DEFAULT_PEERS", "peer_groups"]

DEFAULT_PEERS = 10


def peer_groups(
    profiles: pd.DataFrame,
    *,
    k: int = DEFAULT_PEERS,
    weights: dict[str, float] | None = None,
) -> pd.DataFrame:
    """The ``k`` nearest areas of every area (index = area code, columns = covariates).

    Returns a long frame ``region_code, peer_code, rank, distance`` (rank 1 is
    the most similar). Areas with a missing covariate are an error naming them.

    >>> p = pd.DataFrame({"x": [0.0, 1.0, 10.0, 11.0]}, index=["A", "B", "C", "D"])
    >>> peer_groups(p, k=1)["peer_code"].tolist()
    ['B', 'A', 'D', 'C']
    """
    if profiles.isna().any().any():
        bad = profiles.index[profiles.isna().any(axis=1)][0]
        col = profiles.columns[profiles.loc[bad].isna()][0]
        raise DetectError(
            f"Area {bad} has no value for {col}, so it has no peer profile.",
            hint="Fill the covariate or leave the area out of the peer comparison.",
            region=str(bad),
            measure=str(col),
        )
    if not 0 < k < len(profiles):
        raise DetectError(
            f"Cannot find {k} peers among {len(profiles)} areas.",
            hint=f"Choose k between 1 and {len(profiles) - 1}.",
        )
    values = profiles.to_numpy(float)
    sd = values.std(axis=0)
    sd[sd == 0] = 1.0  # a constant covariate does not separate anyone
    z = (values - values.mean(axis=0)) / sd
    if weights:
        z = z * np.array([abs(weights.get(c, 0.0)) for c in profiles.columns])
    distance, index = cKDTree(z).query(z, k=k + 1)
    codes = profiles.index.to_numpy()
    rows = []
    for i, code in enumerate(codes):
        peers = [(j, d) for j, d in zip(index[i], distance[i], strict=True) if j != i][:k]
        rows += [(code, codes[j], r + 1, float(d)) for r, (j, d) in enumerate(peers)]
    return pd.DataFrame(rows, columns=["region_code", "peer_code", "rank", "distance"])
