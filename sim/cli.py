"""The `corridor-sim` command line: routes, map, schema, validate, run."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .errors import CorridorError

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


@app.callback()
def _root() -> None:
    """Simulate India-Russia trade corridors (INSTC, NSR, Suez, Cape) and compare them against a baseline."""


def _fail(exc: Exception) -> None:
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
    raise typer.Exit(code=2)


@app.command()
def routes(
    fmt: Annotated[RouteFormat, typer.Option("--format", "-f", help="table, csv or geojson")] = RouteFormat.table,
    direction: Annotated[Direction, typer.Option(help="forward (India to Russia), reverse, or both")] = Direction.both,
    out: Annotated[Path | None, typer.Option(help="write to this file instead of standard output")] = None,
    geodata: Annotated[Path | None, typer.Option(help="geodata folder (default: the packaged geodata/)")] = None,
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
        for col, justify in (("route", "left"), ("direction", "left"), ("origin", "left"), ("destination", "left"),
                             ("modes", "left"), ("legs", "right"), ("distance_km", "right"), ("sea_nm", "right"),
                             ("chokepoints", "left")):
            table.add_column(col, justify=justify, overflow="fold")
        for row in route_rows(resolved):
            table.add_row(*(f"{v:,.0f}" if isinstance(v, float) else str(v) for v in row.values()))
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


def main() -> None:
    """Entry point of the console script."""
    app()


if __name__ == "__main__":
    main()
