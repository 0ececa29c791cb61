"""Atlas size and speed: site size per level, first render and year switch in headless Chromium.

Run from the repository root::

    .venv/bin/python benchmarks/atlas_speed.py [--store FILE] [--dataset demo] [--runs 5]

Uses a store with detection results at gemeente and wijk level (default: the
store of the settings, e.g. after ``bluezones demo && bluezones detect && bluezones
detect --level wijk``). Builds the atlas with only the gemeente level, only the
wijk level, and both, and prints their sizes; then opens the full site from
``file://`` in Debian's Chromium and prints the time to the first render (page
load to drawn maps) and the median time to redraw after a year switch, at both
levels. Aims (issue 4): wijk site under 10 MB, first render under 1.5 s, a
switch under 100 ms. A script, not a test: times depend on the machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from bluezones.config import Settings
from bluezones.present.atlas import build_atlas
from bluezones.store import Store

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
READY = "body[data-ready='1']"
MB = 1024 * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--dataset", default="demo")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    store_path = args.store or Settings.from_env().store
    with tempfile.TemporaryDirectory() as tmp, Store(store_path, read_only=True) as store:
        root = Path(tmp)
        for levels in (("gemeente",), ("wijk",), ("gemeente", "wijk")):
            started = time.perf_counter()
            site = build_atlas(store, args.dataset, root / "-".join(levels), levels=levels)
            took = time.perf_counter() - started
            size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
            print(f"site {'+'.join(levels):16s} {size / MB:6.2f} MB  (built in {took:.1f} s)")
        _browser(root / "gemeente-wijk", args.runs)


def _browser(site: Path, runs: int) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for level in ("gemeente", "wijk"):
            firsts, switches = [], []
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                started = time.perf_counter()
                page.goto(f"{site.as_uri()}/index.html#level={level}")
                page.wait_for_selector(READY)
                firsts.append(time.perf_counter() - started)
                page.focus("#year")
                for key in ("ArrowLeft", "ArrowRight"):
                    before = page.get_attribute("body", "data-year")
                    page.keyboard.press(key)
                    page.wait_for_function(
                        f"document.body.getAttribute('data-year') !== '{before}'"
                    )
                    switches.append(page.evaluate("window.BZ_RENDER_MS"))
                page.close()
            print(
                f"{level:8s} first render median {statistics.median(firsts):.2f} s "
                f"(max {max(firsts):.2f}); year switch median {statistics.median(switches):.0f} ms "
                f"(max {max(switches):.0f})"
            )
        browser.close()


if __name__ == "__main__":
    main()
