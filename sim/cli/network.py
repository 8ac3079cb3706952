"""Commands on the network alone (no simulation): ``routes`` lists the named routes, ``map`` draws them."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..errors import CorridorError
from .app import CalibrationOption, GeodataOption, app, console, err_console, warn

__all__ = ["routes", "map_command"]


class RouteFormat(str, Enum):
    table = "table"
    csv = "csv"
    geojson = "geojson"


class Direction(str, Enum):
    forward = "forward"
    reverse = "reverse"
    both = "both"


@app.command()
def routes(
    fmt: Annotated[RouteFormat, typer.Option("--format", "-f", help="table, csv or geojson")] = RouteFormat.table,
    direction: Annotated[Direction, typer.Option(help="forward (India to Russia), reverse, or both")] = Direction.both,
    out: Annotated[Path | None, typer.Option(help="write to this file instead of standard output")] = None,
    scenario: Annotated[Path | None, typer.Option(help="a scenario file: list the shipped routes and the scenario's "
                                                  "own (its network: block), on its network")] = None,
    geodata: GeodataOption = None,
    calibration: CalibrationOption = None,
) -> None:
    """List the named routes: modes, legs, distance, sea distance and chokepoints."""
    from ..network import DEFAULT_GEODATA, load_network
    from ..outputs import check_output_path, write_text_atomic
    from ..routes import DIRECTIONS, Policy, load_route_specs, resolve_route
    from ..routes_export import dumps_geojson, route_table, routes_csv, routes_geojson

    if out is not None:
        check_output_path(out)
    policy = Policy()
    if scenario is not None:
        from ..experiment import load_study_network

        sfile, network, specs, _ = load_study_network(scenario, geodata, calibration)
        policy = Policy(enabled_legs=frozenset(sfile.base.enabled_legs))
    else:
        root = geodata or DEFAULT_GEODATA
        network = load_network(root)
        specs = load_route_specs(root / "routes.yaml", network)
    dirs = DIRECTIONS if direction is Direction.both else (direction.value,)
    resolved = [resolve_route(network, spec, policy, direction=d) for spec in specs.values() for d in dirs]
    if fmt is RouteFormat.table:
        table = route_table(resolved)
        if out is None:
            Console(width=max(console.width, 170)).print(table)
            return
        import io

        buf = io.StringIO()
        Console(file=buf, width=200).print(table)
        text = buf.getvalue()
    else:
        text = routes_csv(resolved) if fmt is RouteFormat.csv else dumps_geojson(routes_geojson(network, resolved))
    if out is None:
        sys.stdout.write(text)
    else:
        write_text_atomic(out, text)
        err_console.print(f"wrote {out}", highlight=False, markup=False, soft_wrap=True)


@app.command("map")
def map_command(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file")],
    out: Annotated[Path | None, typer.Option(help="image file (.png or .svg); default "
                                             "outputs/<scenario>-route_map.png")] = None,
    geodata: GeodataOption = None,
    calibration: CalibrationOption = None,
) -> None:
    """Draw the scenario's route map from the network alone (no simulation)."""
    from ..experiment import prepare_study
    from ..land import check_land
    from ..outputs import _missing_parents, _remove_empty, check_output_path

    if out is not None:
        if out.suffix.lower() not in (".png", ".svg"):
            raise CorridorError(f"--out {out}: the map is written as .png or .svg")
        if out.is_dir():
            raise CorridorError(f"--out {out}: is a folder; give a .png or .svg file name")
        check_output_path(out)
    study = prepare_study(scenario, geodata, calibration)
    for w in study.file.warnings:
        warn(w)
    check_land()
    target = out or Path("outputs") / f"{study.file.base.name}-route_map.png"
    check_output_path(target)
    from ..report.figures import study_map

    created = _missing_parents(target.parent)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}{target.suffix}")
    done = False
    try:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CorridorError(f"--out {target}: cannot create the folder {target.parent}: "
                                f"{exc.strerror or exc}") from None
        fig = study_map(study)
        try:
            fig.savefig(tmp, dpi=fig.dpi)
            tmp.replace(target)
        except OSError as exc:
            raise CorridorError(f"--out {target}: cannot write: {exc.strerror or exc}") from None
        done = True
    finally:
        tmp.unlink(missing_ok=True)
        if not done:
            _remove_empty(created)
    console.print(f"wrote {target}", highlight=False, markup=False, soft_wrap=True)
