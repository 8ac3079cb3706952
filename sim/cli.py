"""The `corridor-sim` command line: routes, map, schema, validate, run."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Literal, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from .errors import CorridorError
from .report.text import number

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Simulate India-Russia trade corridors (INSTC, NSR, Suez, Cape) and compare them against a baseline.",
)
console = Console()
err_console = Console(stderr=True)


class RouteFormat(str, Enum):
    table = "table"
    csv = "csv"
    geojson = "geojson"


class Direction(str, Enum):
    forward = "forward"
    reverse = "reverse"
    both = "both"


GeodataOption = Annotated[Path | None, typer.Option(help="geodata folder (default: the packaged geodata/)")]
CalibrationOption = Annotated[Path | None, typer.Option(
    help="calibration file (default: scenarios/defaults/calibration.yaml)")]


@app.callback()
def _root() -> None:
    """Simulate India-Russia trade corridors (INSTC, NSR, Suez, Cape) and compare them against a baseline."""


def _fail(exc: Exception) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code=2)


@app.command()
def routes(
    fmt: Annotated[RouteFormat, typer.Option("--format", "-f", help="table, csv or geojson")] = RouteFormat.table,
    direction: Annotated[Direction, typer.Option(help="forward (India to Russia), reverse, or both")] = Direction.both,
    out: Annotated[Path | None, typer.Option(help="write to this file instead of standard output")] = None,
    geodata: GeodataOption = None,
) -> None:
    """List the named routes: modes, legs, distance, sea distance and chokepoints."""
    from .network import DEFAULT_GEODATA, load_network
    from .routes import DIRECTIONS, load_route_specs, resolve_route
    from .routes_export import dumps_geojson, route_rows, routes_csv, routes_geojson

    try:
        root = geodata or DEFAULT_GEODATA
        network = load_network(root)
        specs = load_route_specs(root / "routes.yaml", network)
        dirs = DIRECTIONS if direction is Direction.both else (direction.value,)
        resolved = [resolve_route(network, spec, direction=d) for spec in specs.values() for d in dirs]
    except CorridorError as exc:
        _fail(exc)
    if fmt is RouteFormat.table:
        table = Table(title="corridor-sim routes", show_lines=False)
        columns: tuple[tuple[str, Literal["left", "right"]], ...] = (("route", "left"), ("direction", "left"), ("origin", "left"), ("destination", "left"),
                             ("modes", "left"), ("legs", "right"), ("distance_km", "right"), ("sea_nm", "right"),
                             ("chokepoints", "left"))
        for col, justify in columns:
            table.add_column(col, justify=justify, overflow="fold")
        for row in route_rows(resolved):
            table.add_row(*(number(v, 0) if isinstance(v, float) else str(v) for v in row.values()))
        if out is None:
            Console(width=max(console.width, 170)).print(table)
            return
        with out.open("w", encoding="utf-8") as fh:
            Console(file=fh, width=200).print(table)
        return
    text = routes_csv(resolved) if fmt is RouteFormat.csv else dumps_geojson(routes_geojson(network, resolved))
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {out}")


@app.command()
def schema(out: Annotated[Path | None, typer.Option(help="write the schema to this file")] = None) -> None:
    """Print the JSON Schema of scenario files (for editor completion and checking)."""
    import json

    from .scenario import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {out}")


@app.command()
def validate(
    scenario: Annotated[Path | None, typer.Argument(help="scenario YAML file (with --against-published: the validation study, default scenarios/validation/validation.yaml)")] = None,
    against_published: Annotated[bool, typer.Option("--against-published", help="run the validation scenarios and compare with published figures")] = False,
    geodata: GeodataOption = None,
    calibration: CalibrationOption = None,
) -> None:
    """Check a scenario file: schema, references to routes, nodes and services, and every variant compiles."""
    if against_published:
        from .validation import print_validation

        try:
            ok = print_validation(scenario, console)
        except CorridorError as exc:
            _fail(exc)
        raise typer.Exit(code=0 if ok else 1)
    if scenario is None:
        _fail(CorridorError("give a scenario file to validate (or --against-published)"))
    from .experiment import prepare_study

    try:
        study = prepare_study(scenario, geodata, calibration)
    except CorridorError as exc:
        _fail(exc)
    base = study.file.base
    console.print(f"[green]ok[/] {scenario}: scenario '{base.name}', {len(study.variants)} variant(s): "
                  f"{', '.join(p.name for p in study.variants)}", soft_wrap=True)
    for plan in study.variants:
        routes = ", ".join(sorted(plan.info.routes))
        teu = sum(f.teu_per_year for f in plan.model.flows)
        console.print(f"  {plan.name}: {number(teu, 0)} TEU/yr over {routes}", soft_wrap=True)


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file")],
    out: Annotated[Path | None, typer.Option(help="output folder (default outputs/<scenario>-<timestamp>)")] = None,
    replications: Annotated[int | None, typer.Option(min=1, help="replications per variant (default: the scenario's)")] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="random seed (default: the scenario's)")] = None,
    workers: Annotated[int, typer.Option(min=0, help="local worker processes (0: one per CPU core)")] = 0,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address (tcp://host:8786), or 'local' for a LocalCluster")] = None,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="draw maps, charts and report.html")] = True,
    geodata: GeodataOption = None,
    calibration: CalibrationOption = None,
) -> None:
    """Run a study: every variant x replication, then summary.csv, facilities.csv, shipments.parquet,
    manifest.json, report.md (and maps, charts, report.html) in one folder."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from .runner import RunOptions, run_study

    if workers == 0:
        import os

        workers = os.cpu_count() or 1
    opts = RunOptions(scenario=scenario, out=out, replications=replications, seed=seed, workers=workers,
                      scheduler=scheduler, plots=plots, geodata=geodata, calibration=calibration)
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), console=err_console,
                        transient=False)
    task = None

    def on_start(study, reps):
        nonlocal task
        progress.start()
        task = progress.add_task(f"{study.file.base.name}: replications", total=len(study.variants) * reps)

    def on_done(_out):
        assert task is not None  # on_start ran first
        progress.advance(task)

    try:
        summary = run_study(opts, on_start, on_done)
    except KeyboardInterrupt:
        progress.stop()
        err_console.print("[bold red]interrupted:[/] no output folder was written")
        raise typer.Exit(code=130) from None
    except (CorridorError, FileExistsError) as exc:
        progress.stop()
        _fail(exc)
    progress.stop()
    table = Table(title=f"results: {summary.folder}")
    for col in ("variant", "route", "dir", "TEU/rep", "p50 days", "p05-p95", "Δp50 vs base [95% CI]", "USD/TEU", "kg CO2/TEU", "on time"):
        table.add_column(col, justify="left" if col in ("variant", "route", "dir") else "right")
    for r in summary.rows:
        def f(v, d=1):
            return number(v, d, missing="")
        delta = "baseline" if r["is_baseline"] else f"{f(r['delta_days_p50_vs_baseline'])} [{f(r['delta_days_ci_low'])}, {f(r['delta_days_ci_high'])}]"
        table.add_row(r["variant"], r["route"], "fwd" if r["direction"] == "forward" else "rev", f(r["teu_delivered"], 0),
                      f(r["transit_days_p50"]), f"{f(r['transit_days_p05'])}-{f(r['transit_days_p95'])}", delta,
                      f(r["cost_usd_per_teu"], 0), f(r["co2_kg_per_teu"], 0), f"{f(100 * r['on_time_share'], 0)}%")
    Console(width=max(console.width, 160)).print(table)
    console.print(f"{summary.events:,} events in {summary.seconds:.1f} s; outputs in [bold]{summary.folder}[/]")


@app.command("map")
def map_command(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file")],
    out: Annotated[Path | None, typer.Option(help="image file (.png or .svg); default outputs/<scenario>-route_map.png")] = None,
    geodata: GeodataOption = None,
    calibration: CalibrationOption = None,
) -> None:
    """Draw the scenario's route map from the network alone (no simulation)."""
    from .experiment import prepare_study
    from .report.figures import study_map

    try:
        study = prepare_study(scenario, geodata, calibration)
    except CorridorError as exc:
        _fail(exc)
    target = out or Path("outputs") / f"{study.file.base.name}-route_map.png"
    if target.suffix.lower() not in (".png", ".svg"):
        _fail(CorridorError(f"--out {target}: the map is written as .png or .svg"))
    target.parent.mkdir(parents=True, exist_ok=True)
    fig = study_map(study)
    tmp = target.with_name(f".{target.name}.tmp{target.suffix}")
    fig.savefig(tmp, dpi=fig.dpi)
    tmp.replace(target)
    console.print(f"wrote {target}")


def main() -> None:
    """Entry point of the console script."""
    app()


if __name__ == "__main__":
    main()
