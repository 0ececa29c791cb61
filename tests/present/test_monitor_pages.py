"""The atlas's monitor and evaluation pages: payloads, twins, API and the pages in Chromium.

One small demo country with planted pilots per module: detection at gemeente level
(three years), the monitor with 99 draws, hostile names for a pilot jeugdregio and a
gemeente, and an atlas of the gemeente level. The pages are loaded from ``file://``
and from ``bluezones serve``; the values they show are checked against
:func:`bluezones.monitor.load_monitor`. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

from bluezones.detect.pipeline import DetectionConfig
from bluezones.detect.results import detect_dataset
from bluezones.monitor import EvaluationConfig, load_monitor, monitor_dataset, save_monitor
from bluezones.present.atlas import build_atlas
from bluezones.regions import harmonise_store
from bluezones.sources.demo import generate
from bluezones.sources.demo.pilots import DEMO_PILOTS
from bluezones.store import Store

from . import test_browser as tb
from .conftest import HOSTILE, HOSTILE_WIJK, SEED, serving

DETECT = DetectionConfig(
    indicators=("jeugdhulp", "ots", "uithuisplaatsing"), persistence=False, years=(2022, 2023, 2024)
)
FAST = EvaluationConfig(permutations=99, bootstrap=99)
READY = tb.READY


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def monitor_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("monitor") / "store.duckdb"
    with Store(path) as store:
        generate(SEED, pilots=DEMO_PILOTS).to_store(store)
        harmonise_store(store, "demo", 2024)
        detect_dataset(store, "demo", DETECT)
        save_monitor(store, "demo", monitor_dataset(store, "demo", config=FAST))
        pilot = sorted(load_monitor(store, "demo")["summaries"]["ots"]["pilots"])[0]
        for code, name in ((pilot, HOSTILE), (_gemeente_of(store, pilot), HOSTILE_WIJK)):
            store.con.execute(
                "UPDATE regions SET name = ? WHERE dataset = 'demo' AND region_code = ?",
                [name, code],
            )
    return path


def _gemeente_of(store: Store, jeugdregio: str) -> str:
    regions = store.read("regions", where={"dataset": "demo", "year": 2024})
    members = regions[(regions["level"] == "gemeente") & (regions["jeugdregio_code"] == jeugdregio)]
    return str(sorted(members["region_code"])[0])


@pytest.fixture(scope="module")
def stored(monitor_store: Path) -> dict[str, Any]:
    with Store(monitor_store, read_only=True) as store:
        out = load_monitor(store, "demo")
        regions = store.read("regions", where={"dataset": "demo", "year": 2024})
    out["names"] = dict(zip(regions["region_code"], regions["name"], strict=True))
    return out


@pytest.fixture(scope="module")
def msite(monitor_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    with Store(monitor_store, read_only=True) as store:
        return build_atlas(
            store, "demo", tmp_path_factory.mktemp("msite") / "atlas", levels=("gemeente",)
        )


@pytest.fixture(scope="module")
def murl(msite: Path) -> Iterator[str]:
    with serving(msite) as url:
        yield url


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _get(url: str) -> tuple[int, Any]:
    try:
        with urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _nl(value: float, digits: int, *, sign: bool = False) -> str:
    """A number as the Dutch page shows it (Intl nl-NL: decimal comma, thousands dot)."""
    text = f"{value:+,.{digits}f}" if sign and value > 0 else f"{value:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def _pct(log_value: float) -> float:
    return round(100 * math.expm1(log_value), 1)


# --------------------------------------------------------------------------- files


def test_pages_twins_and_assets(msite: Path) -> None:
    for name in ("monitor.html", "evaluation.html", "monitor.json", "evaluation.json"):
        assert (msite / name).is_file(), name
    for name in ("charts.js", "monitor.js", "evaluation.js", "nav.js", "monitor.css"):
        assert (msite / "assets" / name).is_file(), name
    scripts = sorted((msite / "data" / "monitor").glob("*.js"))
    assert {s.stem for s in scripts} >= {"meta", "evaluation", "ind-ots", "ind-uithuisplaatsing"}
    for script in scripts:
        body = script.read_text(encoding="utf-8")
        payload = json.loads(body[body.index("=", body.index("]")) + 1 : -2])
        assert payload == _json(script.with_suffix(".json")), script.name
    meta = _json(msite / "data" / "monitor" / "meta.json")
    twin = _json(msite / "monitor.json")
    assert twin == {
        **meta,
        "values": {
            i["name"]: _json(msite / "data" / "monitor" / f"ind-{i['name']}.json")
            for i in meta["indicators"]
        },
    }
    assert _json(msite / "evaluation.json") == _json(msite / "data" / "monitor" / "evaluation.json")
    site = _json(msite / "data" / "site.json")
    assert site["pages"] == ["monitor", "evaluation"]
    ui = _json(msite / "data" / "ui.json")
    assert set(ui["nl"]) == set(ui["en"]) and "atlas.monitor.title" in ui["nl"]
    for page in ("index.html", "area.html", "monitor.html", "evaluation.html"):
        html = (msite / page).read_text(encoding="utf-8")
        assert 'href="monitor.html"' in html and 'href="evaluation.html"' in html, page
        assert "assets/nav.js" in html


def test_without_monitor_results_no_pages_and_no_links(site: Path) -> None:
    for name in ("monitor.html", "evaluation.html", "monitor.json", "evaluation.json"):
        assert not (site / name).exists()
    assert not (site / "data" / "monitor").exists()
    assert not (site / "assets" / "monitor.js").exists()
    assert "pages" not in _json(site / "data" / "site.json")
    assert not any(k.startswith("atlas.monitor.") for k in _json(site / "data" / "ui.json")["nl"])
    for page in ("index.html", "area.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert "monitor.html" not in html and "nav.js" not in html


def test_monitor_values_equal_the_store(msite: Path, stored: dict[str, Any]) -> None:
    meta = _json(msite / "monitor.json")
    table = stored["indicators"]
    assert meta["pilots"] == stored["summaries"]["ots"]["pilots"]
    assert meta["levels"] == ["jeugdregio", "gemeente", "land"]
    checked = 0
    for ind in meta["indicators"]:
        values = meta["values"][ind["name"]]["levels"]
        for level, info in meta["areas"].items():
            part = table[(table["indicator"] == ind["name"]) & (table["level"] == level)]
            for row in part.itertuples():
                i = info["code"].index(row.region_code)
                cell = values[level]["years"][str(row.year)]
                for key, col in (("v", row.value), ("lo", row.lower), ("hi", row.upper)):
                    want = None if math.isnan(col) else round(col, ind["digits"])
                    assert cell[key][i] == want, (ind["name"], level, row.region_code, row.year)
                checked += 1
    assert checked == len(table)
    trends = stored["trends"]
    ots = meta["values"]["ots"]["levels"]["jeugdregio"]["trend"]
    codes = meta["areas"]["jeugdregio"]["code"]
    for row in trends[trends["indicator"] == "ots"].itertuples():
        if row.region_code in codes:
            assert ots["change"][codes.index(row.region_code)] == round(row.change_pct, 1)
    spec = {i["name"]: i for i in meta["indicators"]}
    assert spec["ots"]["polarity"] == "lower_is_better" and spec["ots"]["breaks"] == [2020, 2021]


def test_expected_rates_from_the_detection(msite: Path, monitor_store: Path) -> None:
    from bluezones.detect.results import load_results

    with Store(monitor_store, read_only=True) as store:
        ay = load_results(store, "demo", "gemeente")["area_year"]
    meta = _json(msite / "monitor.json")
    codes = meta["areas"]["gemeente"]["code"]
    cells = meta["values"]["ots"]["levels"]["gemeente"]["years"]
    for row in ay[(ay["indicator"] == "ots") & (ay["year"] == 2024)].head(20).itertuples():
        want = round(1000 * row.expected / row.n, 1)
        assert cells["2024"]["e"][codes.index(row.region_code)] == pytest.approx(want, abs=0.051)
    assert "e" not in cells["2015"] or all(v is None for v in cells["2015"]["e"])


def test_evaluation_values_and_texts_equal_the_store(msite: Path, stored: dict[str, Any]) -> None:
    evaluation = _json(msite / "evaluation.json")
    assert evaluation["indicators"] == ["ots", "uithuisplaatsing"]
    for name, summary in stored["summaries"].items():
        result = evaluation["results"][name]
        methods = {m["method"]: m for m in result["methods"]}
        assert methods["did2s"]["estimate"] == _pct(summary["estimate"])
        assert methods["did2s"]["interval"] == [_pct(v) for v in summary["ri_interval"]]
        assert methods["did2s"]["p_ri"] == round(summary["p_ri"], 3)
        assert methods["twfe"]["p_wild"] == round(summary["twfe"]["p_wild"], 3)
        assert methods["synthetic"]["estimate"] == _pct(summary["synthetic"]["estimate"])
        # The Dutch texts, written again from the stored numbers, are the stored ones.
        assert result["texts"]["nl"]["interpretation"] == summary["interpretation"]
        assert result["texts"]["nl"]["caveats"] == summary["caveats"]
        assert result["texts"]["en"]["interpretation"].startswith("In the 10 pilot regions")
        es = stored["event_study"]
        es = es[es["indicator"] == name].sort_values("rel")
        assert result["event_study"]["rel"] == es["rel"].tolist()
        assert result["event_study"]["estimate"] == [
            round(100 * math.expm1(v), 2) for v in es["estimate"]
        ]
        synth = result["synthetic"]
        assert len(synth["per_pilot"]) == len(summary["pilots"])
        assert len(synth["placebos"]) > 20
        gaps = [round(t - s, 1) for t, s in zip(synth["treated"], synth["synthetic"], strict=True)]
        assert all(abs(g) < 100 for g in gaps)


def test_api_serves_the_twins(murl: str, msite: Path, server_url: str) -> None:
    assert _get(f"{murl}/api/monitor") == (200, _json(msite / "monitor.json"))
    assert _get(f"{murl}/api/evaluation") == (200, _json(msite / "evaluation.json"))
    assert _get(f"{murl}/api/overview") == (200, _json(msite / "index.json"))
    status, ots = _get(f"{murl}/api/monitor/ots")
    assert status == 200 and ots["indicator"]["name"] == "ots"
    assert ots["levels"] == _json(msite / "data" / "monitor" / "ind-ots.json")["levels"]
    status, ev = _get(f"{murl}/api/evaluation/uithuisplaatsing")
    assert status == 200 and ev == _json(msite / "evaluation.json")["results"]["uithuisplaatsing"]
    unknown = ("/api/monitor/nope", "/api/monitor/..%2Fsite", "/api/evaluation/jeugdreclassering")
    for path in unknown:
        status, body = _get(murl + path)
        assert status == 404 and "error" in body, path
    status, body = _get(f"{server_url}/api/monitor")  # an atlas without monitor results
    assert status == 404 and "bluezones monitor" in body["error"]


def test_hostile_names_stay_data(msite: Path) -> None:
    for page in ("monitor.html", "evaluation.html"):
        html = (msite / page).read_text(encoding="utf-8")
        assert "alert(" not in html and "<img" not in html
    names = _json(msite / "monitor.json")["areas"]
    assert HOSTILE in names["jeugdregio"]["name"] and HOSTILE_WIJK in names["gemeente"]["name"]


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(tb.CHROMIUM).exists():
        pytest.skip(f"Debian's Chromium is not installed at {tb.CHROMIUM}")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=tb.CHROMIUM, args=tb.CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(params=["file", "serve"])
def base(request: pytest.FixtureRequest, msite: Path) -> str:
    if request.param == "file":
        return msite.as_uri()
    return str(request.getfixturevalue("murl"))


def _page(browser: Any) -> tuple[Any, tb.Watch]:
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    page.set_default_timeout(tb.TIMEOUT_MS)
    return page, tb.Watch(page)


def _shot(page: Any, name: str) -> None:
    tb.ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(tb.ARTIFACTS / f"atlas-{name}.png"), full_page=False)


@pytest.mark.slow
def test_monitor_page(browser: Any, base: str, stored: dict[str, Any]) -> None:
    origin = "file" if base.startswith("file") else "serve"
    page, watch = _page(browser)
    page.goto(f"{base}/monitor.html")
    page.wait_for_selector(READY)
    pilots = stored["summaries"]["ots"]["pilots"]
    first = sorted(pilots)[0]  # the default region: the first pilot, named HOSTILE
    assert page.get_attribute("body", "data-indicator") == "ots"
    assert page.get_attribute("body", "data-region") == first
    assert page.text_content("#polarity") == "Lager is beter"
    assert "2020, 2021" in page.text_content("#breaks")
    assert page.locator("#chart line.brk").count() == 2
    assert page.locator("#chart line.start").count() == 1
    assert page.text_content("#region-pilot") == f"Pilotregio sinds {pilots[first]}"
    assert page.eval_on_selector("#region option:checked", "o => o.textContent") == HOSTILE
    _shot(page, f"monitor-{origin}")

    # Switch indicator: the value shown is the stored one.
    page.select_option("#indicator", "uithuisplaatsing")
    page.wait_for_selector(f"{READY}[data-indicator='uithuisplaatsing']")
    table = stored["indicators"]
    row = table[
        (table["indicator"] == "uithuisplaatsing")
        & (table["region_code"] == first)
        & (table["year"] == 2024)
    ].iloc[0]
    latest = page.text_content("#region-latest")
    assert latest.startswith(f"2024: {_nl(row['value'], 1)} (95%-interval {_nl(row['lower'], 1)}")
    cell = page.text_content(f"#regions tr[data-code='{first}'] td.value")
    assert cell == _nl(row["value"], 1)

    # Keyboard: Tab from the region switch into the table, Enter picks a region.
    page.focus("#lang-switch")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('data-code')")
    assert focused and focused != first
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{READY}[data-region='{focused}']")
    assert page.evaluate("document.activeElement.getAttribute('data-code')") == focused

    # Level switch by keyboard: the gemeente with the hostile name stays text.
    page.focus("#level")
    page.select_option("#level", "gemeente")
    page.wait_for_selector(f"{READY}[data-level='gemeente']")
    names = page.eval_on_selector_all("#regions button", "bs => bs.map(b => b.textContent)")
    assert HOSTILE_WIJK in names
    gm = page.get_attribute("body", "data-region")
    assert page.text_content("#region-pilot").startswith("Ligt in pilotregio")
    assert gm and gm.startswith("GM")
    _shot(page, f"monitor-gemeente-{origin}")
    watch.check()
    page.close()


@pytest.mark.slow
def test_evaluation_page(browser: Any, base: str, stored: dict[str, Any]) -> None:
    origin = "file" if base.startswith("file") else "serve"
    page, watch = _page(browser)
    page.goto(f"{base}/evaluation.html")
    page.wait_for_selector(READY)
    summary = stored["summaries"]["ots"]
    did = "#estimates tr[data-method='did2s']"
    assert page.text_content(f"{did} td.estimate") == _nl(_pct(summary["estimate"]), 1, sign=True)
    low, high = (_pct(v) for v in summary["ri_interval"])
    assert page.text_content(f"{did} td.interval") == f"{_nl(low, 1)} – {_nl(high, 1)}"
    assert page.text_content(f"{did} td.p-ri") == _nl(summary["p_ri"], 3)
    wild = page.text_content("#estimates tr[data-method='twfe'] td.p-wild")
    assert wild == _nl(summary["twfe"]["p_wild"], 3)
    assert page.text_content("#interpretation") == summary["interpretation"]
    caveats = page.eval_on_selector_all("#caveats li", "ls => ls.map(l => l.textContent)")
    assert caveats == summary["caveats"]
    es = page.locator("#event-study svg")
    assert es.locator("circle.pt").count() == len(stored["event_study"].query("indicator == 'ots'"))
    assert es.locator("circle.hollow").count() == 1  # the reference period
    assert _nl(summary["pretrend"]["p"], 3) in page.text_content("#pretrend")
    assert page.locator("#synthetic-gaps .placebo path.line").count() > 20
    assert page.locator("#synthetic-paths .synthetic path.line").count() == 1
    pilots = page.eval_on_selector_all("#pilots li", "ls => ls.map(l => l.textContent)")
    assert any(p.startswith(HOSTILE) for p in pilots)
    _shot(page, f"evaluation-{origin}")

    # Switch indicator with the keyboard.
    page.focus("#indicator")
    page.keyboard.press("ArrowDown")
    page.wait_for_selector(f"{READY}[data-indicator='uithuisplaatsing']")
    uhp = stored["summaries"]["uithuisplaatsing"]
    assert page.text_content("#interpretation") == uhp["interpretation"]

    # English, keeping the page: the sentence is the English one of the same numbers.
    page.click("#lang-switch")
    page.wait_for_selector(READY)
    page.select_option("#indicator", "ots")
    page.wait_for_selector(f"{READY}[data-indicator='ots']")
    english = page.text_content("#interpretation")
    assert english.startswith("In the 10 pilot regions")
    assert f"{abs(_pct(summary['estimate'])):.1f}% lower" in english
    assert page.text_content("#estimates th") == "Method"
    _shot(page, f"evaluation-en-{origin}")
    watch.check()
    page.close()


@pytest.mark.slow
def test_navigation_keeps_the_language(browser: Any, base: str) -> None:
    page, watch = _page(browser)
    page.goto(f"{base}/index.html?lang=en")
    page.wait_for_selector(READY)
    link = page.locator("#pages a[data-nav='monitor']")
    assert link.text_content() == "Youth-protection monitor"
    assert link.get_attribute("href") == "monitor.html?lang=en"
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("body[data-page='monitor'][data-ready='1']")
    assert page.text_content("h1") == "Youth-protection monitor"
    current = page.locator("#pages a[aria-current='page']")
    assert current.get_attribute("data-nav") == "monitor"
    watch.check()
    page.close()
