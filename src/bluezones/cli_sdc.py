"""``bluezones sdc-check PATH``: list every violation of the microdata output rules.

Registered on :data:`bluezones.cli.main` by the last line of :mod:`bluezones.cli`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bluezones.cli import Context, main, pass_context
from bluezones.i18n import text
from bluezones.sdc.check import check_folder


@main.command("sdc-check")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--min-count",
    type=int,
    help="Minimum persons per cell (default: the output's manifest, else BLUEZONES_MIN_CELL).",
)
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    help="Language of the list (default: bluezones --lang, else nl).",
)
@pass_context
def sdc_check(ctx: Context, path: Path, min_count: int | None, lang: str | None) -> None:
    """Scan an output folder for cells below the minimum, min/max values, person ids and
    totals that reveal a suppressed cell; exit 1 if anything is found."""
    lang = lang or ctx.settings.language
    if min_count is None and not (path / "manifest.json").exists():
        min_count = ctx.settings.min_cell
    report = check_folder(path, min_count)
    for violation in report.violations:
        ctx.out.print(violation.message(lang), highlight=False, soft_wrap=True, markup=False)
    fields = {"folder": path, "files": report.files, "min_count": report.min_count}
    if report.ok:
        ctx.out.print(text("sdc.check.clean", lang, **fields), highlight=False, soft_wrap=True)
    else:
        count = len(report.violations)
        ctx.out.print(
            text("sdc.check.found", lang, count=count, **fields), highlight=False, soft_wrap=True
        )
    ctx.out.print(text("sdc.check.limits", lang), highlight=False, soft_wrap=True)
    if not report.ok:
        sys.exit(1)
