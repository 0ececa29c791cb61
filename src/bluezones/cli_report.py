"""``bluezones report``: HTML and PDF reports per gemeente or jeugdregio, and a national one."""

from __future__ import annotations

import time
from pathlib import Path

import click

from bluezones.cli import Context, main, pass_context
from bluezones.errors import DataError

__all__ = ["report"]


@main.command()
@click.option(
    "--dataset", default="demo", show_default=True, help="Dataset whose results to report."
)
@click.option(
    "--level",
    type=click.Choice(["gemeente", "jeugdregio"]),
    default="gemeente",
    show_default=True,
    help="Report per gemeente, or per jeugdregio (the sum of its gemeenten).",
)
@click.option("--area", "areas", multiple=True, help="Area code, e.g. GM0363 or JZ01 (repeatable).")
@click.option("--all", "every", is_flag=True, help="Every area of the level.")
@click.option("--national", is_flag=True, help="The national summary (with or without areas).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write (default: 'reports-<dataset>' beside the store); replaced atomically.",
)
@click.option(
    "--format",
    "formats",
    default="html,pdf",
    show_default=True,
    help="Formats, comma-separated: html, pdf.",
)
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    help="Language of the reports (default: the global --lang, else nl).",
)
@pass_context
def report(
    ctx: Context,
    dataset: str,
    level: str,
    areas: tuple[str, ...],
    every: bool,
    national: bool,
    out: Path | None,
    formats: str,
    lang: str | None,
) -> None:
    """Write reports: maps, figures against expectation, trend, method, caveats, provenance.

    One self-contained HTML file and one PDF per area (no request to any other
    host), in Dutch, or English with --lang en, and a manifest.json.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from bluezones.present.report import write_reports

    if not (areas or every or national):
        raise DataError(
            "Say which reports to write.",
            hint="Give --area CODE (repeatable), --all, or --national.",
        )
    if areas and every:
        raise DataError("Give either --area or --all, not both.", hint="Drop one of the two.")
    chosen = [f.strip() for f in formats.split(",") if f.strip()]
    lang = lang or ctx.settings.language
    folder = out or ctx.settings.store.parent / f"reports-{dataset}"
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    start = time.perf_counter()
    with (
        ctx.store(read_only=True) as store,
        Progress(*columns, console=ctx.err, disable=not ctx.err.is_terminal) as bar,
    ):
        from bluezones.i18n import text

        task = bar.add_task(text("report.progress", lang), total=None)

        def step(done: int, total: int, code: str) -> None:
            bar.update(
                task,
                completed=done,
                total=total,
                description=f"{text('report.progress', lang)}: {code}",
            )

        files = write_reports(
            store,
            dataset,
            folder,
            level=level,
            areas=list(areas) if areas else (None if every else []),
            national=national,
            formats=chosen,
            lang=lang,
            progress=step,
        )
    ctx.say(
        "report.done",
        n=len(files) - 1,
        folder=folder,
        seconds=round(time.perf_counter() - start, 1),
    )
