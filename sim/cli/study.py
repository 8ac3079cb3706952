"""Commands on scenario files: ``schema``, ``validate`` and ``scenarios`` (the shipped studies)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import CorridorError
from ..report.text import number
from .app import CalibrationOption, GeodataOption, app, console, err_console, warn

__all__ = ["schema", "validate", "scenarios"]


@app.command()
def schema(out: Annotated[Path | None, typer.Option(help="write the schema to this file")] = None) -> None:
    """Print the JSON Schema of scenario files (for editor completion and checking)."""
    import json

    from ..outputs import write_text_atomic
    from ..scenario import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        write_text_atomic(out, text)
        err_console.print(f"wrote {out}", highlight=False, markup=False, soft_wrap=True)


@app.command()
def validate(
    scenario: Annotated[Path | None, typer.Argument(help="scenario YAML file (with --against-published: the "
                                                    "validation study, default "
                                                    "scenarios/validation/validation.yaml)")] = None,
    against_published: Annotated[bool, typer.Option("--against-published", help="run the validation scenarios and "
                                                    "compare with published figures")] = False,
    geodata: GeodataOption = None,
    calibration: CalibrationOption = None,
) -> None:
    """Check a scenario file: schema, references to routes, nodes and services, and every variant compiles."""
    if against_published:
        from ..validation import print_validation

        ok = print_validation(scenario, console)
        raise typer.Exit(code=0 if ok else 1)
    if scenario is None:
        raise CorridorError("give a scenario file to validate (or --against-published)")
    from rich.text import Text

    from ..experiment import prepare_study

    study = prepare_study(scenario, geodata, calibration)  # exactly what `run` compiles, every variant
    for w in study.file.warnings:
        warn(w)
    base = study.file.base
    console.print(Text.assemble(("ok", "green"), f" {scenario}: scenario '{base.name}', {len(study.variants)} "
                                f"variant(s): "
                                f"{', '.join(p.name for p in study.variants)}"), soft_wrap=True, highlight=False)
    if base.network is not None:
        groups = study.network.groups
        console.print(f"  network: {len(base.network.nodes)} node(s), {len(base.network.legs)} leg(s) ({len(groups)} "
                      f"sea leg(s) routed into {sum(len(v) for v in groups.values())} leg(s)), "
                      f"{len(base.network.routes)} route(s) of its own", soft_wrap=True, highlight=False)
    for plan in study.variants:
        routes = ", ".join(sorted(plan.info.routes))
        teu = sum(f.teu_per_year for f in plan.model.flows)
        console.print(f"  {plan.name}: {number(teu, 0)} TEU/yr over {routes}", soft_wrap=True)


@app.command()
def scenarios(as_json: Annotated[bool, typer.Option("--json", help="print the list as JSON")] = False) -> None:
    """List the shipped studies: the question each asks, its variants and routes."""
    import json

    from ..shipped import shipped_studies

    studies = shipped_studies()
    if as_json:
        sys.stdout.write(json.dumps([{**s.__dict__, "file": _shown(s.file)} for s in studies], indent=2) + "\n")
        return
    from rich.text import Text

    for s in studies:
        console.print(Text.assemble((_shown(s.file), "bold"), f"  ({s.name})"), highlight=False)
        console.print(Text(s.description), style="", highlight=False)
        console.print(f"  variants: {', '.join(s.variants)}", highlight=False, soft_wrap=True)
        console.print(f"  routes (baseline first): {', '.join(s.routes)}\n", highlight=False, soft_wrap=True)
    console.print("run one with: corridor-sim run FILE --replications 2", highlight=False)


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
