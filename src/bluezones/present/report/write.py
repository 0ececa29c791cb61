"""Write reports: per gemeente or jeugdregio, or the national summary, as HTML and PDF.

:func:`write_reports` checks every requested area before it writes anything,
then fills a temporary folder that replaces ``out_dir`` only when complete,
with a ``manifest.json`` (package version, CBS tables and their modified dates,
the detection run's settings and seed, and a checksum per file).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bluezones._atomic import atomic_dir
from bluezones.errors import DataError, RegionError
from bluezones.present.provenance import MANIFEST, manifest
from bluezones.present.report.content import Report, area_report, national_report
from bluezones.present.report.data import (
    LevelResults,
    _gate,
    area_numbers,
    has_results,
    load_level,
)
from bluezones.present.report.html import render_html
from bluezones.present.report.pdf import render_pdf
from bluezones.store import Store

__all__ = ["REPORT_FORMATS", "REPORT_LEVELS", "ReportFormat", "ReportLevel", "write_reports"]

ReportFormat = Literal["html", "pdf"]
ReportLevel = Literal["gemeente", "jeugdregio"]
REPORT_FORMATS: tuple[ReportFormat, ...] = ("html", "pdf")
REPORT_LEVELS: tuple[ReportLevel, ...] = ("gemeente", "jeugdregio")
#: Suggestions offered for an unknown area code.
SUGGESTIONS = 3

#: ``progress(done, total, area)``, called after each area's report.
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class _Area:
    code: str
    name: str
    members: list[str] | None


def write_reports(
    store: Store,
    dataset: str,
    out_dir: Path | str,
    *,
    level: str = "gemeente",
    areas: Sequence[str] | None = None,
    national: bool = False,
    formats: Sequence[str] = REPORT_FORMATS,
    lang: str = "nl",
    progress: Progress | None = None,
) -> list[Path]:
    """Write the reports of ``areas`` (codes; ``None``: every area; ``[]``: none) and/or
    the national summary.

    Returns the files written (the manifest last). Raises
    :class:`~bluezones.errors.RegionError` for an unknown area code, with the
    closest codes and names as a hint, before anything is written.
    """
    unknown = sorted(set(formats) - set(REPORT_FORMATS))
    if unknown or not formats:
        raise DataError(
            f"Unknown report formats {unknown}.", hint=f"Choose from {', '.join(REPORT_FORMATS)}."
        )
    if level not in REPORT_LEVELS:
        raise DataError(
            f"Reports are made per gemeente or jeugdregio, not per {level!r}.",
            hint="Use --level gemeente or --level jeugdregio.",
        )
    data = load_level(store, dataset, "gemeente")
    wijken = load_level(store, dataset, "wijk") if has_results(store, dataset, "wijk") else None
    chosen = _resolve(data, level, areas)
    monitor = _monitor(store, dataset)
    out = Path(out_dir)
    written: list[str] = []
    total = len(chosen) + int(national)
    with atomic_dir(out) as tmp:
        for done, area in enumerate(chosen, start=1):
            numbers = area_numbers(data, area.code, area.members)
            report = area_report(
                store,
                data,
                numbers,
                lang,
                name=area.name,
                wijken=wijken,
                monitor=monitor if area.members is not None else None,
            )
            written += _write(report, tmp, formats)
            if progress is not None:
                progress(done, total, area.code)
        if national:
            written += _write(national_report(store, data, lang, monitor), tmp, formats)
            if progress is not None:
                progress(total, total, "national")
        made = manifest(store, dataset, {"gemeente": data.run}, tmp)
        made["reports"] = {
            "level": level,
            "lang": lang,
            "formats": list(formats),
            "areas": [a.code for a in chosen],
            "national": national,
        }
        (tmp / MANIFEST).write_text(
            json.dumps(made, indent=1, ensure_ascii=False), encoding="utf-8"
        )
    return [out / name for name in [*written, MANIFEST]]


def _write(report: Report, folder: Path, formats: Sequence[str]) -> list[str]:
    names = []
    if "html" in formats:
        name = f"{report.stem}.html"
        (folder / name).write_text(render_html(report), encoding="utf-8")
        names.append(name)
    if "pdf" in formats:
        name = f"{report.stem}.pdf"
        render_pdf(report, folder / name)
        names.append(name)
    return names


def _resolve(data: LevelResults, level: str, areas: Sequence[str] | None) -> list[_Area]:
    """The areas asked for, each checked; ``None`` means every area of the level."""
    if level == "gemeente":
        known = {c: data.name(c) for c in data.codes}
    else:
        regions = data.regions
        known = {str(c): data.name(str(c)) for c in regions.index[regions["level"] == "jeugdregio"]}
    wanted = sorted(known) if areas is None else [a.strip().upper() for a in areas]
    missing = [a for a in wanted if a not in known]
    if missing:
        raise RegionError(
            f"Unknown {level} code {missing[0]!r} in dataset {data.dataset}.",
            hint=_suggest(missing[0], known, level),
            region=missing[0],
        )
    out = []
    for code in dict.fromkeys(wanted):
        members = None
        if level == "jeugdregio":
            members = sorted(
                c for c in data.codes if data.regions["jeugdregio_code"].get(c) == code
            )
        out.append(_Area(code, known[code], members))
    return out


def _suggest(code: str, known: dict[str, str], level: str) -> str:
    by_name = {name.upper(): c for c, name in known.items()}
    close = difflib.get_close_matches(code.upper(), list(known), n=SUGGESTIONS, cutoff=0.5)
    close += [
        by_name[n]
        for n in difflib.get_close_matches(code.upper(), list(by_name), n=SUGGESTIONS, cutoff=0.6)
    ]
    close = list(dict.fromkeys(close))[:SUGGESTIONS]
    if close:
        listed = ", ".join(f"{c} ({known[c]})" for c in close)
        return (
            f"Did you mean {listed}? Codes look like {'GM0363' if level == 'gemeente' else 'JZ01'}."
        )
    return f"See the {level} codes in 'bluezones export' or the atlas."


def _monitor(store: Store, dataset: str) -> dict[str, Any] | None:
    """The monitor's results of ``dataset`` if it has any."""
    from bluezones.monitor.results import MONITOR_TABLES, load_monitor

    if not store.has_table(MONITOR_TABLES["evaluation"]):
        return None
    gate = _gate("released_monitor")
    found: dict[str, Any] = dict((gate or load_monitor)(store, dataset))
    return found if not found["evaluation"].empty else None
