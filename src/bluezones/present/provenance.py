"""Provenance manifests: what an output was made from, so it can be made again.

Every output folder of :mod:`bluezones.present` carries a ``manifest.json`` with
the package version, the source tables and their modified dates, each level's
detection run (reference year, when, settings including the seed) and a
SHA-256 checksum of every file beside it. For a microdata dataset it also says
that disclosure control was applied, and with which minimum cell count
(``disclosure_control``; see :mod:`bluezones.sdc`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
from pathlib import Path
from typing import Any

from bluezones.sdc.policy import policy_for
from bluezones.store import Store

__all__ = ["MANIFEST", "manifest", "sources", "version"]

#: File name of the manifest in an output folder.
MANIFEST = "manifest.json"
#: What of a detection run the manifest keeps.
RUN_KEYS = ("reference_year", "created_at", "config")


def manifest(
    store: Store, dataset: str, runs: dict[str, dict[str, Any]], root: Path
) -> dict[str, Any]:
    """The manifest of the files under ``root`` (the manifest itself not yet among them)."""
    files = {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }
    made: dict[str, Any] = {
        "package": "bluezones",
        "version": version(),
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dataset": dataset,
        "levels": {level: {k: run[k] for k in RUN_KEYS} for level, run in runs.items()},
        "sources": sources(store),
        "files": files,
    }
    policy = policy_for(store, dataset)
    if policy.applies:
        made["disclosure_control"] = policy.describe()
    return made


def sources(store: Store) -> list[dict[str, str | None]]:
    """The fetched source tables: source, table ID, modified date, when fetched."""
    if not store.has_table("snapshots"):
        return []
    snaps = store.read("snapshots").sort_values(["source", "table_id"])
    rows = zip(
        snaps["source"], snaps["table_id"], snaps["modified"], snaps["fetched_at"], strict=True
    )
    return [
        {
            "source": str(source),
            "table_id": str(table_id),
            "modified": None if modified is None else str(modified),
            "fetched_at": str(fetched_at),
        }
        for source, table_id, modified, fetched_at in rows
    ]


def version() -> str:
    """The installed bluezones version, or ``"unknown"`` when running from an uninstalled tree.

    Manifests and report provenance tables name the version that made an output.
    """
    try:
        return importlib.metadata.version("bluezones")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
