"""The shipped table registry: complete, consistent, and looked up correctly."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

from bluezones.errors import CBSError, ConfigError
from bluezones.indicators import MEASURES
from bluezones.sources.cbs.registry import REGISTRY, Registry

KWB_YEARS = range(2015, 2025)


def test_every_kwb_year_has_exactly_one_table() -> None:
    ids = [REGISTRY.kwb_table(y).table_id for y in KWB_YEARS]
    assert len(set(ids)) == len(ids)
    assert REGISTRY.kwb_table(2024).table_id == "85984NED"
    with pytest.raises(CBSError, match="No 'Kerncijfers"):
        REGISTRY.kwb_table(2003)


def test_the_required_tables_are_registered_with_known_measures() -> None:
    for table_id in (
        "85098NED",
        "82972NED",
        "85075NED",
        "85335NED",
        "85099NED",
        "85101NED",
        "82975NED",
        "82977NED",
    ):
        assert table_id in REGISTRY
    for spec in REGISTRY:
        assert all(m in MEASURES for m in spec.measures)
        assert spec.years[0] <= spec.years[1]


def test_overlapping_tables_never_tie_on_precedence() -> None:
    """Two tables giving a measure for one year and level must be ordered (see fetch)."""
    for a, b in combinations(list(REGISTRY), 2):
        shared = set(a.measures) & set(b.measures)
        years = set(range(a.years[0], a.years[1] + 1)) & set(range(b.years[0], b.years[1] + 1))
        levels = set(a.levels) & set(b.levels)
        if shared and years and levels:
            assert a.precedence != b.precedence, (a.table_id, b.table_id)


def test_lookups_by_measure_and_year_are_best_first() -> None:
    tables = [t.table_id for t in REGISTRY.tables_for("jeugdzorg", 2021, level="wijk")]
    assert tables == ["85075NED", "85039NED"]
    assert [t.table_id for t in REGISTRY.tables_for("pct_jeugdhulp", 2022)] == ["85098NED"]
    assert REGISTRY.tables_for("pct_jeugdhulp", 1990) == []


def test_columns_match_without_their_yearly_suffix() -> None:
    spec = REGISTRY.kwb_table(2023)
    for topic in ("JongerenMetJeugdzorgInNatura_84", "JongerenMetJeugdzorgInNatura_96", "a_jz_tn"):
        assert [c.measure for c in spec.columns_for(topic)] == ["jeugdzorg"]
    assert spec.columns_for("PercentageJongerenMetJeugdzorg_97") == []


def test_an_unknown_table_has_a_helpful_error() -> None:
    with pytest.raises(CBSError) as err:
        REGISTRY.table("12345XYZ")
    assert err.value.context["table"] == "12345XYZ" and "bluezones tables" in (err.value.hint or "")


def test_a_registry_with_an_unknown_measure_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(
        '[tables.1NED]\ntitle="x"\nyears=[2020, 2020]\nlevels=["gemeente"]\n'
        'period_dimension="Perioden"\ncolumns=[{column="A", measure="no_such"}]\n'
    )
    with pytest.raises(ConfigError, match="unknown measure 'no_such'"):
        Registry.load(path)


def test_the_listing_has_one_row_per_table() -> None:
    frame = REGISTRY.to_frame()
    assert len(frame) == len(REGISTRY) and frame["table_id"].is_unique


def test_youth_protection_measures_have_no_unseen_mapping() -> None:
    """The monitor's OTS and UHP measures stay unmapped until a real download shows a key.

    The tables that may hold them are registered raw-only (see the notes in tables.toml),
    so fetch stores them for inspection and the monitor reports the measures missing
    instead of reading a column of trajectories as a count of young people.
    """
    from bluezones.monitor.indicators import MONITOR_INDICATORS

    unseen = {"ots", "ots_ended", "ots_duration_days", "uithuisplaatsing"}
    used = {m for i in MONITOR_INDICATORS.values() for m in (i.numerator, i.denominator)}
    assert unseen <= used
    for measure in sorted(unseen):
        assert all(REGISTRY.tables_for(measure, year) == [] for year in range(2015, 2026))
    for table_id in ("82975NED", "85094NED"):
        spec = REGISTRY.table(table_id)
        assert spec.columns == () and not spec.verified and "unverified" in spec.note
        assert spec.covers(2023) and "gemeente" in spec.levels
    # Already mapped from 85098NED: the residential share of youth protection.
    assert [t.table_id for t in REGISTRY.tables_for("pct_jeugdbescherming_met_verblijf", 2022)] == [
        "85098NED"
    ]
