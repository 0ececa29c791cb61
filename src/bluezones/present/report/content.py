"""A report's content in one language: sections of text, tables and figures.

The HTML and the PDF writer render the same :class:`Report`, so both show the
same numbers, formatted once here: ratios with two decimals, counts whole,
expected counts with one decimal, probabilities never as certain ('> 99%'),
and a decimal comma in Dutch.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bluezones.i18n import text
from bluezones.indicators import INDICATORS, TREND_BREAKS
from bluezones.present.atlas.data import mergers
from bluezones.present.atlas.monitor import indicator_label
from bluezones.present.provenance import sources, version
from bluezones.present.report.data import (
    PEERS_SHOWN,
    AreaNumbers,
    IndicatorRow,
    LevelResults,
)
from bluezones.present.report.draw import (
    MISSING,
    RATIO_BREAKS,
    RATIO_COLOURS,
    STATUS_COLOURS,
    Scene,
    legend_scene,
    map_scene,
    ratio_colour,
    stack,
    trend_scene,
)
from bluezones.store import Store

__all__ = ["Report", "Section", "Table", "area_report", "national_report"]

#: Statuses in the order they are listed.
STATUSES = ("bluezone", "escalation", "high", "as_expected", "too_small")


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    numeric: list[bool] = field(default_factory=list)  # right-aligned columns


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    figures: list[tuple[Scene, str]] = field(default_factory=list)  # scene, caption
    tables: list[Table] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)


@dataclass
class Report:
    """One report in one language: what the HTML and the PDF writer both render."""

    stem: str  # file name without extension
    lang: str
    title: str
    subtitle: str
    status: str | None  # classification status of the headline (None: no badge)
    status_label: str
    headline: list[str]
    sections: list[Section]
    values: dict[str, Any] = field(default_factory=dict)  # what tests compare with the store


# --------------------------------------------------------------------------- formatting


def number(value: float | None, decimals: int, lang: str) -> str:
    """A number as a reader sees it; '–' if missing.

    >>> number(0.8149, 2, "nl"), number(1234.5, 1, "en"), number(None, 2, "nl")
    ('0,81', '1,234.5', '–')
    """
    if value is None or not math.isfinite(value):
        return "–"
    out = f"{value:,.{decimals}f}"
    if lang == "nl":
        out = out.replace(",", "_").replace(".", ",").replace("_", ".")
    return out


def probability(value: float | None, lang: str) -> str:
    """A probability never shown as certain: '> 99%', '< 1%'."""
    if value is None or not math.isfinite(value):
        return "–"
    if value > 0.99:
        return "> 99%"
    if value < 0.01:
        return "< 1%"
    return f"{number(100 * value, 0, lang)}%"


def interval(low: float | None, high: float | None, lang: str) -> str:
    if low is None or high is None:
        return "–"
    return f"{number(low, 2, lang)}–{number(high, 2, lang)}"


def label(indicator: str, lang: str) -> str:
    ind = INDICATORS.get(indicator)
    if ind is None:
        return indicator
    return ind.label_nl if lang == "nl" else ind.label_en


def status_label(status: str | None, lang: str) -> str:
    if status is None or f"status.{status}" not in _STATUS_KEYS:
        return "–"
    return text(f"status.{status}", lang)


_STATUS_KEYS = {f"status.{s}" for s in STATUSES}


# --------------------------------------------------------------------------- area reports


def area_report(
    store: Store,
    data: LevelResults,
    numbers: AreaNumbers,
    lang: str,
    *,
    name: str,
    wijken: LevelResults | None = None,
    monitor: dict[str, Any] | None = None,
) -> Report:
    """The report of one gemeente, wijk or jeugdregio (``numbers.kind``)."""
    code, kind = numbers.code, numbers.kind
    cls = data.results["classification"].set_index("region_code")
    status = None if kind == "jeugdregio" else str(cls.loc[code, "status"])
    years = data.years
    headline = _headline(data, numbers, lang, name, status, cls)
    sections = [
        _map_section(data, numbers, lang, wijken),
        _indicator_section(data, numbers, lang),
        _trend_section(data, numbers, lang),
    ]
    if kind == "jeugdregio":
        sections.append(_member_section(data, numbers, lang))
        if monitor is not None:
            sections.append(_monitor_section(monitor, lang, code))
    else:
        sections.append(_peer_section(data, code, lang))
    sections.append(_notes_section(store, data, numbers, lang))
    sections += [_method_section(lang, kind), _caveat_section(lang)]
    sections.append(_provenance_section(store, data, lang))
    parent = ""
    if kind != "jeugdregio":
        parent_code = data.regions["gemeente_code" if kind == "wijk" else "jeugdregio_code"].get(
            code
        )
        if parent_code is not None and not pd.isna(parent_code):
            parent = text(f"report.in.{kind}", lang, name=data.name(str(parent_code)))
    subtitle = text(
        "report.subtitle",
        lang,
        code=code,
        parent=parent,
        dataset=data.dataset,
        first=years[0],
        last=years[-1],
        year=data.reference_year,
    )
    return Report(
        stem=code,
        lang=lang,
        title=text(f"report.title.{kind}", lang, name=name),
        subtitle=subtitle,
        status=status,
        status_label=status_label(status, lang) if status else text("report.region", lang),
        headline=headline,
        sections=sections,
        values={"name": name, "rows": numbers.rows, "status": status},
    )


def _headline(
    data: LevelResults,
    numbers: AreaNumbers,
    lang: str,
    name: str,
    status: str | None,
    cls: pd.DataFrame,
) -> list[str]:
    if status is not None:
        reasons = data.reasons.get(lang, {}).get(numbers.code, "")
        if status == "as_expected" or not reasons:
            row = cls.loc[numbers.code]
            reasons = text(
                "reason.as_expected",
                lang,
                p_below=probability(_f(row["p_below"]), lang),
                p_above=probability(_f(row["p_above"]), lang),
            )
        return [
            text("report.headline", lang, name=name, status=status_label(status, lang)),
            reasons,
        ]
    primary = next(r for r in numbers.rows if r.indicator == data.primary)
    out = []
    if primary.pooled is not None:
        size = abs(100 * (primary.pooled - 1))
        out.append(
            text(
                "report.region.pooled",
                lang,
                name=name,
                indicator=label(data.primary, lang).lower(),
                first=data.years[0],
                last=data.years[-1],
                size=number(size, 0, lang),
                direction=text("report.lower" if primary.pooled < 1 else "report.higher", lang),
                ratio=number(primary.pooled, 2, lang),
                interval=interval(primary.pooled_low, primary.pooled_high, lang),
            )
        )
    counts = Counter(str(cls.loc[m, "status"]) for m in numbers.members if m in cls.index)
    listed = ", ".join(
        f"{counts[s]} {status_label(s, lang).lower()}" for s in STATUSES if counts.get(s)
    )
    out.append(text("report.region.members", lang, n=len(numbers.members), counts=listed))
    return out


def _map_section(
    data: LevelResults, numbers: AreaNumbers, lang: str, wijken: LevelResults | None
) -> Section:
    section = Section(text("report.section.map", lang))
    source = data
    focus = numbers.members or [numbers.code]
    outlines = None
    whole = False
    if wijken is not None and numbers.kind == "gemeente":
        inside = [c for c in wijken.codes if wijken.regions["gemeente_code"].get(c) == numbers.code]
        if inside:
            source, focus, whole = wijken, inside, True
            outlines = {numbers.code: data.shapes[numbers.code]}
    cls = source.results["classification"].set_index("region_code")
    geoms = source.shapes
    if whole:
        geoms = {c: geoms[c] for c in focus if c in geoms}
    ratios = {c: _f(cls["ratio"].get(c)) for c in cls.index}
    statuses = {c: str(cls["status"].get(c)) for c in cls.index}
    too_small = {c for c, s in statuses.items() if s == "too_small"}
    ratio_fill = {c: MISSING if c in too_small else ratio_colour(r) for c, r in ratios.items()}
    status_fill = {c: STATUS_COLOURS.get(s, MISSING) for c, s in statuses.items()}
    ind = label(source.primary, lang)
    ratio_title = text("report.map.ratio", lang, indicator=ind)
    status_title = text("report.map.status", lang)
    ratio_map = map_scene(geoms, ratio_fill, focus, ratio_title, whole=whole, outlines=outlines)
    status_map = map_scene(geoms, status_fill, focus, status_title, whole=whole, outlines=outlines)
    section.figures.append((stack(ratio_map, _ratio_legend(lang)), ratio_title))
    section.figures.append((stack(status_map, _status_legend(lang)), status_title))
    key = "report.map.note_wijk" if whole else "report.map.note"
    section.paragraphs.append(text(key, lang))
    return section


def _ratio_legend(lang: str) -> Scene:
    edges = ["<" + number(RATIO_BREAKS[0], 2, lang)]
    edges += [
        f"{number(a, 2, lang)}–{number(b, 2, lang)}" for a, b in itertools.pairwise(RATIO_BREAKS)
    ]
    edges.append("≥" + number(RATIO_BREAKS[-1], 2, lang))
    items = [
        *zip(RATIO_COLOURS, edges, strict=True),
        (MISSING, text("report.legend.missing", lang)),
    ]
    return legend_scene(items, text("report.legend.ratio", lang))


def _status_legend(lang: str) -> Scene:
    items = [(STATUS_COLOURS[s], status_label(s, lang)) for s in STATUSES]
    return legend_scene(items, text("report.map.status", lang), per_row=2)


def _indicator_section(data: LevelResults, numbers: AreaNumbers, lang: str) -> Section:
    year = max((r.year for r in numbers.rows if r.year is not None), default=data.years[-1])
    header = [
        text("report.col.indicator", lang),
        text("report.col.observed", lang, year=year),
        text("report.col.expected", lang, year=year),
        text("report.col.ratio", lang, year=year),
        text("report.col.pooled", lang, first=data.years[0], last=data.years[-1]),
    ]
    lasting = numbers.kind != "jeugdregio"
    if lasting:
        header += [
            text("report.col.lasting", lang),
            text("report.col.p_below", lang),
            text("report.col.p_above", lang),
        ]
    rows = [_indicator_cells(r, lang, lasting, year) for r in numbers.rows]
    section = Section(text("report.section.indicators", lang))
    section.tables.append(Table(header, rows, [False] + [True] * (len(header) - 1)))
    section.paragraphs.append(text("report.table.note", lang))
    return section


def _indicator_cells(row: IndicatorRow, lang: str, lasting: bool, year: int) -> list[str]:
    name = label(row.indicator, lang)
    if row.year is not None and row.year != year:
        name += f" ({row.year})"
    cells = [
        name,
        number(row.observed, 0, lang),
        number(row.expected, 1, lang),
        f"{number(row.ratio, 2, lang)} ({interval(row.ratio_low, row.ratio_high, lang)})",
        f"{number(row.pooled, 2, lang)} ({interval(row.pooled_low, row.pooled_high, lang)})",
    ]
    if lasting:
        cells += [
            f"{number(row.lasting, 2, lang)} ({interval(row.lasting_low, row.lasting_high, lang)})",
            probability(row.p_below, lang),
            probability(row.p_above, lang),
        ]
    return cells


def _trend_section(data: LevelResults, numbers: AreaNumbers, lang: str) -> Section:
    section = Section(text("report.section.trend", lang))
    decimal = "," if lang == "nl" else "."
    for row in numbers.rows:
        scene = trend_scene(
            numbers.trends[row.indicator],
            (row.lasting_low, row.lasting_high),
            TREND_BREAKS,
            label(row.indicator, lang),
            text("atlas.area.break", lang),
            decimal,
        )
        section.figures.append((scene, label(row.indicator, lang)))
    section.paragraphs.append(text("report.trend.caption", lang))
    return section


def _peer_section(data: LevelResults, code: str, lang: str) -> Section:
    peers = data.results["peers"]
    peers = peers[peers["region_code"] == code].sort_values("rank").head(PEERS_SHOWN)
    cls = data.results["classification"].set_index("region_code")
    rows = []
    for peer in peers["peer_code"]:
        if peer not in cls.index:
            continue
        row = cls.loc[peer]
        rows.append(
            [
                data.name(peer),
                str(peer),
                status_label(str(row["status"]), lang),
                f"{number(_f(row['ratio']), 2, lang)} "
                f"({interval(_f(row['ratio_low']), _f(row['ratio_high']), lang)})",
            ]
        )
    section = Section(text("report.section.peers", lang))
    header = [
        text("report.col.area", lang),
        text("report.col.code", lang),
        text("report.col.status", lang),
        text("report.col.lasting", lang),
    ]
    if rows:
        section.tables.append(Table(header, rows, [False, False, False, True]))
    else:
        section.paragraphs.append(text("report.list.empty", lang))
    return section


def _member_section(data: LevelResults, numbers: AreaNumbers, lang: str) -> Section:
    cls = data.results["classification"].set_index("region_code")
    rows = []
    for member in sorted(numbers.members, key=data.name):
        row = cls.loc[member] if member in cls.index else None
        rows.append(
            [
                data.name(member),
                member,
                "–" if row is None else status_label(str(row["status"]), lang),
                "–"
                if row is None
                else f"{number(_f(row['ratio']), 2, lang)} "
                f"({interval(_f(row['ratio_low']), _f(row['ratio_high']), lang)})",
            ]
        )
    header = [
        text("report.col.area", lang),
        text("report.col.code", lang),
        text("report.col.status", lang),
        text("report.col.lasting", lang),
    ]
    return Section(
        text("report.section.members", lang),
        tables=[Table(header, rows, [False, False, False, True])],
    )


def _notes_section(store: Store, data: LevelResults, numbers: AreaNumbers, lang: str) -> Section:
    notes: list[str] = []
    for ind, points in numbers.trends.items():
        missing: dict[str, list[str]] = {}
        for p in points:
            if p.ratio is None and numbers.kind != "jeugdregio":
                missing.setdefault(p.note or "–", []).append(str(p.year))
        for reason, years in missing.items():
            notes.append(
                text(
                    "atlas.area.note_missing",
                    lang,
                    indicator=label(ind, lang),
                    years=", ".join(years),
                    reason=reason,
                )
            )
    for ind, by_year in numbers.missing_members.items():
        for year, n in sorted(by_year.items()):
            notes.append(
                text(
                    "report.note.members_missing", lang, indicator=label(ind, lang), year=year, n=n
                )
            )
    codes = numbers.members or [numbers.code]
    merged = mergers(store, data.dataset, data.level, pd.Index(codes))
    for found in merged.values():
        for m in found:
            key = "atlas.area.note_merger_part" if m["weight"] < 1 else "atlas.area.note_merger"
            notes.append(
                text(
                    key,
                    lang,
                    year=m["year"],
                    name=m["name"],
                    code=m["code"],
                    share=f"{round(100 * m['weight'])}%",
                    reference=data.reference_year,
                )
            )
    spatial = data.results["spatial"].set_index("region_code")
    if any(spatial["cluster"].get(c) == "eiland" for c in codes):
        notes.append(text("atlas.area.note_island", lang))
    notes.append(text("atlas.area.note_provisional", lang, year=data.years[-1]))
    return Section(text("report.section.notes", lang), bullets=notes)


def _method_section(lang: str, kind: str) -> Section:
    keys = ["expected", "ratio", "lasting", "status"]
    if kind == "jeugdregio":
        keys.append("region")
    return Section(
        text("report.section.method", lang),
        paragraphs=[text(f"report.method.{k}", lang) for k in keys],
    )


def _caveat_section(lang: str) -> Section:
    return Section(
        text("report.section.caveats", lang),
        bullets=[text(f"report.caveat.{k}", lang) for k in ("policy", "break", "small", "model")],
    )


def _provenance_section(store: Store, data: LevelResults, lang: str) -> Section:
    run = data.run
    config = run["config"]
    rows = [
        [text("report.prov.dataset", lang), data.dataset],
        [text("report.prov.level", lang), data.level],
        [text("report.prov.reference_year", lang), str(run["reference_year"])],
        [text("report.prov.run", lang), str(run["created_at"])[:19]],
        [
            text("report.prov.model", lang),
            ", ".join(config.get("indicators", []))
            + " ~ "
            + " + ".join(config.get("covariates", [])),
        ],
        [
            text("report.prov.settings", lang),
            f"levels={config.get('levels')}, overdispersion={config.get('overdispersion')}, "
            f"fdr={config.get('rules', {}).get('fdr')}, persistence={config.get('persistence')}",
        ],
        [text("report.prov.seed", lang), str(config.get("seed"))],
        [text("report.prov.version", lang), f"bluezones {version()}"],
    ]
    section = Section(
        text("report.section.provenance", lang),
        tables=[Table([text("report.prov.what", lang), text("report.prov.value", lang)], rows)],
    )
    tables = sources(store)
    if tables:
        section.tables.append(
            Table(
                [
                    text("report.prov.table", lang),
                    text("report.prov.source", lang),
                    text("report.prov.modified", lang),
                ],
                [[t["table_id"] or "", t["source"] or "", t["modified"] or "–"] for t in tables],
            )
        )
    else:
        section.paragraphs.append(text("report.prov.no_sources", lang, dataset=data.dataset))
    section.paragraphs.append(text("report.prov.manifest", lang))
    return section


def _monitor_section(monitor: dict[str, Any], lang: str, region: str | None) -> Section:
    """The youth-protection monitor: a region's latest rates, or the pilots' evaluation."""
    section = Section(text("report.section.monitor", lang))
    indicators = monitor["indicators"]
    if region is not None and not indicators.empty and "region_code" in indicators:
        part = indicators[indicators["region_code"] == region]
        if not part.empty:
            last = int(part["year"].max())
            latest = part[part["year"] == last]
            rows = [
                [_monitor_label(str(r["indicator"]), lang), number(_f(r.get("value")), 1, lang)]
                for _, r in latest.iterrows()
            ]
            section.tables.append(
                Table(
                    [text("report.col.indicator", lang), text("report.col.value", lang, year=last)],
                    rows,
                    [False, True],
                )
            )
    for summary in monitor.get("summaries", {}).values():
        sentence = summary.get(f"sentence_{lang}") or summary.get("sentence")
        if sentence:
            section.paragraphs.append(str(sentence))
    if not section.tables and not section.paragraphs:
        section.paragraphs.append(text("report.monitor.none", lang))
    return section


def _monitor_label(name: str, lang: str) -> str:
    """The indicator's readable name; its code when the monitor does not know it."""
    try:
        return indicator_label(name)[lang]
    except KeyError:
        return name


# --------------------------------------------------------------------------- national


def national_report(
    store: Store, data: LevelResults, lang: str, monitor: dict[str, Any] | None = None
) -> Report:
    """The national summary: counts per status, the lists with reasons, the national maps."""
    cls = data.results["classification"]
    counts = Counter(cls["status"].astype(str))
    n = len(cls)
    headline = [
        text(
            "report.national.headline",
            lang,
            n=n,
            level=text(f"report.level.{data.level}", lang),
            bluezone=counts.get("bluezone", 0),
            escalation=counts.get("escalation", 0),
            high=counts.get("high", 0),
            first=data.years[0],
            last=data.years[-1],
        )
    ]
    count_rows = [[status_label(s, lang), str(counts.get(s, 0))] for s in STATUSES]
    sections = [
        Section(
            text("report.section.counts", lang),
            tables=[
                Table(
                    [text("report.col.status", lang), text("report.col.count", lang)],
                    count_rows,
                    [False, True],
                )
            ],
        )
    ]
    listed: dict[str, list[str]] = {}
    for status in ("bluezone", "escalation", "high"):
        part = cls[cls["status"] == status].sort_values("ratio")
        listed[status] = part["region_code"].tolist()
        rows = [
            [
                data.name(code),
                code,
                f"{number(_f(r['ratio']), 2, lang)} "
                f"({interval(_f(r['ratio_low']), _f(r['ratio_high']), lang)})",
                data.reasons.get(lang, {}).get(code, ""),
            ]
            for code, (_, r) in zip(part["region_code"], part.iterrows(), strict=True)
        ]
        section = Section(text(f"report.section.list.{status}", lang))
        if rows:
            header = [
                text("report.col.area", lang),
                text("report.col.code", lang),
                text("report.col.lasting", lang),
                text("report.col.reasons", lang),
            ]
            section.tables.append(Table(header, rows, [False, False, True, False]))
        else:
            section.paragraphs.append(text("report.list.empty", lang))
        sections.append(section)
    statuses = dict(zip(cls["region_code"], cls["status"].astype(str), strict=True))
    ratios = dict(zip(cls["region_code"], cls["ratio"], strict=True))
    ratio_fill = {
        c: MISSING if statuses[c] == "too_small" else ratio_colour(_f(r)) for c, r in ratios.items()
    }
    status_fill = {c: STATUS_COLOURS.get(s, MISSING) for c, s in statuses.items()}
    ratio_title = text("report.map.ratio", lang, indicator=label(data.primary, lang))
    status_title = text("report.map.status", lang)
    maps = Section(text("report.section.national_map", lang))
    status_map = map_scene(data.shapes, status_fill, [], status_title, whole=True)
    ratio_map = map_scene(data.shapes, ratio_fill, [], ratio_title, whole=True)
    maps.figures += [
        (stack(status_map, _status_legend(lang)), status_title),
        (stack(ratio_map, _ratio_legend(lang)), ratio_title),
    ]
    sections.insert(1, maps)
    if monitor is not None:
        sections.append(_monitor_section(monitor, lang, None))
    sections += [_method_section(lang, data.level), _caveat_section(lang)]
    sections.append(_provenance_section(store, data, lang))
    return Report(
        stem="national",
        lang=lang,
        title=text("report.title.national", lang),
        subtitle=text(
            "report.subtitle.national",
            lang,
            dataset=data.dataset,
            first=data.years[0],
            last=data.years[-1],
            year=data.reference_year,
        ),
        status=None,
        status_label="",
        headline=headline,
        sections=sections,
        values={"listed": listed, "counts": dict(counts)},
    )


def _f(value: object) -> float | None:
    try:
        number_ = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number_ if math.isfinite(number_) else None
