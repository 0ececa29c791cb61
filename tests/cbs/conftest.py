"""Fixtures of the CBS source tests: a local fake CBS server and a registry of its tables."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from cbs_server import SYNTHETIC_ID, V4_ID, CBSServer

from bluezones.sources.cbs.registry import ColumnMap, Registry, TableSpec


@pytest.fixture
def cbs_server() -> Iterator[CBSServer]:
    server = CBSServer().start()
    yield server
    server.stop()


def synthetic_registry() -> Registry:
    """The shipped registry's shape, for the fake server's tables."""
    return Registry.from_specs(
        [
            TableSpec(
                SYNTHETIC_ID,
                "Synthetic v3 table",
                (2018, 2022),
                ("gemeente",),
                "RegioS",
                "Perioden",
                columns=(
                    ColumnMap("AantalInwoners", "population"),
                    ColumnMap("JongerenMetJeugdzorgInNatura", "jeugdzorg"),
                ),
            ),
            TableSpec(
                V4_ID,
                "Synthetic v4 table",
                (2021, 2022),
                ("gemeente",),
                "RegioS",
                "Perioden",
                api="v4",
                precedence=5,
                columns=(
                    ColumnMap("AantalInwoners", "population", title="Aantal inwoners"),
                    ColumnMap("Jeugdzorg", "jeugdzorg", title="Jongeren met jeugdzorg in natura"),
                ),
            ),
        ]
    )


@pytest.fixture
def registry() -> Registry:
    return synthetic_registry()
