"""``bluezones microdata``: generate, load and inspect person-level microdata.

Registers itself on the main command group; :mod:`bluezones.cli` imports this
module at its end, so ``bluezones microdata`` exists whichever is imported first.
Long steps show a progress bar with counts and the time left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from bluezones.cli import Context, main
from bluezones.i18n import text

__all__ = ["microdata"]

StepProgress = Callable[[str, int, int], None]
# The same decorator as bluezones.cli.pass_context, made here: cli imports this module
# at its end, so a type checker cannot see that name's type from here.
pass_context = click.make_pass_decorator(Context)


@contextmanager
def _counting(ctx: Context, title: str) -> Iterator[StepProgress]:
    """A progress bar with counts and time left, fed by ``callback(step, done, total)``."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    lang = ctx.settings.language
    with Progress(*columns, console=ctx.err, disable=not ctx.err.is_terminal) as bar:
        tasks: dict[str, TaskID] = {}

        def step(name: str, done: int, total: int) -> None:
            key = name if name in _STEPS else "convert"
            label = text(f"microdata.step.{key}", lang, name=name)
            if name not in tasks:
                tasks[name] = bar.add_task(f"{title}: {label}", total=total)
            bar.update(tasks[name], completed=done, total=total)

        yield step


_STEPS = ("aggregate", "duplicates", "store", "write")


def _years(value: str | None) -> tuple[int, ...] | None:
    if not value:
        return None
    try:
        if "-" in value:
            first, last = (int(v) for v in value.split("-", 1))
            return tuple(range(first, last + 1))
        return tuple(int(v) for v in value.split(","))
    except ValueError:
        raise click.BadParameter(f"{value!r}: write e.g. 2015-2024 or 2022,2023") from None


@click.group()
def microdata() -> None:
    """Person-level microdata (CBS Remote Access): generate, load, detect on them.

    See docs/microdata.md for the mapping file that says which column is which.
    """


@microdata.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write (replaced when complete).",
)
@click.option(
    "--seed", type=int, help="Seed of the demo country (default: setting BLUEZONES_SEED)."
)
@click.option(
    "--youths", type=int, help="Young people (0-22) per year (default: the demo's ~4.3 million)."
)
@click.option("--years", help="Years, e.g. 2015-2024 (default: all ten demo years).")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["parquet", "csv", "sav"]),
    default="parquet",
    show_default=True,
)
@click.option(
    "--chunk-rows",
    type=int,
    default=1_000_000,
    show_default=True,
    help="Rows generated and written at once (bounds memory).",
)
@click.option(
    "--area/--no-area",
    default=True,
    show_default=True,
    help="Mapping with the demo's area covariates (needs the demo harmonised, as "
    "'bluezones demo' does).",
)
@pass_context
def generate(
    ctx: Context,
    out: Path,
    seed: int | None,
    youths: int | None,
    years: str | None,
    file_format: str,
    chunk_rows: int,
    area: bool,
) -> None:
    """Write synthetic microdata of the demo country, with its mapping file."""
    from bluezones.microdata.synthetic import generate_microdata

    lang = ctx.settings.language
    seed = ctx.settings.seed if seed is None else seed
    ctx.say("microdata.generating", seed=seed, youths=f"{youths:,}" if youths else "~4.3M")
    with _counting(ctx, text("microdata.generating.short", lang)) as step:
        result = generate_microdata(
            seed,
            out,
            youths=youths,
            years=_years(years),
            chunk_rows=chunk_rows,
            file_format=file_format,  # type: ignore[arg-type]  # click.Choice checked it
            area_covariates=area,
            progress=lambda done, total: step("write", done, total),
        )
    ctx.say(
        "microdata.generated",
        rows=f"{result.rows:,}",
        files=len(result.files),
        folder=result.folder,
        mapping=result.mapping,
    )


@microdata.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Mapping file (TOML; default: mapping.toml in the folder given).",
)
@click.option("--dataset", help="Dataset name in the store (default: the mapping's dataset).")
@click.option(
    "--min-count",
    type=int,
    default=10,
    show_default=True,
    help="Minimum persons behind any output cell of this dataset (disclosure control).",
)
@click.option(
    "--memory-limit",
    help="Most memory DuckDB may use, e.g. 2GB (default: DuckDB's, 80% of the machine's).",
)
@pass_context
def load(
    ctx: Context,
    paths: tuple[Path, ...],
    mapping_path: Path | None,
    dataset: str | None,
    min_count: int,
    memory_limit: str | None,
) -> None:
    """Check person-level files (.parquet, .csv, .sav, or folders) and store them as cells."""
    from bluezones.errors import ConfigError
    from bluezones.microdata.load import load_microdata
    from bluezones.microdata.mapping import load_mapping

    lang = ctx.settings.language
    if mapping_path is None:
        folders = [p for p in paths if p.is_dir()]
        if not folders or not (folders[0] / "mapping.toml").is_file():
            raise ConfigError(
                "No mapping file was given.",
                hint="Pass --mapping FILE (see docs/microdata.md).",
            )
        mapping_path = folders[0] / "mapping.toml"
    mapping = load_mapping(mapping_path)
    with ctx.store() as store, _counting(ctx, text("microdata.loading", lang)) as step:
        result = load_microdata(
            store,
            paths,
            mapping,
            dataset=dataset,
            min_count=min_count,
            progress=step,
            memory_limit=memory_limit,
        )
    ctx.say(
        "microdata.loaded",
        records=f"{result.records:,}",
        files=len(result.files),
        dataset=result.dataset,
        cells=f"{result.cells:,}",
        facts=f"{result.facts:,}",
        first=result.years[0],
        last=result.years[-1],
        seconds=f"{result.seconds:.1f}",
    )
    ctx.say("microdata.protected", min_count=min_count)
    ctx.say("microdata.next", dataset=result.dataset)


@microdata.command("mapping")
@click.option("--boundary-year", type=int, default=2024, show_default=True)
@pass_context
def mapping_example(ctx: Context, boundary_year: int) -> None:
    """Print an example mapping file (CBS Remote Access column names) to start from."""
    from bluezones.microdata.synthetic import synthetic_mapping

    ctx.out.print(synthetic_mapping(boundary_year, area=True), highlight=False, markup=False)


main.add_command(microdata)
