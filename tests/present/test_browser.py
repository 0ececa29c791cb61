"""The atlas in headless Chromium, from file:// and from bluezones serve.

Loads the overview, switches indicator, year and level, clicks an area on the map
and in the funnel, searches the table, opens a profile with the keyboard and
checks that the values shown equal the stored results; no console errors, no
dialogs (hostile names stay text), and no request to any other host.
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bluezones.detect.results import load_results
from bluezones.store import Store

from .conftest import HOSTILE

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
READY = "body[data-ready='1']"
TIMEOUT_MS = 20_000

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM}")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Watch:
    """Every request, console error, page error and dialog of one page."""

    def __init__(self, page: Any) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def check(self) -> None:
        assert self.errors == []
        assert self.dialogs == []
        outside = [u for u in self.requests if not u.startswith(("file://", "http://127.0.0.1:"))]
        assert outside == []


@pytest.fixture(scope="module")
def stored(atlas_store: Path) -> dict[str, Any]:
    with Store(atlas_store, read_only=True) as store:
        return {lv: load_results(store, "demo", lv) for lv in ("gemeente", "wijk")}


def _row(stored: dict[str, Any], level: str, code: str, indicator: str, year: int) -> pd.Series:
    ay = stored[level]["area_year"]
    row = ay[(ay["region_code"] == code) & (ay["indicator"] == indicator) & (ay["year"] == year)]
    return row.iloc[0]


def _ratio(stored: dict[str, Any], level: str, code: str, indicator: str, year: int) -> str:
    row = _row(stored, level, code, indicator, year)
    return "–" if not bool(row["usable"]) else f"{row['ratio']:.2f}".replace(".", ",")


def _ratio_line(stored: dict[str, Any], level: str, code: str, indicator: str, year: int) -> str:
    """What the selected panel says of an area-year's observed/expected: it, or why not."""
    row = _row(stored, level, code, indicator, year)
    if not bool(row["usable"]):
        return f"niet te beoordelen: {row['reason']}"
    return f"werkelijk/verwacht: {_ratio(stored, level, code, indicator, year)}"


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"atlas-{name}.png"))


@pytest.fixture(params=["file", "serve"])
def base(request: pytest.FixtureRequest, site: Path) -> str:
    if request.param == "file":
        return site.as_uri()
    return str(request.getfixturevalue("server_url"))


def test_overview_switches_and_selection(
    browser: Any, base: str, stored: dict[str, Any], hostile: dict[str, str]
) -> None:
    origin = "file" if base.startswith("file") else "serve"
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page)
    started = time.perf_counter()
    page.goto(f"{base}/index.html")
    page.wait_for_selector(READY)
    first_render = time.perf_counter() - started
    assert page.get_attribute("body", "data-level") == "gemeente"
    assert page.get_attribute("body", "data-year") == "2024"
    assert page.locator(".map[data-map='ratio'] path.area").count() == len(
        stored["gemeente"]["classification"]
    )
    _shot(page, f"{origin}-gemeente")

    # Indicator and year switches.
    page.select_option("#indicator", "uithuisplaatsing")
    page.wait_for_selector(f"{READY}[data-indicator='uithuisplaatsing']")
    page.focus("#year")
    page.keyboard.press("ArrowLeft")
    page.wait_for_selector(f"{READY}[data-year='2023']")
    switch_ms = page.evaluate("window.BZ_RENDER_MS")

    # The classification map shows one year's status on request.
    status_path = page.locator(".map[data-map='status'] path.area").first
    lasting_fill = status_path.get_attribute("fill")
    page.check("#status-yearly")
    assert page.locator("#status-caption").inner_text() == "Classificatie in 2023"
    page.uncheck("#status-yearly")
    assert status_path.get_attribute("fill") == lasting_fill

    # Click an area on the difference map: the selected panel shows its stored value.
    code = next(c for c in hostile if c.startswith("GM"))
    page.click(f".map[data-map='ratio'] path[data-code='{code}']")
    shown = page.locator("#selected-text")
    clicked = shown.get_attribute("data-code")
    assert clicked is not None
    assert _ratio_line(stored, "gemeente", clicked, "uithuisplaatsing", 2023) in shown.inner_text()
    if clicked == code:
        assert HOSTILE in shown.inner_text()

    # The hostile name is listed as text, and found by the table search.
    assert page.locator("#listed li", has_text=HOSTILE).count() == 1
    page.fill("#search", "script")
    row = page.locator("#areas tbody tr").first
    assert row.get_attribute("data-code") == code
    assert row.locator("a").inner_text() == HOSTILE
    assert row.locator("td.ratio").inner_text() == _ratio(
        stored, "gemeente", code, "uithuisplaatsing", 2023
    )

    # The table is ranked by O/E (lowest first) and sorts by a column on request.
    page.fill("#search", "")
    ratios = page.locator("#areas tbody tr td.ratio").evaluate_all(
        "cells => cells.map(c => c.getAttribute('data-value')).filter(v => v !== '').map(Number)"
    )
    assert ratios == sorted(ratios) and len(ratios) > 100
    # The selected area stays in view at the top when its rank would hide it.
    assert page.locator("#areas tbody tr:not(.sel) td.rank").first.inner_text() == "1"
    page.click("#areas thead button[data-sort='r']")
    page.click("#areas thead button[data-sort='r']")
    descending = page.locator("#areas tbody tr td.ratio").evaluate_all(
        "cells => cells.map(c => c.getAttribute('data-value')).filter(v => v !== '').map(Number)"
    )
    assert descending == sorted(descending, reverse=True) and descending[0] >= max(ratios)

    # A funnel point selects its area (and its table row).
    page.fill("#search", "")
    # The last point drawn lies on top: no neighbouring point can take its click.
    point = page.locator("#funnel circle.pt:not([display])").last
    point_code = point.get_attribute("data-code")
    point.click()
    assert shown.get_attribute("data-code") == point_code
    assert page.locator(f"#areas tbody tr.sel[data-code='{point_code}']").count() == 1

    # Level switch to wijken.
    started = time.perf_counter()
    page.select_option("#level", "wijk")
    page.wait_for_selector(f"{READY}[data-level='wijk']")
    wijk_render = time.perf_counter() - started
    assert page.locator(".map[data-map='expected'] path.area").count() == len(
        stored["wijk"]["classification"]
    )
    assert page.get_attribute("body", "data-year") == "2023"  # the year is kept
    page.focus("#year")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector(f"{READY}[data-year='2024']")
    wijk_switch_ms = page.evaluate("window.BZ_RENDER_MS")
    _shot(page, f"{origin}-wijk")
    watch.check()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"atlas-timings-{origin}.json").write_text(
        json.dumps(
            {
                "first_render_s": first_render,
                "gemeente_year_switch_ms": switch_ms,
                "wijk_load_s": wijk_render,
                "wijk_year_switch_ms": wijk_switch_ms,
            },
            indent=1,
        )
    )
    page.close()


def test_keyboard_opens_the_profile_with_stored_values(
    browser: Any, base: str, stored: dict[str, Any]
) -> None:
    origin = "file" if base.startswith("file") else "serve"
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page)
    page.goto(f"{base}/index.html#level=gemeente&indicator=jeugdhulp&year=2024")
    page.wait_for_selector(READY)
    target = page.locator(".map[data-map='ratio'] path.area").nth(5)
    code = target.get_attribute("data-code")
    target.focus()
    assert page.locator("#tooltip").is_visible()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/area.html?**code={code}**")
    page.wait_for_selector(READY)
    assert page.get_attribute("body", "data-code") == code
    c = stored["gemeente"]["classification"].set_index("region_code").loc[code]
    assert page.get_attribute("#area-status", "data-status") == c["status"]
    trend = page.locator("section.trend[data-indicator='jeugdhulp']")
    for year in (2015, 2021, 2024):
        cell = trend.locator(f"tr[data-year='{year}'] td.ratio")
        assert cell.text_content() == _ratio(stored, "gemeente", code, "jeugdhulp", year)
    assert trend.locator("line.brk[data-year='2021']").count() == 1
    assert page.locator("#spine circle.pt").count() >= 1
    assert page.locator("#peers li").count() == 5
    assert page.locator("#drivers tbody tr").count() == 7
    assert page.locator("#notes li").count() >= 3
    _shot(page, f"{origin}-profile")

    # A peer link opens its profile; the language switch gives English.
    peer = page.locator("#peers li a").first
    peer_href = peer.get_attribute("href")
    peer.click()
    page.wait_for_url("**" + peer_href.split("?")[1].split("&")[-1] + "**")
    page.wait_for_selector(READY)
    page.click("#lang-switch")
    page.wait_for_url("**lang=en**")
    page.wait_for_selector(READY)
    assert page.locator("#back").inner_text() == "Back to the atlas"
    assert page.locator("#area-reasons").inner_text().startswith(("No lasting", "Youth care"))
    page.click("#back")
    page.wait_for_selector(READY)
    assert page.locator("h1").inner_text() == "BlueZones atlas of youth care"
    assert "lower than expected" in page.locator("#listed li .reasons").first.inner_text()
    watch.check()
    page.close()


def test_wijk_profile_names_its_gemeente(
    browser: Any, site: Path, stored: dict[str, Any], hostile: dict[str, str]
) -> None:
    code = next(c for c in hostile if c.startswith("WK"))
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    watch = Watch(page)
    page.goto(f"{site.as_uri()}/area.html?code={code}")
    page.wait_for_selector(READY)
    assert page.locator("#area-name").inner_text() == hostile[code]
    assert "Wijk in" in page.locator("#area-sub").inner_text()
    page.wait_for_selector("#locator path.here")
    _shot(page, "wijk-profile")
    meta = json.loads((site / "data/gemeente/meta.json").read_text(encoding="utf-8"))
    merged = meta["areas"]["code"][int(next(iter(meta["mergers"])))]
    page.goto(f"{site.as_uri()}/area.html?code={merged}")
    page.wait_for_selector(f"{READY}[data-code='{merged}']")
    assert page.locator("#notes li.note-merger").count() >= 1
    page.goto(f"{site.as_uri()}/area.html?code=GM9999")
    page.wait_for_selector(READY)
    assert "GM9999" in page.locator("#status").inner_text()
    watch.check()
    page.close()
