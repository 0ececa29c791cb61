"""Helpers for the region tests: small facts and crosswalk frames from plain tuples."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd
import pytest

FactRow = tuple  # (region_code, year, measure, value[, status])


def facts_frame(rows: Iterable[FactRow], dataset: str = "t") -> pd.DataFrame:
    """Facts from ``(region, year, measure, value[, status])`` tuples."""
    records = []
    for row in rows:
        region, year, name, value, *rest = row
        status = rest[0] if rest else None
        records.append(
            {
                "dataset": dataset,
                "region_code": region,
                "year": year,
                "measure": name,
                "value": None if value is None else float(value),
                "status": status,
                "source": "test",
            }
        )
    frame = pd.DataFrame.from_records(records)
    frame["value"] = frame["value"].astype("float64")
    frame["status"] = frame["status"].astype("str")
    return frame


def crosswalk_frame(
    rows: Iterable[tuple[int, int, str, str, float]], level: str = "gemeente"
) -> pd.DataFrame:
    """A crosswalk frame from ``(year_from, year_to, code_from, code_to, weight)`` tuples."""
    frame = pd.DataFrame.from_records(
        list(rows), columns=["year_from", "year_to", "code_from", "code_to", "weight"]
    )
    frame.insert(0, "level", level)
    return frame


@pytest.fixture
def make_facts() -> Callable[..., pd.DataFrame]:
    return facts_frame


@pytest.fixture
def make_crosswalk() -> Callable[..., pd.DataFrame]:
    return crosswalk_frame
