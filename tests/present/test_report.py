"""Reports: the numbers printed equal the stored results, in HTML and PDF, safely and offline."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from bluezones.cli import main
from bluezones.detect.results import load_results
from bluezones.errors import DataError, DetectError, RegionError
from bluezones.present.report import write_reports
from bluezones.present.report.data import area_numbers, load_level
from bluezones.store import Store

from .conftest import HOSTILE

ACCENTED = "Ö'\"&"


@pytest.fixture(scope="module")
def report_store(atlas_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The atlas store (with its hostile gemeente) plus a gemeente named Ö'"&."""
    path = tmp_path_factory.mktemp("report") / "store.duckdb"
    shutil.copy(atlas_store, path)
    with Store(path) as store:
        code = _codes(store)["plain"]
        store.con.execute(
            "UPDATE regions SET name = ? WHERE dataset = 'demo' AND region_code = ?",
            [ACCENTED, code],
        )
    return path


def _codes(store: Store) -> dict[str, str]:
    cls = load_results(store, "demo", "gemeente")["classification"]
    names = store.read("regions", where={"dataset": "demo", "year": 2024})
    by_name = dict(zip(names["name"], names["region_code"], strict=False))
    hostile = by_name[HOSTILE]
    listed = cls[(cls["status"] == "bluezone") & (cls["region_code"] != hostile)]
    plain = cls[(cls["status"] == "as_expected")]["region_code"]
    return {"hostile": hostile, "listed": listed["region_code"].iloc[0], "plain": plain.iloc[-1]}


@pytest.fixture(scope="module")
def codes(report_store: Path) -> dict[str, str]:
    with Store(report_store, read_only=True) as store:
        return _codes(store)


@pytest.fixture(scope="module")
def reports(report_store: Path, codes: dict[str, str], tmp_path_factory: pytest.TempPathFactory):
    """Dutch reports of three gemeenten and the national summary."""
    out = tmp_path_factory.mktemp("reports") / "nl"
    with Store(report_store, read_only=True) as store:
        write_reports(store, "demo", out, areas=list(codes.values()), national=True)
    return out


def _pdf_text(path: Path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(path).pages).replace("\n", " ")


def _nl(value: float, decimals: int) -> str:
    """Dutch number format, written independently of the package's formatter."""
    text = f"{value:,.{decimals}f}"
    return text.translate(str.maketrans({",": ".", ".": ","}))


def _latest(area_year: pd.DataFrame, code: str, indicator: str) -> pd.Series | None:
    """The latest usable year of an area's indicator; None when every year is suppressed."""
    cells = area_year[
        (area_year["region_code"] == code)
        & (area_year["indicator"] == indicator)
        & area_year["usable"].astype(bool)
    ]
    return None if cells.empty else cells.sort_values("year").iloc[-1]


def test_values_in_html_and_pdf_equal_the_stored_results(
    report_store: Path, reports: Path, codes: dict[str, str]
) -> None:
    with Store(report_store, read_only=True) as store:
        results = load_results(store, "demo", "gemeente")
    area_year, evidence = results["area_year"], results["evidence"]
    for code in codes.values():
        html = (reports / f"{code}.html").read_text(encoding="utf-8")
        pdf = _pdf_text(reports / f"{code}.pdf")
        for indicator in ("jeugdhulp", "jeugdbescherming", "uithuisplaatsing"):
            ev = evidence[(evidence["region_code"] == code) & (evidence["indicator"] == indicator)]
            lasting = ev.iloc[0]
            # The lasting effect rests on suppressed years too, so every area has one.
            shown = [
                f"{_nl(lasting['ratio'], 2)} "
                f"({_nl(lasting['ratio_low'], 2)}–{_nl(lasting['ratio_high'], 2)})",
            ]
            cell = _latest(area_year, code, indicator)
            if cell is not None:
                shown += [
                    _nl(cell["expected"], 1),
                    f"{_nl(cell['ratio'], 2)} "
                    f"({_nl(cell['ratio_low'], 2)}–{_nl(cell['ratio_high'], 2)})",
                ]
                observed = _nl(cell["observed"], 0)
                row = re.search(
                    rf"<td>[^<]*</td><td class=\"num\">{re.escape(observed)}</td>", html
                )
                assert row is not None, (code, indicator)
                assert observed in pdf
            for value in shown:
                assert value in html, (code, indicator, value)
                assert value in pdf, (code, indicator, value)


def test_status_and_reasons_head_the_report(
    report_store: Path, reports: Path, codes: dict[str, str]
) -> None:
    with Store(report_store, read_only=True) as store:
        cls = load_results(store, "demo", "gemeente")["classification"].set_index("region_code")
    html = (reports / f"{codes['listed']}.html").read_text(encoding="utf-8")
    assert 'class="badge st-bluezone">BlueZone-kandidaat<' in html
    reasons = str(cls.loc[codes["listed"], "reasons"])
    assert reasons.split(";")[0] in html  # stored in Dutch: shown as stored
    assert reasons.split(";")[0] in _pdf_text(reports / f"{codes['listed']}.pdf")


def test_hostile_names_are_escaped_in_html_and_intact_in_pdf(
    reports: Path, codes: dict[str, str]
) -> None:
    html = (reports / f"{codes['hostile']}.html").read_text(encoding="utf-8")
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert HOSTILE in _pdf_text(reports / f"{codes['hostile']}.pdf")
    accented = (reports / f"{codes['plain']}.html").read_text(encoding="utf-8")
    assert ACCENTED not in accented and "Ö&#39;&#34;&amp;" in accented
    assert ACCENTED in _pdf_text(reports / f"{codes['plain']}.pdf")
    national = (reports / "national.html").read_text(encoding="utf-8")
    assert "<script" not in national and "&lt;script&gt;" in national


def test_html_asks_no_other_host(reports: Path) -> None:
    for page in reports.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", html), page
        assert "url(" not in html and "@import" not in html and "<link" not in html
        assert "<script" not in html and "<img" not in html
        # the one URL is the SVG namespace, which no browser fetches
        assert set(re.findall(r"https?://[^\s\"'<]+", html)) <= {"http://www.w3.org/2000/svg"}


def test_pdfs_have_a_sane_length(reports: Path, codes: dict[str, str]) -> None:
    for code in codes.values():
        assert 2 <= len(PdfReader(reports / f"{code}.pdf").pages) <= 6
    assert 2 <= len(PdfReader(reports / "national.pdf").pages) <= 15


def test_national_summary_lists_exactly_the_stored_candidates(
    report_store: Path, reports: Path
) -> None:
    with Store(report_store, read_only=True) as store:
        cls = load_results(store, "demo", "gemeente")["classification"]
    html = (reports / "national.html").read_text(encoding="utf-8")
    sections = dict(re.findall(r"<h2>([^<]+)</h2>(.*?)</section>", html, flags=re.S))
    for title, status in (
        ("BlueZone-kandidaten", "bluezone"),
        ("Laag gebruik, maar hoge escalatie", "escalation"),
        ("Opvallend hoog", "high"),
    ):
        listed = set(re.findall(r"<td>(GM\d{4})</td>", sections[title]))
        assert listed == set(cls.loc[cls["status"] == status, "region_code"]), title
    counts = sections["Aantallen per classificatie"]
    n = int((cls["status"] == "bluezone").sum())
    assert re.search(rf"BlueZone-kandidaat</td><td class=\"num\">{n}</td>", counts)
    pdf = _pdf_text(reports / "national.pdf")
    for code in cls.loc[cls["status"] == "bluezone", "region_code"]:
        assert code in pdf


def test_manifest_records_provenance(reports: Path, codes: dict[str, str]) -> None:
    made: dict[str, Any] = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    assert made["dataset"] == "demo" and made["reports"]["lang"] == "nl"
    assert made["levels"]["gemeente"]["config"]["seed"] == 0
    assert set(made["files"]) == {p.name for p in reports.iterdir() if p.name != "manifest.json"}
    assert set(made["reports"]["areas"]) == set(codes.values())


def test_english_switch(report_store: Path, codes: dict[str, str], tmp_path: Path) -> None:
    with Store(report_store, read_only=True) as store:
        write_reports(store, "demo", tmp_path / "en", areas=[codes["listed"]], lang="en")
        cls = load_results(store, "demo", "gemeente")["classification"]
    html = (tmp_path / "en" / f"{codes['listed']}.html").read_text(encoding="utf-8")
    pdf = _pdf_text(tmp_path / "en" / f"{codes['listed']}.pdf")
    assert '<html lang="en">' in html
    for page in (html, pdf):
        assert "Indicators against expectation" in page and "BlueZone candidate" in page
        assert "Indicatoren tegen de verwachting" not in page
        assert "lower than expected" in page  # the reasons, written again in English
    ratio = float(cls.set_index("region_code").loc[codes["listed"], "ratio"])
    assert f"{ratio:.2f}" in html and f"{ratio:.2f}" in pdf


def test_jeugdregio_sums_its_gemeenten(report_store: Path, tmp_path: Path) -> None:
    with Store(report_store, read_only=True) as store:
        data = load_level(store, "demo", "gemeente")
        region = str(data.regions.loc[data.codes[0], "jeugdregio_code"])
        members = [c for c in data.codes if data.regions.loc[c, "jeugdregio_code"] == region]
        numbers = area_numbers(data, region, members)
        write_reports(store, "demo", tmp_path / "r", level="jeugdregio", areas=[region.lower()])
    area_year = data.results["area_year"]
    cells = area_year[area_year["region_code"].isin(members) & area_year["usable"].astype(bool)]
    html = (tmp_path / "r" / f"{region}.html").read_text(encoding="utf-8")
    pdf = _pdf_text(tmp_path / "r" / f"{region}.pdf")
    for row in numbers.rows:
        part = cells[(cells["indicator"] == row.indicator) & (cells["year"] == row.year)]
        assert row.observed == part["observed"].sum()
        assert row.expected == pytest.approx(part["expected"].sum())
        assert row.ratio == pytest.approx(part["observed"].sum() / part["expected"].sum())
        every = cells[cells["indicator"] == row.indicator]
        assert row.pooled == pytest.approx(every["observed"].sum() / every["expected"].sum())
        assert _nl(row.expected, 1) in html and _nl(row.expected, 1) in pdf
    assert row.lasting is None
    for member in members:
        assert f"<td>{member}</td>" in html
        assert member in pdf


def test_unknown_area_is_an_error_and_nothing_is_written(
    report_store: Path, codes: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with Store(report_store, read_only=True) as store, pytest.raises(RegionError) as err:
        write_reports(store, "demo", out, areas=[codes["listed"], "GM9999"])
    assert "GM9999" in str(err.value) and "Did you mean" in str(err.value)
    assert not out.exists()
    assert not list(tmp_path.iterdir())


def test_dataset_without_results_and_bad_format_are_errors(
    report_store: Path, tmp_path: Path
) -> None:
    with Store(report_store, read_only=True) as store:
        with pytest.raises(DetectError, match="bluezones detect"):
            write_reports(store, "nothing", tmp_path / "a", national=True)
        with pytest.raises(DataError, match="html"):
            write_reports(store, "demo", tmp_path / "b", national=True, formats=["docx"])
    assert not list(tmp_path.iterdir())


def test_report_command(report_store: Path, codes: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "cli"
    store = ["--store", str(report_store)]
    result = CliRunner().invoke(
        main, [*store, "report", "--area", codes["plain"], "--format", "html", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "manifest.json" in result.output
    assert sorted(p.name for p in out.iterdir()) == [f"{codes['plain']}.html", "manifest.json"]
    bad = CliRunner().invoke(main, [*store, "report", "--area", "GM9999", "--out", str(out)])
    assert bad.exit_code == 1 and "GM9999" in bad.output
    assert sorted(p.name for p in out.iterdir()) == [f"{codes['plain']}.html", "manifest.json"]
    none = CliRunner().invoke(main, [*store, "report", "--out", str(tmp_path / "x")])
    assert none.exit_code == 1 and "--national" in none.output
