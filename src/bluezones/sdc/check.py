"""``bluezones sdc-check``: scan an output folder for what CBS's output check refuses.

Every file under the folder is read as tables where it can be (CSV, Parquet,
Excel sheets, GeoJSON features, GeoPackage layers, JSON and the atlas's ``.js``
payloads, JSON embedded in or tables shown by HTML, text of PDFs) and checked for

* person identifiers (RINPERSOON, BSN, person_id, ...): any such column or key;
* minimum and maximum columns or keys;
* counts of persons (columns such as ``observed``, ``n``, ``aantal``, ``clients``)
  from 1 to ``min_count - 1``;
* totals that give back a suppressed cell by one subtraction, where the hierarchy
  can be read off the region codes (WKggggww in GMgggg, BUggggwwbb in WKggggww,
  gemeenten and jeugdregio's in NL00): a published total whose listed parts are
  all published but one, or whose suppressed parts together hold fewer than
  ``min_count`` persons.

Files it cannot read are listed as *unchecked*, never passed silently. It does not
replace CBS's own output check (see ``docs/disclosure.md``).
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd

from bluezones.i18n import text
from bluezones.sdc.policy import (
    MIN_CELL,
    check_min_count,
    is_count_column,
    is_minmax_column,
    is_person_id_column,
    normalise,
)

__all__ = ["CheckReport", "Violation", "check_folder"]

#: Files that hold no data: styles, images, fonts.
SKIPPED_SUFFIXES = frozenset(
    {".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".woff", ".woff2", ".map"}
)
#: Columns holding an area's code.
CODE_COLUMNS = frozenset({"region_code", "code", "regio", "regios", "gwb_code", "regiocode"})
#: Columns that split a count further (a total is over one value of each).
DIMENSION_COLUMNS = frozenset(
    {"indicator", "year", "jaar", "perioden", "periode", "measure", "indicatorcode"}
)
#: Columns of a classification; a table of them without area codes counts areas.
STATUS_COLUMNS = frozenset({"classificatie", "classification", "status"})
#: Count names that say nothing of what is counted.
GENERIC_COUNTS = frozenset({"aantal", "count", "n", "number"})
#: A payload of the atlas's ``.js`` twins: ``(window.X=window.X||{})["key"]=<json>;``.
_JS_PAYLOAD = re.compile(r"^\(window\.\w+=window\.\w+\|\|\{\}\)\[(\"[^\"]*\")\]=(.*);\s*$", re.S)
_CODE = re.compile(r"^(NL00|JZ\d{2}|GM\d{4}|WK\d{6}|BU\d{8})$")


@dataclass(frozen=True)
class Violation:
    """One breach of the output rules, where it is and why."""

    file: str
    where: str
    column: str
    rule: str  # small_count, minmax, person_id, difference, unchecked
    fields: tuple[tuple[str, str], ...] = ()

    def message(self, lang: str = "nl") -> str:
        reason = text(f"sdc.rule.{self.rule}", lang, **dict(self.fields))
        return text(
            "sdc.check.violation",
            lang,
            file=self.file,
            where=self.where or "-",
            column=self.column or "-",
            reason=reason,
        )


@dataclass
class CheckReport:
    """What :func:`check_folder` found."""

    root: Path
    min_count: int
    files: int = 0
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def rules(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for v in self.violations:
            out[v.rule] = out.get(v.rule, 0) + 1
        return out


def check_folder(path: Path | str, min_count: int | None = None) -> CheckReport:
    """Scan ``path`` (a folder, or one file) and list every violation.

    ``min_count`` defaults to the largest minimum a ``manifest.json`` in the folder
    records, else :data:`~bluezones.sdc.policy.MIN_CELL`.
    """
    root = Path(path)
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
    if min_count is None:
        min_count = _manifest_minimum(files) or MIN_CELL
    report = CheckReport(root, check_min_count(min_count))
    totals = _Totals()
    for file in files:
        if file.suffix.lower() in SKIPPED_SUFFIXES:
            continue
        name = file.relative_to(root).as_posix() if root.is_dir() else file.name
        report.files += 1
        try:
            for where, frame in _tables(file):
                _check_table(report, name, where, frame, totals)
            for where, key, value in _json_leaves(file):
                _check_leaf(report, name, where, key, value)
        except _UncheckedError as exc:
            report.violations.append(Violation(name, "", "", "unchecked", (("detail", str(exc)),)))
    report.violations.extend(totals.violations(report.min_count))
    return report


class _UncheckedError(Exception):
    """A file that could not be read: reported, never passed."""


# --------------------------------------------------------------------------- readers


def _tables(file: Path) -> Iterator[tuple[str, pd.DataFrame]]:
    """The tables of one file, each with a label of where it is (sheet, layer)."""
    suffix = file.suffix.lower()
    try:
        if suffix in (".csv", ".tsv", ".txt") and suffix != ".txt":
            yield "", pd.read_csv(file, sep=None, engine="python", encoding="utf-8-sig", dtype=str)
        elif suffix == ".parquet":
            yield "", pd.read_parquet(file)
        elif suffix in (".xlsx", ".xlsm"):
            for sheet, frame in pd.read_excel(file, sheet_name=None, dtype=object).items():
                yield f"{sheet}:", frame
        elif suffix == ".gpkg":
            yield from _geopackage(file)
        elif suffix in (".json", ".geojson", ".js"):
            doc = _load_json(file)
            if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
                props = [f.get("properties") or {} for f in doc.get("features", [])]
                yield "feature", pd.DataFrame(props)
            yield from _atlas_tables(file, doc)
        elif suffix in (".html", ".htm"):
            yield from _html_tables(file.read_text(encoding="utf-8"))
        elif suffix == ".pdf":
            yield from _pdf_tables(file)
        elif suffix in (".md", ".txt", ".toml", ".yaml", ".yml"):
            return
        else:
            raise _UncheckedError(f"unknown format {suffix or file.name}")
    except _UncheckedError:
        raise
    except Exception as exc:  # any reader's error: the file stays unchecked
        raise _UncheckedError(f"{type(exc).__name__}: {str(exc)[:80]}") from None


def _load_json(file: Path) -> Any:
    body = file.read_text(encoding="utf-8")
    if file.suffix.lower() == ".js":
        match = _JS_PAYLOAD.match(body.strip())
        if match is None:
            return None  # application code, not data
        body = match.group(2)
    return json.loads(body)


def _geopackage(file: Path) -> Iterator[tuple[str, pd.DataFrame]]:
    con = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")]
        for name in names:
            frame = pd.read_sql_query(f'SELECT * FROM "{name}"', con)
            blobs = [c for c in frame.columns if any(isinstance(v, bytes) for v in frame[c])]
            yield f"{name}:", frame.drop(columns=blobs)
    finally:
        con.close()


def _atlas_tables(file: Path, doc: Any) -> Iterator[tuple[str, pd.DataFrame]]:
    """The atlas's indicator payloads as tables, joined with their level's area codes."""
    if not (isinstance(doc, dict) and "indicator" in doc and isinstance(doc.get("years"), dict)):
        return
    meta_file = file.with_name("meta" + file.suffix)
    try:
        meta = _load_json(meta_file)
        codes = meta["areas"]["code"]
    except (OSError, KeyError, TypeError, ValueError):
        return
    denominator = next(
        (
            i.get("denominator")
            for i in meta.get("indicators", [])
            if i.get("name") == doc["indicator"]
        ),
        None,
    )
    populations = meta.get("denominators", {}).get(denominator, {})
    rows = []
    for year, values in doc["years"].items():
        counts = values.get("o") if isinstance(values, dict) else None
        if not (isinstance(counts, list) and len(counts) == len(codes)):
            continue
        ns = populations.get(year)
        ns = ns if isinstance(ns, list) and len(ns) == len(codes) else [None] * len(codes)
        rows += [
            {"region_code": c, "indicator": doc["indicator"], "year": year, "observed": v, "n": n}
            for c, v, n in zip(codes, counts, ns, strict=True)
        ]
    if rows:
        yield "areas", pd.DataFrame(rows)


class _HTMLTables(HTMLParser):
    """Rows of ``<table>`` elements and the JSON of ``<script type=application/json>``."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.scripts: list[str] = []
        self._cell: list[str] | None = None
        self._json = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "script":
            self._json = "json" in (dict(attrs).get("type") or "")
            if self._json:
                self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "script":
            self._json = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._json:
            self.scripts[-1] += data


def _html_tables(body: str) -> Iterator[tuple[str, pd.DataFrame]]:
    parser = _HTMLTables()
    parser.feed(body)
    for i, rows in enumerate(parser.tables):
        rows = [r for r in rows if r]
        if len(rows) >= 2:
            width = len(rows[0])
            body_rows = [r[:width] + [""] * (width - len(r)) for r in rows[1:]]
            yield f"table {i + 1}:", pd.DataFrame(body_rows, columns=rows[0])
    for script in parser.scripts:
        yield "script:", _records(json.loads(script))


def _pdf_tables(file: Path) -> Iterator[tuple[str, pd.DataFrame]]:
    """A PDF's words checked for person identifiers (its tables' numbers are not parsed)."""
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - pypdf ships with the report dependencies
        raise _UncheckedError("no PDF reader installed") from None
    words: set[str] = set()
    for page in PdfReader(file).pages:
        words |= set(re.findall(r"[A-Za-z_]{3,}", page.extract_text() or ""))
    ids = sorted(w for w in words if is_person_id_column(w))
    yield "text:", pd.DataFrame(columns=ids)


def _records(doc: Any) -> pd.DataFrame:
    if isinstance(doc, list) and all(isinstance(r, dict) for r in doc):
        return pd.DataFrame(doc)
    return pd.DataFrame()


def _json_leaves(file: Path) -> Iterator[tuple[str, str, Any]]:
    """Every (path, key, value) of a JSON file whose key matters to the rules."""
    if file.suffix.lower() not in (".json", ".geojson", ".js"):
        return
    try:
        doc = _load_json(file)
    except (OSError, ValueError):
        return
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        return  # its properties were checked as a table
    yield from _walk(doc, "", counting=None)


def _walk(node: Any, path: str, *, counting: str | None) -> Iterator[tuple[str, str, Any]]:
    """Leaves of ``node``; ``counting`` is the count-like key above them, if any."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if is_person_id_column(key) or is_minmax_column(key):
                yield here, str(key), None
            elif counting is None and is_count_column(key) and not isinstance(value, str):
                if isinstance(value, (dict, list)):
                    yield from _walk(value, here, counting=str(key))
                else:
                    yield here, str(key), value
            elif counting is not None and not isinstance(value, (dict, list)):
                yield here, counting, value
            else:
                yield from _walk(value, here, counting=counting)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            here = f"{path}[{i}]"
            if counting is not None and not isinstance(value, (dict, list)):
                yield here, counting, value
            else:
                yield from _walk(value, here, counting=counting)


def _check_leaf(report: CheckReport, file: str, where: str, key: str, value: Any) -> None:
    if is_person_id_column(key):
        report.violations.append(Violation(file, where, key, "person_id"))
    elif is_minmax_column(key):
        report.violations.append(Violation(file, where, key, "minmax"))
    elif _small(value, report.min_count):
        report.violations.append(Violation(file, where, key, "small_count", _fields(value, report)))


def _check_table(
    report: CheckReport, file: str, where: str, frame: pd.DataFrame, totals: _Totals
) -> None:
    for col in frame.columns:
        if is_person_id_column(col):
            report.violations.append(Violation(file, where, str(col), "person_id"))
        elif is_minmax_column(col):
            report.violations.append(Violation(file, where, str(col), "minmax"))
    counts = [c for c in frame.columns if is_count_column(c)]
    if not counts or frame.empty:
        return
    code_col = next((c for c in frame.columns if normalise(c) in CODE_COLUMNS), None)
    if code_col is None and any(normalise(c) in STATUS_COLUMNS for c in frame.columns):
        # "Aantal" per classification, without areas in the rows: a count of areas.
        counts = [c for c in counts if normalise(c) not in GENERIC_COUNTS]
    label = where or ("row" if file.endswith((".csv", ".parquet")) else "")
    for col in counts:
        values = pd.to_numeric(frame[col], errors="coerce")
        for i, value in enumerate(values):
            if _small(value, report.min_count):
                report.violations.append(
                    Violation(
                        file,
                        _row(label, i, frame, code_col),
                        str(col),
                        "small_count",
                        _fields(value, report),
                    )
                )
    if code_col is not None:
        dims = [c for c in frame.columns if normalise(c) in DIMENSION_COLUMNS]
        totals.add(file, label, frame, code_col, dims, counts)


def _row(label: str, i: int, frame: pd.DataFrame, code_col: object) -> str:
    code = f" ({frame[code_col].iloc[i]})" if code_col is not None else ""
    return f"{label.rstrip(':')}{':' if label else ''}{i + 1}{code}".replace("::", ":")


def _small(value: Any, min_count: int) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return math.isfinite(value) and 0 < value < min_count


def _fields(value: Any, report: CheckReport) -> tuple[tuple[str, str], ...]:
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    return (("value", shown), ("min_count", str(report.min_count)))


class _Totals:
    """Counts by (column, dimensions) and area code, across files, to test subtraction."""

    def __init__(self) -> None:
        self.cells: dict[tuple[Any, ...], dict[str, tuple[float, str, str]]] = {}

    def add(
        self,
        file: str,
        label: str,
        frame: pd.DataFrame,
        code_col: object,
        dims: list[Any],
        counts: list[Any],
    ) -> None:
        codes = frame[code_col].astype(str).str.strip()
        for col in counts:
            values = pd.to_numeric(frame[col], errors="coerce").to_numpy(float)
            keys = [tuple(str(v) for v in row) for row in frame[dims].itertuples(index=False)]
            for i, (code, value) in enumerate(zip(codes, values, strict=True)):
                if not _CODE.match(code):
                    continue
                key = (normalise(col), *keys[i]) if dims else (normalise(col),)
                where = _row(label, i, frame, code_col)
                self.cells.setdefault(key, {}).setdefault(code, (float(value), file, where))

    def violations(self, min_count: int) -> list[Violation]:
        out = []
        for key, cells in self.cells.items():
            groups: dict[str, list[str]] = {}
            for code in cells:
                parent = _parent(code)
                if parent is not None and parent in cells:
                    groups.setdefault(parent, []).append(code)
            for parent, kids in sorted(groups.items()):
                total = cells[parent][0]
                if not math.isfinite(total):
                    continue
                hidden = sorted(k for k in kids if not math.isfinite(cells[k][0]))
                if not hidden:
                    continue
                rest = total - sum(cells[k][0] for k in kids if k not in hidden)
                if rest == 0 and self._nobody(key, parent, kids, hidden):
                    continue  # the hidden parts hold no persons at all (no rows)
                if len(hidden) == 1 or 0 < rest < min_count:
                    _, file, where = cells[hidden[0]]
                    fields = (("total", parent), ("cell", "+".join(hidden)))
                    out.append(Violation(file, where, key[0], "difference", fields))
        return out

    def _nobody(
        self, key: tuple[Any, ...], parent: str, kids: list[str], hidden: list[str]
    ) -> bool:
        """Whether the population column shows that the hidden parts have no one."""
        if key[0] == "n":
            return True
        people = self.cells.get(("n", *key[1:]))
        if not people or parent not in people:
            return False
        shown = [people[k][0] for k in kids if k not in hidden and k in people]
        if not all(math.isfinite(v) for v in shown):
            return False
        return people[parent][0] - sum(shown) == 0


def _parent(code: str) -> str | None:
    if code.startswith("BU"):
        return "WK" + code[2:8]
    if code.startswith("WK"):
        return "GM" + code[2:6]
    if code.startswith(("GM", "JZ")):
        return "NL00"
    return None


def _manifest_minimum(files: list[Path]) -> int | None:
    found = []
    for file in files:
        if file.name != "manifest.json":
            continue
        try:
            note = json.loads(file.read_text(encoding="utf-8")).get("disclosure_control") or {}
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(note.get("min_count"), int):
            found.append(note["min_count"])
    return max(found) if found else None
