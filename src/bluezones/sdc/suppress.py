"""Primary and secondary cell suppression over the hierarchy of our outputs.

A *cell* is a count of persons: youths with care (``observed``) or youths living
there (``n``) in one area and year, for one indicator. Cells are linked by sums
that are, or may be, published:

* the wijken of a gemeente add up to the gemeente, the gemeenten of a jeugdregio
  to the jeugdregio, the jeugdregio's to the land (``geographic`` groups);
* an area's usable years add up to the pooled count behind its lasting evidence
  (the pooled ratio times the published expected total gives it back).

**Primary suppression** marks every cell below the minimum (zero included) and
every ``observed`` whose complement ``n - observed`` is below it (the complements
add up like the counts and get the same secondary protection).
**Secondary suppression** then makes sure no published total gives a suppressed
cell back by one subtraction: in every group whose total is published, the
suppressed children are none, or at least two whose sum is at least the
minimum. Where that fails, the smallest published sibling is suppressed as well
(ties by position); a group of one suppresses its total. Groups are revisited
until nothing changes (a fixed point; suppression only grows, so it ends).

This is the usual "smallest sibling" heuristic (as in tau-argus's hypercube
method in spirit, not in optimality): it blocks recovery by a single
subtraction, not every linear-programming attack on interval bounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Group", "primary_mask", "secondary_suppress"]


@dataclass(frozen=True)
class Group:
    """A published total (``parent``, a cell position) and the cells it adds up."""

    parent: int
    children: np.ndarray


def primary_mask(
    values: np.ndarray, min_count: int, population: np.ndarray | None = None
) -> np.ndarray:
    """Cells too small to publish: unknown, below ``min_count`` (0 too), or whose
    complement ``population - value`` is below it (where a population is known).

    >>> primary_mask(np.array([0.0, 3, 10, 50, np.nan]), 10, np.array([5, 40, 40, 55, 80.0]))
    array([ True,  True, False,  True,  True])
    """
    values = np.asarray(values, dtype=float)
    small = ~np.isfinite(values) | (values < min_count)
    if population is not None:
        pop = np.asarray(population, dtype=float)
        rest = pop - values
        small |= np.isfinite(rest) & (rest < min_count)
    return small


def secondary_suppress(
    values: np.ndarray,
    suppressed: np.ndarray,
    groups: Sequence[Group],
    min_count: int,
) -> np.ndarray:
    """Suppress more cells until no published group total reveals a suppressed one.

    Parameters
    ----------
    values
        Every cell's count (``NaN`` where unknown: counted as 0 in sums).
    suppressed
        Cells suppressed so far (primary); not changed in place.
    groups
        The published totals and their children, as positions in ``values``.
    min_count
        The minimum number of persons the suppressed part of a group must hold.

    Returns
    -------
    The new mask; ``mask & ~suppressed`` are the secondary suppressions.

    Examples
    --------
    A gemeente of 60 with wijken 4, 12, 20 and 24: the 4 is suppressed first, the 12
    with it (the smallest sibling), so the total reveals only their sum (16).

    >>> v = np.array([60.0, 4, 12, 20, 24])
    >>> g = [Group(0, np.array([1, 2, 3, 4]))]
    >>> secondary_suppress(v, primary_mask(v, 10), g, 10).tolist()
    [False, True, True, False, False]
    """
    mask = np.asarray(suppressed, dtype=bool).copy()
    vals = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0)
    changed = True
    while changed:
        changed = False
        for group in groups:
            if mask[group.parent]:
                continue
            kids = group.children
            while True:
                hidden = mask[kids]
                k = int(hidden.sum())
                if k == 0 or (k >= 2 and vals[kids][hidden].sum() >= min_count):
                    break
                if hidden.all():
                    if k == 1:  # the total is the one child: hide the total too
                        mask[group.parent] = True
                        changed = True
                    break
                free = kids[~hidden]
                mask[free[np.argmin(vals[free])]] = True
                changed = True
    return mask
