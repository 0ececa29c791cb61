"""Primary and secondary suppression: no published total gives a hidden cell back."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bluezones.sdc.suppress import Group, primary_mask, secondary_suppress


def _safe(values: np.ndarray, mask: np.ndarray, groups: list[Group], min_count: int) -> bool:
    """No group with a published total has one hidden child, or hidden children < min."""
    for g in groups:
        if mask[g.parent]:
            continue
        hidden = mask[g.children]
        k = int(hidden.sum())
        if k == 1 or (k >= 2 and values[g.children][hidden].sum() < min_count):
            return False
    return True


def test_primary_marks_small_zero_unknown_and_small_complement() -> None:
    values = np.array([0.0, 1, 9, 10, 45, np.nan])
    population = np.array([20.0, 20, 20, 20, 50, 50])
    assert primary_mask(values, 10, population).tolist() == [
        True, True, True, False, True, True,
    ]  # fmt: skip
    assert primary_mask(values, 10).tolist() == [True, True, True, False, False, True]


def test_one_hidden_wijk_takes_the_smallest_sibling_with_it() -> None:
    values = np.array([100.0, 5, 30, 25, 40])
    groups = [Group(0, np.array([1, 2, 3, 4]))]
    mask = secondary_suppress(values, primary_mask(values, 10), groups, 10)
    assert mask.tolist() == [False, True, False, True, False]


def test_hidden_pair_below_the_minimum_grows() -> None:
    values = np.array([100.0, 3, 4, 20, 73])
    groups = [Group(0, np.array([1, 2, 3, 4]))]
    mask = secondary_suppress(values, primary_mask(values, 10), groups, 10)
    assert mask.tolist() == [False, True, True, True, False]


def test_an_only_child_hides_its_total_and_that_spreads_upwards() -> None:
    # land 0 = regio 1 + regio 2; regio 1 has one gemeente 3 (too small), regio 2 = 4 + 5.
    values = np.array([100.0, 8, 92, 8, 50, 42])
    groups = [Group(1, np.array([3])), Group(2, np.array([4, 5])), Group(0, np.array([1, 2]))]
    mask = secondary_suppress(values, primary_mask(values, 10), groups, 10)
    assert mask[[1, 3]].all()  # the regio goes with its only gemeente
    assert mask[2]  # and its sibling regio with it, so the land does not give it back
    assert _safe(values, mask, groups, 10)


@st.composite
def _trees(draw: st.DrawFn) -> tuple[np.ndarray, list[Group]]:
    """A land over regio's over gemeenten over wijken, counts summing up exactly."""
    leaves: list[list[list[int]]] = draw(
        st.lists(
            st.lists(st.lists(st.integers(0, 40), min_size=1, max_size=5), min_size=1, max_size=4),
            min_size=1,
            max_size=4,
        )
    )
    values: list[float] = [0.0]
    groups: list[Group] = []
    regios = []
    for regio in leaves:
        r = len(values)
        values.append(0.0)
        regios.append(r)
        gms = []
        for gemeente in regio:
            g = len(values)
            values.append(float(sum(gemeente)))
            gms.append(g)
            kids = list(range(len(values), len(values) + len(gemeente)))
            values += [float(v) for v in gemeente]
            groups.append(Group(g, np.array(kids)))
        values[r] = sum(values[g] for g in gms)
        groups.append(Group(r, np.array(gms)))
    values[0] = sum(values[r] for r in regios)
    groups.append(Group(0, np.array(regios)))
    return np.array(values), groups


@settings(max_examples=200, deadline=None)
@given(_trees(), st.integers(2, 15))
def test_no_published_total_reveals_a_hidden_cell(
    tree: tuple[np.ndarray, list[Group]], min_count: int
) -> None:
    values, groups = tree
    primary = primary_mask(values, min_count)
    mask = secondary_suppress(values, primary, groups, min_count)
    assert (mask | ~primary).all()  # primary suppressions stay
    assert _safe(values, mask, groups, min_count)
    # Nothing published is small, and every hidden cell stays hidden from one subtraction.
    published = values[~mask]
    assert not (published < min_count).any()
