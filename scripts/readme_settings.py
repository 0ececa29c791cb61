"""Regenerate the settings table in README.md from bluezones.config.Settings.

Run ``.venv/bin/python scripts/readme_settings.py``; ``--check`` exits 1 if the table is stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from bluezones.config import Settings

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"(<!-- settings-table:.*?-->\n)(.*?)(<!-- /settings-table -->)", re.S)


def table() -> str:
    rows = ["| variable | meaning |", "|---|---|"]
    rows += [f"| `{env}` | {help_text} |" for env, help_text in Settings.describe()]
    return "\n".join(rows) + "\n"


def render(readme: str) -> str:
    return BLOCK.sub(lambda m: m.group(1) + table() + m.group(3), readme)


def main() -> int:
    current = README.read_text(encoding="utf-8")
    wanted = render(current)
    if "--check" in sys.argv:
        return int(current != wanted)
    README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
