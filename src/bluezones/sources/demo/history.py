"""Herindelingen of the demo country: which atom belongs to which code in which year.

Starting from the first year's gemeenten, :func:`build_history` applies the
changes of :data:`MERGER_SCHEDULE` on 1 January of each later year, as CBS
records them:

- ``new``: gemeenten merge under a new name and a new code, never used before;
- ``absorb``: gemeenten join a partner that keeps its name and code (as
  Beemster joined Purmerend in 2022);
- ``split``: one gemeente is divided over its neighbours (as Haaren in 2021).

Wijk codes follow their gemeente: a wijk moving to another gemeente code gets a
new number under that code. In :data:`WIJK_SPLIT_YEARS` one wijk is split in
two; the first part keeps the code. Mergers stay inside a jeugdregio, leave the
big cities and islands alone, and keep a gemeente under 100 wijken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from bluezones.errors import SourceError
from bluezones.sources.demo.geography import BIG_CITIES, ISLANDS, Geography
from bluezones.sources.demo.names import NameBook

__all__ = ["MERGER_SCHEDULE", "WIJK_SPLIT_YEARS", "Change", "History", "build_history"]

ChangeKind = Literal["new", "absorb", "split"]

# Per year, the changes of 1 January as (kind, number of gemeenten involved). The
# counts follow reality: 393 gemeenten in 2015, 390, 388, 380, 355, 355, 352, 345,
# 342, 342 in 2024.
MERGER_SCHEDULE: dict[int, tuple[tuple[ChangeKind, int], ...]] = {
    2016: (("new", 2), ("new", 2), ("absorb", 2)),
    2017: (("absorb", 2), ("new", 2)),
    2018: (("new", 3), ("new", 3), ("new", 2), ("absorb", 2), ("absorb", 3)),
    2019: (
        *(("new", 4),) * 2,
        *(("new", 3),) * 5,
        *(("new", 2),) * 5,
        *(("absorb", 2),) * 4,
    ),
    2021: (("split", 1), ("new", 3)),
    2022: (("absorb", 2), ("absorb", 2), ("new", 2), ("new", 2), ("new", 4)),
    2023: (("new", 2), ("absorb", 3)),
}
WIJK_SPLIT_YEARS = (2018, 2022)
FIRST_CODE_RANGE = (1, 1000)  # codes of the first year's gemeenten are drawn from it
NEW_CODE_START = 1900  # gemeenten formed under a new name are numbered from here
MAX_WIJK_NUMBER = 99
MAX_MERGED_YOUTH = 40_000
PLAN_ATTEMPTS = 400
SPLIT_MAX_ATOMS = 5
FRISIAN_AREA = (5.3, 6.4, 52.85)  # west lon, east lon, south lat of Frisian-style names


def reduction(kind: ChangeKind, size: int) -> int:
    """How many gemeenten fewer a change leaves."""
    return 1 if kind == "split" else size - 1


@dataclass(frozen=True)
class Change:
    """One herindeling: ``codes_from`` went (partly) to ``codes_to`` on 1 January ``year``."""

    year: int
    kind: str
    codes_from: tuple[str, ...]
    codes_to: tuple[str, ...]


@dataclass(frozen=True)
class History:
    """Codes per year (rows) and atom (columns), with names and jeugdregio's per code."""

    years: tuple[int, ...]
    gemeente: np.ndarray  # (years, atoms) gemeente codes
    wijk: np.ndarray  # (years, atoms) wijk codes
    names: dict[str, str]  # gemeente and wijk code -> name
    region_of: dict[str, int]  # gemeente code -> jeugdregio index
    region_names: tuple[str, ...]
    changes: tuple[Change, ...]

    def year_index(self, year: int) -> int:
        return self.years.index(year)


@dataclass
class _State:
    """The map of one year while changes are applied."""

    gem: np.ndarray  # atom -> gemeente code
    wijk: np.ndarray  # atom -> wijk code
    names: dict[str, str]
    region_of: dict[str, int]
    next_number: dict[str, int]
    frozen: set[str] = field(default_factory=set)  # islands and big cities
    new_codes: int = 0


def _frisian(lon: float, lat: float) -> bool:
    west, east, south = FRISIAN_AREA
    return west <= lon <= east and lat >= south


def _first_year(geo: Geography, pairs: list[tuple[int, int]], names: NameBook) -> _State:
    """Codes and names of the first year; ``pairs`` of atoms share one wijk."""
    lat = np.bincount(geo.base_gemeente, weights=geo.lat) / np.bincount(geo.base_gemeente)
    lon = np.bincount(geo.base_gemeente, weights=geo.lon) / np.bincount(geo.base_gemeente)
    numbers = np.sort(names.rng.choice(np.arange(*FIRST_CODE_RANGE), geo.n_base, replace=False))
    code_of = np.empty(geo.n_base, dtype=object)
    code_of[np.argsort(-lat, kind="stable")] = [f"GM{n:04d}" for n in numbers]
    state = _State(
        gem=code_of[geo.base_gemeente],
        wijk=np.empty(geo.n_atoms, dtype=object),
        names={},
        region_of={},
        next_number={},
    )
    partner = {b: a for a, b in pairs}
    for g in range(geo.n_base):
        code = code_of[g]
        if geo.city[g] >= 0:
            state.names[code] = BIG_CITIES[geo.city[g]][0]
            state.frozen.add(code)
        elif geo.island[g]:
            state.names[code] = ISLANDS[g - (geo.n_base - len(ISLANDS))].name
            names.used.add(state.names[code])
            state.frozen.add(code)
        else:
            state.names[code] = names.place(frisian=_frisian(lon[g], lat[g]))
        state.region_of[code] = int(geo.base_region[g])
        atoms = [
            a for a in _ordered(geo, np.flatnonzero(geo.base_gemeente == g)) if a not in partner
        ]
        for number, atom in enumerate(atoms):
            wcode = f"WK{code[2:]}{number:02d}"
            state.wijk[atom] = wcode
            state.names[wcode] = names.wijk(state.names[code], number)
        state.next_number[code] = len(atoms)
    for b, a in partner.items():
        state.wijk[b] = state.wijk[a]
    return state


def _ordered(geo: Geography, atoms: np.ndarray) -> list[int]:
    """Atoms from north-west to south-east, the order wijken are numbered in."""
    return [int(a) for a in atoms[np.lexsort((geo.lon[atoms], -geo.lat[atoms]))]]


def _split_pairs(
    geo: Geography, n: int, rng: np.random.Generator, avoid: np.ndarray
) -> list[tuple[int, int]]:
    """``n`` pairs of touching atoms of one ordinary gemeente, to be one wijk at first."""
    adj = geo.adjacency
    same = geo.base_gemeente[adj[:, 0]] == geo.base_gemeente[adj[:, 1]]
    ok = same & ~avoid[geo.base_gemeente[adj[:, 0]]]
    ok &= np.bincount(geo.base_gemeente, minlength=geo.n_base)[geo.base_gemeente[adj[:, 0]]] >= 3
    chosen: list[tuple[int, int]] = []
    used: set[int] = set()
    for i in rng.permutation(np.flatnonzero(ok)):
        a, b = (int(x) for x in adj[i])
        g = int(geo.base_gemeente[a])
        if g in used:
            continue
        chosen.append((a, b))
        used.add(g)
        if len(chosen) == n:
            break
    return chosen


def _neighbours(state: _State, adjacency: np.ndarray) -> dict[str, set[str]]:
    left, right = state.gem[adjacency[:, 0]], state.gem[adjacency[:, 1]]
    out: dict[str, set[str]] = {}
    for a, b in zip(left[left != right], right[left != right], strict=True):
        out.setdefault(a, set()).add(b)
        out.setdefault(b, set()).add(a)
    return out


class _Planner:
    """Chooses and applies the changes of one year."""

    def __init__(
        self, state: _State, geo: Geography, youth: np.ndarray, names: NameBook, year: int
    ) -> None:
        self.state, self.geo, self.names, self.year = state, geo, names, year
        self.rng = names.rng
        by_code = pd.Series(youth).groupby(state.gem).sum()
        self.youth: dict[str, float] = {str(c): float(v) for c, v in by_code.items()}
        self.wijken = pd.Series(state.wijk).groupby(state.gem).nunique().to_dict()
        self.nb = _neighbours(state, geo.adjacency)
        self.touched: set[str] = set()

    def _free(self, code: str) -> bool:
        return code not in self.touched and code not in self.state.frozen

    def _free_neighbours(self, group: list[str]) -> list[str]:
        region = self.state.region_of[group[0]]
        found = {
            c
            for g in group
            for c in self.nb.get(g, ())
            if self._free(c) and c not in group and self.state.region_of[c] == region
        }
        return sorted(found)

    def _seed(self) -> str:
        free = sorted(c for c in self.youth if self._free(c))
        w = 1 / np.sqrt(np.array([self.youth[c] for c in free]) + 1)
        return free[int(self.rng.choice(len(free), p=w / w.sum()))]

    def _fits(self, group: list[str]) -> bool:
        total_youth = sum(self.youth[c] for c in group)
        n_wijken = sum(self.state.next_number[c] for c in group)
        return total_youth <= MAX_MERGED_YOUTH and n_wijken <= MAX_WIJK_NUMBER + 1

    def group(self, size: int) -> list[str]:
        for _ in range(PLAN_ATTEMPTS):
            group = [self._seed()]
            while len(group) < size:
                options = self._free_neighbours(group)
                if not options:
                    break
                group.append(options[int(self.rng.integers(len(options)))])
            if len(group) == size and self._fits(group):
                self.touched.update(group)
                return group
        raise SourceError(
            f"Could not plan a merger of {size} gemeenten.",
            hint="Use another seed or the default parameters.",
            year=self.year,
        )

    def apply(self, kind: ChangeKind, size: int) -> Change:
        if kind == "split":
            return self._split()
        group = self.group(size)
        if kind == "new":
            return self._merge_new(group)
        keeper = max(group, key=lambda c: (self.youth[c], c))
        return self._absorb(keeper, [c for c in group if c != keeper])

    def _move_wijken(self, atoms: np.ndarray, to: str) -> None:
        """Move ``atoms`` to gemeente ``to``; their wijken get new numbers under it."""
        st = self.state
        for old in sorted(set(st.wijk[atoms])):
            members = atoms[st.wijk[atoms] == old]
            new = f"WK{to[2:]}{st.next_number[to]:02d}"
            st.next_number[to] += 1
            st.names[new] = st.names[old]
            st.wijk[members] = new
            st.gem[members] = to

    def _merge_new(self, group: list[str]) -> Change:
        st = self.state
        code = f"GM{NEW_CODE_START + st.new_codes:04d}"
        st.new_codes += 1
        atoms = np.flatnonzero(np.isin(st.gem, group))
        frisian = _frisian(float(self.geo.lon[atoms].mean()), float(self.geo.lat[atoms].mean()))
        st.names[code] = self.names.merger([st.names[c] for c in sorted(group)], frisian=frisian)
        st.region_of[code] = st.region_of[group[0]]
        st.next_number[code] = 0
        for old in sorted(group):
            self._move_wijken(np.flatnonzero(st.gem == old), code)
        return Change(self.year, "new", tuple(sorted(group)), (code,))

    def _absorb(self, keeper: str, absorbed: list[str]) -> Change:
        for old in sorted(absorbed):
            self._move_wijken(np.flatnonzero(self.state.gem == old), keeper)
        return Change(self.year, "absorb", tuple(sorted([keeper, *absorbed])), (keeper,))

    def _split(self) -> Change:
        st = self.state
        for _ in range(PLAN_ATTEMPTS):
            code = self._seed()
            atoms = np.flatnonzero(st.gem == code)
            whole_wijken = len(set(st.wijk[atoms])) == len(atoms)
            if not (2 <= len(atoms) <= SPLIT_MAX_ATOMS and whole_wijken):
                continue
            target = self._receivers(code, atoms)
            if target is not None and len(set(target.values())) >= 2:
                break
        else:
            raise SourceError("Could not plan a split of a gemeente.", year=self.year)
        self.touched.update({code, *target.values()})
        for atom, to in sorted(target.items()):
            self._move_wijken(np.array([atom]), to)
        return Change(self.year, "split", (code,), tuple(sorted(set(target.values()))))

    def _receivers(self, code: str, atoms: np.ndarray) -> dict[int, str] | None:
        """For each atom of ``code``, the same-region neighbour gemeente it touches most."""
        adj, st = self.geo.adjacency, self.state
        region = st.region_of[code]
        target: dict[int, str] = {}
        for atom in atoms:
            nb = np.concatenate([adj[adj[:, 0] == atom, 1], adj[adj[:, 1] == atom, 0]])
            other = [
                c for c in st.gem[nb] if c != code and self._free(c) and st.region_of[c] == region
            ]
            if not other:
                return None
            target[int(atom)] = max(sorted(set(other)), key=other.count)
        return target


def _split_wijk(state: _State, pair: tuple[int, int], year: int) -> Change:
    a, b = pair
    old, gem = state.wijk[a], state.gem[a]
    new = f"WK{gem[2:]}{state.next_number[gem]:02d}"
    state.next_number[gem] += 1
    state.wijk[b] = new
    state.names[new] = state.names[old] + "-Zuid"
    return Change(year, "wijk_split", (old,), (old, new))


def base_count(n_reference: int, years: tuple[int, ...]) -> int:
    """Gemeenten in the first year that leave ``n_reference`` after the scheduled changes."""
    later = [y for y in MERGER_SCHEDULE if years[0] < y <= years[-1]]
    return n_reference + sum(reduction(k, s) for y in later for k, s in MERGER_SCHEDULE[y])


def build_history(
    geo: Geography, youth: np.ndarray, years: tuple[int, ...], names: NameBook
) -> History:
    """Apply the scheduled changes year by year and record every year's codes."""
    split_years = [y for y in WIJK_SPLIT_YEARS if years[0] < y <= years[-1]]
    avoid = geo.island | (geo.city >= 0)
    pairs = _split_pairs(geo, len(split_years), names.rng, avoid)
    state = _first_year(geo, pairs, names)
    gem_rows: list[np.ndarray] = []
    wijk_rows: list[np.ndarray] = []
    changes: list[Change] = []
    for year in years:
        if year != years[0]:
            planner = _Planner(state, geo, youth, names, year)
            changes.extend(planner.apply(k, s) for k, s in MERGER_SCHEDULE.get(year, ()))
            if year in split_years:
                changes.append(_split_wijk(state, pairs[split_years.index(year)], year))
        gem_rows.append(state.gem.copy())
        wijk_rows.append(state.wijk.copy())
    return History(
        years=years,
        gemeente=np.array(gem_rows, dtype=object),
        wijk=np.array(wijk_rows, dtype=object),
        names=state.names,
        region_of=state.region_of,
        region_names=tuple(names.region() for _ in range(int(geo.base_region.max()) + 1)),
        changes=tuple(changes),
    )
