"""Report speed and size: every gemeente's HTML and PDF report, and the national summary.

Run from the repository root::

    .venv/bin/python benchmarks/report_speed.py [--store FILE] [--dataset demo] [--limit N]

Uses a store with gemeente detection results (default: the store of the
settings, e.g. after ``bash scripts/setup.sh demo``). Prints the time for
``bluezones report --all`` at gemeente level (342 gemeenten on the demo
country; ``--limit`` reports the first N only), the time per report, and the
median sizes of the HTML and PDF files. A script, not a test: times depend on
the machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bluezones.config import Settings
from bluezones.present.report import write_reports
from bluezones.present.report.data import load_level
from bluezones.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--dataset", default="demo")
    parser.add_argument("--limit", type=int, default=None, help="Only the first N gemeenten.")
    args = parser.parse_args()
    path = args.store or Settings.from_env().store
    with Store(path, read_only=True) as store, tempfile.TemporaryDirectory() as tmp:
        codes = load_level(store, args.dataset, "gemeente").codes
        areas = codes[: args.limit] if args.limit else None
        n = len(areas) if areas else len(codes)
        start = time.perf_counter()
        out = Path(tmp) / "reports"
        write_reports(store, args.dataset, out, areas=areas, national=True)
        seconds = time.perf_counter() - start
        html = [p.stat().st_size for p in out.glob("GM*.html")]
        pdf = [p.stat().st_size for p in out.glob("GM*.pdf")]
        national = {p.suffix: p.stat().st_size for p in out.glob("national.*")}
    print(f"report --all (gemeente, html+pdf, {n} areas + national): {seconds:.1f} s")
    print(f"  per area report (html+pdf): {seconds / (n + 1):.2f} s")
    print(
        f"  median size: html {statistics.median(html) / 1024:.0f} kB, "
        f"pdf {statistics.median(pdf) / 1024:.0f} kB"
    )
    print(
        f"  national: html {national['.html'] / 1024:.0f} kB, pdf {national['.pdf'] / 1024:.0f} kB"
    )


if __name__ == "__main__":
    main()
