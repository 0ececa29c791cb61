"""docs/own-files.md documents every measure, region alias and SCP mapping the code knows."""

from __future__ import annotations

from pathlib import Path

from bluezones.indicators import MEASURES
from bluezones.sources.files import REGION_COLUMN_ALIASES
from bluezones.sources.scp import SCP_MEASURES

DOC = Path(__file__).resolve().parents[2] / "docs" / "own-files.md"


def test_every_measure_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in MEASURES if f"| `{name}` |" not in text]
    assert not missing, f"add these measures to the table in {DOC.name}: {missing}"


def test_region_aliases_and_scp_mappings_are_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert all(f"**`{alias}`**" in text for alias in REGION_COLUMN_ALIASES[1:])
    for scp_name, (measure, _factor) in SCP_MEASURES.items():
        assert f"| `{scp_name}` |" in text and f"| `{measure}` |" in text
