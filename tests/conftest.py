"""Fixtures every test may use: the real extracts in ../shared/data and a fresh store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bluezones.store import Store

REPO = Path(__file__).resolve().parents[1]


def _shared_data_dir() -> Path:
    env = os.environ.get("BLUEZONES_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real CBS/SCP extracts; tests using it skip where it is absent."""
    path = _shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"real extracts not found at {path} (set BLUEZONES_SHARED_DATA)")
    return path


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """An empty store in a temporary folder, closed after the test."""
    s = Store(tmp_path / "store.duckdb")
    yield s
    s.close()
