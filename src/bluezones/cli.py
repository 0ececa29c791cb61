"""The ``bluezones`` command: thin commands over the library.

Each command builds :class:`~bluezones.config.Settings`, opens the store, calls
one library function and prints its result in the user's language. Domain
errors (:class:`~bluezones.errors.BlueZonesError`) become a one-paragraph message
on stderr and exit code 1; usage errors exit with 2.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
import pandas as pd
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from bluezones.config import Settings
from bluezones.errors import BlueZonesError, DataError
from bluezones.i18n import text
from bluezones.indicators import SUPPRESSED_BELOW
from bluezones.store import Store

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Context:
    """What every command gets: settings and consoles for results and messages."""

    settings: Settings
    out: Console
    err: Console

    def say(self, key: str, **fields: object) -> None:
        self.out.print(text(key, self.settings.language, **fields), highlight=False, soft_wrap=True)

    @contextmanager
    def store(self, *, read_only: bool = False) -> Iterator[Store]:
        with Store(self.settings.store, read_only=read_only) as store:
            yield store


class _Group(click.Group):
    """Maps domain errors to a readable message and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BlueZonesError as exc:
            lang = ctx.obj.settings.language if isinstance(ctx.obj, Context) else "nl"
            Console(stderr=True).print(
                text("error", lang, message=exc), highlight=False, soft_wrap=True
            )
            sys.exit(exc.exit_code)


@click.group(cls=_Group)
@click.option(
    "--store",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="BLUEZONES_STORE",
    help="DuckDB store file (default: per-user data folder; env BLUEZONES_STORE).",
)
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    envvar="BLUEZONES_LANGUAGE",
    help="Language of results and messages (default nl).",
)
@click.version_option(package_name="bluezones")
@click.pass_context
def main(ctx: click.Context, store: Path | None, lang: str | None) -> None:
    """bluezones: waar is het jeugdzorggebruik opvallend lager of hoger dan verwacht?

    Find Dutch gemeenten and wijken where youth-care use is notably lower
    ("BlueZones") or higher than expected from who lives there.
    """
    try:
        settings = Settings.from_env(store=store, language=lang)
    except BlueZonesError as exc:
        raise click.UsageError(str(exc)) from exc
    ctx.obj = Context(settings, Console(), Console(stderr=True))


pass_context = click.make_pass_decorator(Context)


def print_frame(console: Console, frame: pd.DataFrame, title: str | None = None) -> None:
    """Print a DataFrame as a rich table (numbers right-aligned)."""
    table = Table(title=title, title_justify="left", show_lines=False)
    for col in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[col])
        table.add_column(str(col), justify="right" if numeric else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*("" if pd.isna(v) else str(v) for v in row))
    console.print(table)


@main.command()
@pass_context
def status(ctx: Context) -> None:
    """List what the store holds: datasets, fetched tables, derived tables."""
    lang = ctx.settings.language
    ctx.say("store.location", path=ctx.settings.store)
    if not ctx.settings.store.exists():
        ctx.say("status.empty")
        return
    with ctx.store(read_only=True) as store:
        info = store.status()
    if info["datasets"].empty and info["snapshots"].empty:
        ctx.say("status.empty")
        return
    if not info["datasets"].empty:
        print_frame(ctx.out, info["datasets"], text("status.datasets", lang))
    if not info["snapshots"].empty:
        snaps = info["snapshots"][["source", "table_id", "modified", "fetched_at", "n_rows"]]
        print_frame(ctx.out, snaps, text("status.snapshots", lang))
    if not info["derived"].empty:
        print_frame(ctx.out, info["derived"], text("status.derived", lang))


@main.command()
@click.option(
    "--seed", type=int, help="Seed of the demo country (default: setting BLUEZONES_SEED)."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write the country and its ground truth as CSV/GeoJSON files to this folder.",
)
@click.option("--no-harmonise", is_flag=True, help="Leave the years on their own boundaries.")
@click.option(
    "--pilots/--no-pilots",
    default=True,
    show_default=True,
    help="Plant a pilot effect (OTS and placements 15% lower) in ten jeugdregio's.",
)
@pass_context
def demo(
    ctx: Context, seed: int | None, out: Path | None, no_harmonise: bool, pilots: bool
) -> None:
    """Build the embedded demo country (a synthetic Netherlands) into the store.

    The main job of the Quick start: about 342 gemeenten, 3,000 wijken, 2015-2024,
    with herindelingen, suppression and a known truth to score detection against;
    then every year is harmonised to the reference year.
    """
    from bluezones.regions import harmonise_store
    from bluezones.sources.demo import generate
    from bluezones.sources.demo.pilots import DEMO_PILOTS

    seed = ctx.settings.seed if seed is None else seed
    with _progress(ctx, text("demo.generating", ctx.settings.language, seed=seed)) as step:
        country = generate(
            seed,
            reference_year=ctx.settings.reference_year,
            pilots=DEMO_PILOTS if pilots else None,
            progress=step,
        )
    with ctx.store() as store:
        country.to_store(store)
        if not no_harmonise:
            n = harmonise_store(store, "demo", ctx.settings.reference_year)
    regions = country.regions[country.regions["year"] == ctx.settings.reference_year]
    counts = regions["level"].value_counts()
    years = sorted(country.facts["year"].unique())
    ctx.say(
        "demo.done",
        gemeenten=counts.get("gemeente", 0),
        wijken=counts.get("wijk", 0),
        regions=counts.get("jeugdregio", 0),
        first=years[0],
        last=years[-1],
        facts=len(country.facts),
    )
    if not no_harmonise:
        ctx.say("harmonise.done", dataset="demo", year=ctx.settings.reference_year, facts=n)
    if out is not None:
        country.write(out)
        ctx.say("demo.written", folder=out)
    ctx.say("store.location", path=ctx.settings.store)


@contextmanager
def _progress(ctx: Context, title: str) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar fed by ``callback(step, done, total)``; quiet when not a terminal."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=ctx.err, disable=not ctx.err.is_terminal) as bar:
        task = bar.add_task(title, total=None)

        def step(name: str, done: int, total: int) -> None:
            bar.update(task, description=f"{title}: {name}", completed=done, total=total)

        yield step


def _correction_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The two corrections of the gemeente expectation, on by default (docs/detection.md)."""
    options = (
        click.option(
            "--wijk-composition/--no-wijk-composition",
            default=True,
            show_default=True,
            help="Gemeente expectation from the composition of its wijken.",
        ),
        click.option(
            "--suppressed-below",
            type=click.IntRange(min=1),
            default=SUPPRESSED_BELOW,
            show_default=True,
            help="A suppressed count is a count below this threshold (CBS: 10).",
        ),
        click.option(
            "--drop-suppressed",
            is_flag=True,
            help="Leave suppressed counts out instead (small areas then come out too high).",
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


def _suppressed_below(threshold: int, drop: bool) -> int | None:
    """The threshold, or None with --drop-suppressed (which a threshold contradicts)."""
    source = click.get_current_context().get_parameter_source("suppressed_below")
    if drop and source is not click.core.ParameterSource.DEFAULT:
        raise click.UsageError("Give --suppressed-below or --drop-suppressed, not both.")
    return None if drop else threshold


@main.command()
@click.option("--dataset", default="demo", show_default=True, help="Dataset to detect on.")
@click.option(
    "--level", type=click.Choice(["gemeente", "wijk"]), default="gemeente", show_default=True
)
@click.option(
    "--indicator",
    "indicators",
    multiple=True,
    help="Indicator (repeatable; default jeugdhulp, jeugdbescherming, jeugdreclassering, "
    "uithuisplaatsing).",
)
@click.option("--years", help="Years to use, e.g. 2019-2024 (default: all).")
@click.option("--fdr", type=float, help="False discovery rate of the lists (default 0.10).")
@click.option("--no-persistence", is_flag=True, help="Skip the lasting-effect model.")
@_correction_options
@click.option(
    "--overdispersion",
    type=click.Choice(["none", "multiplicative", "additive"]),
    default="additive",
    show_default=True,
    help="Overdispersion model of the yearly funnels.",
)
@click.option(
    "--limits",
    default="0.95,0.998",
    show_default=True,
    help="Control-limit levels of the funnels, comma-separated.",
)
@click.option("--show", default=10, show_default=True, help="Areas to list per status.")
@pass_context
def detect(
    ctx: Context,
    dataset: str,
    level: str,
    indicators: tuple[str, ...],
    years: str | None,
    fdr: float | None,
    no_persistence: bool,
    wijk_composition: bool,
    suppressed_below: int,
    drop_suppressed: bool,
    overdispersion: str,
    limits: str,
    show: int,
) -> None:
    """Find areas with notably lower (BlueZones) or higher use than expected."""
    from bluezones.detect.classify import Rules
    from bluezones.detect.pipeline import DEFAULT_INDICATORS, DetectionConfig
    from bluezones.detect.results import detect_dataset

    lang = ctx.settings.language
    rules = Rules() if fdr is None else Rules(fdr=fdr)
    config = DetectionConfig(
        level=level,
        indicators=indicators or DEFAULT_INDICATORS,
        years=_year_range(years),
        persistence=not no_persistence,
        composition=wijk_composition,
        suppressed_below=_suppressed_below(suppressed_below, drop_suppressed),
        overdispersion=overdispersion,  # type: ignore[arg-type]  # click.Choice checked it
        levels=_levels(limits),
        rules=rules,
        seed=ctx.settings.seed,
        lang=lang,
    )
    with ctx.store() as store:
        with _progress(ctx, text("detect.running", lang)) as step:
            result = detect_dataset(store, dataset, config, step)
        listed = store.read("regions", where={"dataset": dataset})
    names = listed.drop_duplicates("region_code", keep="last").set_index("region_code")["name"]
    counts = result.classification["status"].value_counts()
    summary = ", ".join(f"{text(f'status.{k}', lang)}: {v}" for k, v in counts.items())
    span = f"{result.summary['years'][0]}-{result.summary['years'][-1]}"
    ctx.say("detect.done", dataset=dataset, level=level, years=span, counts=summary)
    for status in ("bluezone", "escalation", "high"):
        part = result.classification[result.classification["status"] == status]
        if part.empty:
            continue
        total = len(part)
        part = part.sort_values("p_low" if status != "high" else "p_high").head(show)
        title = text("detect.list", lang, status=text("status." + status, lang), n=total)
        if total > len(part):
            title += " " + text("detect.shown", lang, shown=len(part))
        ctx.out.print(f"\n[bold]{title}[/bold]", highlight=False)
        for row in part.itertuples(index=False):
            ctx.say(
                "detect.item",
                name=names.get(row.region_code, row.region_code),
                code=row.region_code,
                ratio=row.ratio,
                low=row.ratio_low,
                high=row.ratio_high,
            )
            ctx.out.print(Padding(Text(str(row.reasons)), (0, 0, 0, 4)))
    moran = result.summary["moran"]
    if "moran_i" in moran:
        islands = ", ".join(names.get(c, c) for c in moran["islands"]) or "-"
        ctx.say("detect.moran", i=moran["moran_i"], p=moran["p_sim"], islands=islands)
    ctx.say("detect.saved")


def _levels(text_: str) -> tuple[float, ...]:
    """'0.95,0.998' to control-limit levels, each strictly between 0 and 1."""
    try:
        levels = tuple(float(x) for x in text_.split(","))
    except ValueError:
        raise click.BadParameter(f"{text_!r}: write levels as 0.95,0.998.") from None
    if not all(0 < v < 1 for v in levels):
        raise click.BadParameter(f"{text_!r}: each level lies between 0 and 1, e.g. 0.9.")
    return levels


def _year_range(years: str | None) -> tuple[int, ...] | None:
    """'2019-2024' or '2019,2021' to a tuple of years."""
    if not years:
        return None
    try:
        if "-" in years:
            first, last = (int(x) for x in years.split("-"))
            return tuple(range(first, last + 1))
        return tuple(int(x) for x in years.split(","))
    except ValueError:
        raise click.BadParameter(f"{years!r}: write years as 2019-2024 or 2019,2021.") from None


@main.command()
@click.option("--dataset", default="demo", show_default=True, help="Dataset to fit on.")
@click.option("--indicator", default="jeugdhulp", show_default=True, help="Indicator to explain.")
@click.option(
    "--level", type=click.Choice(["gemeente", "wijk"]), default="gemeente", show_default=True
)
@click.option(
    "--random",
    type=click.Choice(["none", "area", "nested", "persistent"]),
    default="none",
    show_default=True,
    help="Random effects: none (GLM), area, nested (SCP) or persistent.",
)
@click.option("--years", help="Years to use, e.g. 2019-2024 (default: all).")
@click.option(
    "--save", type=click.Path(dir_okay=False, path_type=Path), help="Save the model as JSON."
)
@pass_context
def model(
    ctx: Context,
    dataset: str,
    indicator: str,
    level: str,
    random: str,
    years: str | None,
    save: Path | None,
) -> None:
    """Fit the expected-use model and print its report (coefficients, fit, checks)."""
    from bluezones.model import ModelSpec, cells_from_facts, fit, model_report

    spec = ModelSpec(
        indicator=indicator,
        level=level,
        years=_year_range(years),
        random=random,  # type: ignore[arg-type]  # click.Choice checked it
    )
    with ctx.store(read_only=True) as store:
        facts = store.read("facts_harmonised", where={"dataset": dataset})
        if facts.empty:
            raise DataError(
                f"Dataset {dataset!r} has no harmonised figures.",
                hint=f"Run 'bluezones harmonise --dataset {dataset}' first.",
            )
        year = int(facts["reference_year"].iloc[0])
        regions = store.read("regions", where={"dataset": dataset, "year": year})
    cells = cells_from_facts(facts, spec, regions)
    fitted = fit(cells, spec)
    if random == "none":  # with standard errors clustered by area, where areas repeat
        report = model_report(fitted, cells, seed=ctx.settings.seed)
        coefficients, summary = report.coefficients, report.summary
    else:
        coefficients = fitted.coefficients()
        summary = {**fitted.stats, **{f"sd_{k}": v["sd"] for k, v in fitted.random.items()}}
    if "se_area" in coefficients:  # the intervals to read are those clustered by area
        coefficients = coefficients[
            ["term", "estimate", "se", "se_area", "ci_low_area", "ci_high_area", "ratio"]
        ]
    print_frame(ctx.out, coefficients.round(4), f"{indicator} ~ {spec.formula()}")
    rows = [(k, f"{v:.4g}" if isinstance(v, float) else str(v)) for k, v in summary.items()]
    print_frame(ctx.out, pd.DataFrame(rows, columns=["", "value"]))
    for warning in fitted.warnings:
        ctx.err.print(f"! {warning}", highlight=False, soft_wrap=True)
    if save is not None:
        fitted.save(save)
        ctx.out.print(str(save), highlight=False)


@main.group()
def validate() -> None:
    """Check the method: against the demo country's ground truth, and against SCP."""


@validate.command("demo")
@click.option("--seeds", default=3, show_default=True, help="Demo countries per kind.")
@click.option(
    "--level", type=click.Choice(["gemeente", "wijk"]), default="gemeente", show_default=True
)
@click.option("--no-null", is_flag=True, help="Skip the countries without planted areas.")
@_correction_options
@pass_context
def validate_demo(
    ctx: Context,
    seeds: int,
    level: str,
    no_null: bool,
    wijk_composition: bool,
    suppressed_below: int,
    drop_suppressed: bool,
) -> None:
    """Recall, false discoveries, interval coverage and the null flag rate on demo countries.

    Each seed builds a demo country with planted low, high and escalating areas
    (and, unless --no-null, the same country without them), runs detection and
    scores it against the truth. Takes about a minute per country at gemeente level.
    """
    from bluezones.detect.pipeline import DetectionConfig
    from bluezones.validation.truth import demo_summary

    config = DetectionConfig(
        composition=wijk_composition,
        suppressed_below=_suppressed_below(suppressed_below, drop_suppressed),
        seed=ctx.settings.seed,
        lang=ctx.settings.language,
    )
    first = ctx.settings.seed
    with _progress(ctx, text("validate.running", ctx.settings.language)) as step:
        tables = demo_summary(
            range(first, first + seeds), level=level, config=config, null=not no_null, progress=step
        )
    pooled = tables["pooled"].T.reset_index().rename(columns={"index": "figure"})
    for col in pooled.columns[1:]:
        pooled[col] = pooled[col].map(lambda v: f"{v:.3f}" if isinstance(v, float) else str(v))
    print_frame(ctx.out, pooled, f"demo, {level}, seeds {first}-{first + seeds - 1}")


@validate.command("scp")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_context
def validate_scp(ctx: Context, path: Path) -> None:
    """Compare our expected shares with SCP's published ones (Jeugdhulp in de wijk 2017)."""
    from bluezones.validation.scp import METHODS, compare_with_scp

    rows: list[dict[str, object]] = []
    for method, description in METHODS.items():
        summary = compare_with_scp(path, method=method).summary
        rows.append({"method": method, **{k: round(v, 3) for k, v in summary.items()}})
        rows[-1]["description"] = description
    print_frame(ctx.out, pd.DataFrame(rows))


@main.command()
@click.option("--dataset", default="demo", show_default=True, help="Dataset whose results to show.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the site (default: 'atlas-<dataset>' beside the store); replaced atomically.",
)
@click.option(
    "--level",
    "levels",
    type=click.Choice(["gemeente", "wijk"]),
    multiple=True,
    help="Level to include (repeatable; default: every level with detection results).",
)
@pass_context
def atlas(ctx: Context, dataset: str, out: Path | None, levels: tuple[str, ...]) -> None:
    """Build the atlas: an offline website with maps, funnel plot, lists and area profiles.

    The site opens straight from disk (index.html) and asks no other host; the
    page language follows --lang (readers can switch). Run 'bluezones detect'
    (and 'detect --level wijk') first.
    """
    from bluezones.present.atlas import build_atlas

    lang = ctx.settings.language
    folder = out or ctx.settings.store.parent / f"atlas-{dataset}"
    with ctx.store(read_only=True) as store:
        if not levels:
            levels = _detected_levels(store, dataset)
        path = build_atlas(store, dataset, folder, levels=levels, lang=lang)
    ctx.say("atlas.built", folder=path, index=path / "index.html")


@main.command()
@click.option(
    "--dataset", default="demo", show_default=True, help="Dataset whose results to export."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write (default: 'export-<dataset>' beside the store); replaced atomically.",
)
@click.option(
    "--format",
    "formats",
    type=click.Choice(["csv", "parquet", "xlsx", "geojson", "gpkg"]),
    multiple=True,
    help="Format (repeatable; default all: CSV, Parquet, Excel, GeoJSON, GeoPackage).",
)
@click.option(
    "--level",
    "levels",
    type=click.Choice(["gemeente", "wijk"]),
    multiple=True,
    help="Level (repeatable; default every level with detection results).",
)
@pass_context
def export(
    ctx: Context,
    dataset: str,
    out: Path | None,
    formats: tuple[str, ...],
    levels: tuple[str, ...],
) -> None:
    """Export detection results with a provenance manifest (CBS tables, model, seed, version)."""
    from bluezones.present.exports import EXPORT_FORMATS, write_exports

    folder = out or ctx.settings.store.parent / f"export-{dataset}"
    with ctx.store(read_only=True) as store:
        files = write_exports(
            store,
            dataset,
            folder,
            levels=levels or _detected_levels(store, dataset),
            formats=formats or EXPORT_FORMATS,
        )
    ctx.say("export.done", n=len(files), folder=folder)


def _detected_levels(store: Store, dataset: str) -> tuple[str, ...]:
    """The levels with stored detection results of ``dataset`` (gemeente if none)."""
    from bluezones.detect.results import RUNS_TABLE

    if not store.has_table(RUNS_TABLE):
        return ("gemeente",)
    found = set(store.read(RUNS_TABLE, where={"dataset": dataset})["level"])
    return tuple(lv for lv in ("gemeente", "wijk") if lv in found) or ("gemeente",)


@main.command()
@click.option(
    "--dir",
    "site",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of a built atlas (default: 'atlas-demo' beside the store).",
)
@click.option("--port", default=8000, show_default=True, help="Port to listen on (0: any free).")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind; the default serves this computer only.",
)
@pass_context
def serve(ctx: Context, site: Path | None, port: int, host: str) -> None:
    """Serve a built atlas and its JSON API (/api/areas, /api/area/<code>) over HTTP."""
    from bluezones.present.atlas.server import make_server

    folder = site or ctx.settings.store.parent / "atlas-demo"
    try:
        server = make_server(folder, host, port)
    except OSError as exc:
        raise BlueZonesError(
            f"Cannot listen on {host}:{port}: {exc.strerror or exc}.",
            hint="Choose another port with --port, e.g. --port 8001 (or 0 for any free one).",
        ) from exc
    ctx.say("atlas.serving", url=f"http://{host}:{server.server_port}/", folder=folder)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@main.command()
@click.option("--dataset", default="demo", show_default=True, help="Dataset to monitor.")
@click.option(
    "--indicator",
    "indicators",
    multiple=True,
    help="Rate to evaluate the pilots on (repeatable; default ots and uithuisplaatsing).",
)
@click.option(
    "--pilots",
    "pilots_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Your own pilot regions and start dates (TOML; see docs/monitor.md).",
)
@click.option("--permutations", default=999, show_default=True, help="Randomisation draws.")
@pass_context
def monitor(
    ctx: Context,
    dataset: str,
    indicators: tuple[str, ...],
    pilots_file: Path | None,
    permutations: int,
) -> None:
    """Youth-protection monitor: OTS, placements, shift in care; did the pilots do better?"""
    from bluezones.monitor import EvaluationConfig, monitor_dataset, save_monitor
    from bluezones.monitor.results import DEFAULT_EVALUATED

    config = EvaluationConfig(
        seed=ctx.settings.seed,
        permutations=permutations,
        bootstrap=permutations,
        lang=ctx.settings.language,
    )
    with ctx.store() as store:
        with _progress(ctx, text("monitor.running", ctx.settings.language)):
            result = monitor_dataset(
                store,
                dataset,
                evaluated=indicators or DEFAULT_EVALUATED,
                pilots_file=pilots_file,
                config=config,
            )
        save_monitor(store, dataset, result)
    ctx.say(
        "monitor.pilots",
        n=len(result.pilots),
        names=", ".join(p.name for p in result.pilots),
        source=result.pilot_source,
    )
    for name, evaluation in result.evaluations.items():
        ctx.out.print(f"\n[bold]{name}[/bold]", highlight=False)
        ctx.out.print(Padding(Text(evaluation.interpretation), (0, 0, 0, 2)))
        for caveat in evaluation.caveats:
            ctx.out.print(Padding(Text(f"- {caveat}"), (0, 0, 0, 2)))
    ctx.say("monitor.saved")


@main.command("settings")
@pass_context
def settings_cmd(ctx: Context) -> None:
    """Show every setting, its current value and the environment variable that sets it."""
    rows = []
    for env, help_text in Settings.describe():
        name = env.removeprefix("BLUEZONES_").lower()
        rows.append((env, str(getattr(ctx.settings, name)), help_text))
    print_frame(ctx.out, pd.DataFrame(rows, columns=["variable", "value", "help"]))


@main.command()
@click.option("--measure", help="Only tables that hold this measure.")
@pass_context
def tables(ctx: Context, measure: str | None) -> None:
    """List the registry of CBS tables: which table holds which measures for which years."""
    from bluezones.sources.cbs import REGISTRY

    frame = REGISTRY.to_frame()
    if measure:
        frame = frame[frame["measures"].str.split(", ").apply(lambda ms: measure in ms)]
    frame["years"] = frame["first_year"].astype(str) + "-" + frame["last_year"].astype(str)
    print_frame(ctx.out, frame[["table_id", "title", "years", "levels", "verified"]])


@main.command()
@click.argument("table_ids", nargs=-1, required=True)
@click.option("--force", is_flag=True, help="Download even if CBS reports no change.")
@click.option("--dataset", default="cbs", show_default=True, help="Dataset name in the store.")
@pass_context
def fetch(ctx: Context, table_ids: tuple[str, ...], force: bool, dataset: str) -> None:
    """Download CBS StatLine tables into the store (only those that changed)."""
    from bluezones.sources.cbs import CBSClient
    from bluezones.sources.cbs import fetch as fetch_tables

    with ctx.store() as store, CBSClient(ctx.settings) as client:
        results = fetch_tables(
            store, table_ids, client=client, force=force, dataset=dataset, progress=True
        )
    for r in results:
        if r.status == "unchanged":
            ctx.say("fetch.unchanged", table=r.table_id, modified=r.modified)
        else:
            ctx.say("fetch.done", table=r.table_id, rows=r.rows, facts=r.facts, modified=r.modified)


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dataset", required=True, help="Dataset name in the store, e.g. 'eigen'.")
@click.option("--sheet", help="Excel sheet name or 0-based position.")
@click.option("--encoding", default="utf-8", show_default=True, help="Text encoding of a CSV.")
@click.option("--decimal", default=".", show_default=True, help="Decimal mark: . or ,")
@click.option("--sep", help="CSV separator (default: sniffed).")
@click.option("--ignore", multiple=True, help="Extra column to ignore (repeatable).")
@click.option(
    "--regions-from",
    help="Refuse region codes that this dataset's region lists (e.g. cbs) do not know.",
)
@pass_context
def load(
    ctx: Context,
    path: Path,
    dataset: str,
    sheet: str | None,
    encoding: str,
    decimal: str,
    sep: str | None,
    ignore: tuple[str, ...],
    regions_from: str | None,
) -> None:
    """Load a municipality's own CSV, Excel or Parquet file (see docs/own-files.md)."""
    from bluezones.sources.files import load_own_file

    sheet_arg: str | int | None = int(sheet) if sheet and sheet.isdigit() else sheet
    with ctx.store() as store:
        known = None
        if regions_from:
            listed = store.read("regions", where={"dataset": regions_from})
            if listed.empty:
                raise DataError(
                    f"The store has no region lists of dataset {regions_from!r}.",
                    hint="Fetch CBS tables first, or leave out --regions-from.",
                )
            known = set(listed["region_code"])
        n = load_own_file(
            store,
            path,
            dataset=dataset,
            sheet=sheet_arg,
            encoding=encoding,
            decimal=decimal,
            sep=sep,
            ignore=ignore,
            known_regions=known,
        )
    ctx.say("load.done", file=path.name, facts=n, dataset=dataset)


@main.command()
@click.option("--dataset", required=True, help="Dataset to harmonise, e.g. demo or cbs.")
@click.option(
    "--reference-year", type=int, help="Boundary year (default: setting BLUEZONES_REFERENCE_YEAR)."
)
@click.option("--level", type=click.Choice(["gemeente", "wijk"]), help="Only this level.")
@click.option(
    "--suppressed",
    type=click.Choice(["propagate", "ignore_slivers"]),
    default="propagate",
    show_default=True,
    help="How a merged unit with a suppressed part is treated.",
)
@click.option(
    "--crosswalk",
    "crosswalk_dataset",
    help="Dataset whose crosswalk to use (default: the dataset's own, else cbs).",
)
@pass_context
def harmonise(
    ctx: Context,
    dataset: str,
    reference_year: int | None,
    level: str | None,
    suppressed: str,
    crosswalk_dataset: str | None,
) -> None:
    """Put every year of a dataset on the boundaries of one reference year (herindeling)."""
    from bluezones.regions import harmonise_store

    year = reference_year or ctx.settings.reference_year
    with ctx.store() as store:
        if crosswalk_dataset is None:
            own = not store.read("crosswalk", where={"dataset": dataset}).empty
            crosswalk_dataset = dataset if own else "cbs"
        n = harmonise_store(
            store,
            dataset,
            year,
            level=level,
            suppressed=suppressed,  # type: ignore[arg-type]  # click.Choice checked it
            crosswalk_dataset=crosswalk_dataset,
        )
    ctx.say("harmonise.done", dataset=dataset, year=year, facts=n)


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--dataset", default="cbs", show_default=True, help="Dataset the crosswalk is for.")
@pass_context
def crosswalk(ctx: Context, folder: Path, dataset: str) -> None:
    """Load a herindeling crosswalk (VNG grenswijzigen CSVs) into the store."""
    from bluezones.regions import load_grenswijzigen, write_crosswalk

    with ctx.store() as store:
        n = write_crosswalk(store, load_grenswijzigen(folder, dataset=dataset))
    ctx.say("crosswalk.done", folder=folder, rows=n, dataset=dataset)


from bluezones import cli_microdata as _cli_microdata  # noqa: E402, F401  (registers "microdata")
from bluezones import cli_report as _cli_report  # noqa: E402, F401  (registers "report")
from bluezones import cli_sdc as _cli_sdc  # noqa: E402, F401  (registers "sdc-check")
