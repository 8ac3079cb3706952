"""The `corridor-sim` command line: routes, map, schema, validate, run.

``main(argv)`` is the one entry point (the console script and tests call it): every outcome is an exit code and,
on failure, one line per problem on standard error, never a traceback. Exit codes: 0 done; 1 internal error (a
bug); 2 bad input (a file, option, path or scheduler address that cannot be used); 130 interrupted (Ctrl-C);
143 terminated (SIGTERM); 129 hang-up (SIGHUP). An interrupted or failed run leaves nothing behind.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .errors import CorridorError, Interrupted
from .limits import MAX_REPLICATIONS, MAX_SEED, MAX_WORKERS
from .report.text import number
from .sensitivity.command import register as register_sensitivity

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


def _say(kind: str, text: str, style: str = "bold red") -> None:
    """``kind: text`` on standard error, one line per line of ``text`` (no wrapping, no markup read in it)."""
    from rich.text import Text

    for line in str(text).splitlines() or [""]:
        msg = Text.assemble((f"{kind}:", style), " ", line)
        err_console.print(msg, highlight=False, soft_wrap=True)


def _warn(text: str) -> None:
    _say("warning", text, "bold yellow")


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
    from .network import DEFAULT_GEODATA, load_network
    from .outputs import check_output_path, write_text_atomic
    from .routes import DIRECTIONS, Policy, load_route_specs, resolve_route
    from .routes_export import dumps_geojson, route_table, routes_csv, routes_geojson

    if out is not None:
        check_output_path(out)
    policy = Policy()
    if scenario is not None:
        from .experiment import load_study_network

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


@app.command()
def schema(out: Annotated[Path | None, typer.Option(help="write the schema to this file")] = None) -> None:
    """Print the JSON Schema of scenario files (for editor completion and checking)."""
    import json

    from .outputs import write_text_atomic
    from .scenario import scenario_json_schema

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
        from .validation import print_validation

        ok = print_validation(scenario, console)
        raise typer.Exit(code=0 if ok else 1)
    if scenario is None:
        raise CorridorError("give a scenario file to validate (or --against-published)")
    from rich.text import Text

    from .experiment import prepare_study

    study = prepare_study(scenario, geodata, calibration)  # exactly what `run` compiles, every variant
    for w in study.file.warnings:
        _warn(w)
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
def run(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file")],
    out: Annotated[Path | None, typer.Option(help="output folder (default outputs/<scenario>-<timestamp>)")] = None,
    replications: Annotated[int | None, typer.Option(min=1, max=MAX_REPLICATIONS, help="replications per variant "
                                                     "(default: the scenario's)")] = None,
    seed: Annotated[int | None, typer.Option(min=0, max=MAX_SEED, help="random seed (default: the scenario's)")] = None,
    workers: Annotated[int, typer.Option(min=0, max=MAX_WORKERS, help="local worker processes (0: one per CPU "
                                         "core)")] = 0,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address (tcp://host:8786), or 'local' for a "
                                                  "LocalCluster")] = None,
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
        workers = os.cpu_count() or 1
    opts = RunOptions(scenario=scenario, out=out, replications=replications, seed=seed, workers=workers,
                      scheduler=scheduler, plots=plots, geodata=geodata, calibration=calibration)
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), console=err_console,
                        transient=False)
    task = None
    started = False

    def begin(description: str, total: int) -> None:
        nonlocal task, started
        if not started:
            progress.start()
            started = True
        if task is not None:
            progress.update(task, completed=progress.tasks[-1].total)
        task = progress.add_task(description, total=total)

    def on_start(study, reps):
        begin(f"{study.file.base.name}: replications", len(study.variants) * reps)

    def on_done(_out):
        assert task is not None  # a phase began first
        progress.advance(task)

    try:
        summary = run_study(opts, on_start, on_done, on_warning=_warn, on_phase=begin)
    finally:
        if started:
            progress.stop()
    from .report.console import results_table

    table = results_table(summary.rows, f"results: {summary.folder}")
    Console(width=max(console.width, 160)).print(table)
    console.print(f"{summary.events:,} events in {summary.seconds:.1f} s; outputs in [bold]{summary.folder}[/]")


@app.command("map")
def map_command(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file")],
    out: Annotated[Path | None, typer.Option(help="image file (.png or .svg); default "
                                             "outputs/<scenario>-route_map.png")] = None,
    geodata: GeodataOption = None,
    calibration: CalibrationOption = None,
) -> None:
    """Draw the scenario's route map from the network alone (no simulation)."""
    from .experiment import prepare_study
    from .land import check_land
    from .outputs import _missing_parents, _remove_empty, check_output_path

    if out is not None:
        if out.suffix.lower() not in (".png", ".svg"):
            raise CorridorError(f"--out {out}: the map is written as .png or .svg")
        if out.is_dir():
            raise CorridorError(f"--out {out}: is a folder; give a .png or .svg file name")
        check_output_path(out)
    study = prepare_study(scenario, geodata, calibration)
    for w in study.file.warnings:
        _warn(w)
    check_land()
    target = out or Path("outputs") / f"{study.file.base.name}-route_map.png"
    check_output_path(target)
    from .report.figures import study_map

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


register_sensitivity(app)  # the command's body lives in sim/sensitivity/command.py


# ----- the one entry point: exit codes and one-line messages -------------------------------------------------------
EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
_STOP_SIGNALS = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None)


def _on_stop_signal(signum, _frame) -> None:
    # a second signal must not interrupt the clean-up the first one starts
    for s in (*_STOP_SIGNALS, signal.SIGINT):
        signal.signal(s, signal.SIG_IGN)
    raise Interrupted(signum)


_SIGINT_SEEN = threading.Event()


def _on_sigint(_signum, _frame) -> None:
    for s in (*_STOP_SIGNALS, signal.SIGINT):
        signal.signal(s, signal.SIG_IGN)
    _SIGINT_SEEN.set()  # typer turns KeyboardInterrupt into a plain exit code 130; this tells them apart
    raise KeyboardInterrupt


def _command_name(argv: list[str]) -> str:
    return next((a for a in argv if a in app_commands()), "")


def app_commands() -> set[str]:
    return {"run", "validate", "map", "routes", "schema", "sensitivity"}


def cli(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``) and return the exit code. Nothing escapes as a
    traceback: bad input prints ``error: ...`` lines and returns 2; an unexpected failure prints one
    ``internal error`` line and returns 1 (``CORRIDOR_SIM_DEBUG=1`` shows its traceback)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        for s in _STOP_SIGNALS:
            handlers[s] = signal.signal(s, _on_stop_signal)
        handlers[signal.SIGINT] = signal.signal(signal.SIGINT, _on_sigint)
    try:
        try:
            _SIGINT_SEEN.clear()
            code = app(args=argv, prog_name="corridor-sim", standalone_mode=False)
            if _SIGINT_SEEN.is_set():
                raise KeyboardInterrupt
            return code if isinstance(code, int) else EXIT_OK
        except Exception as exc:
            # click's exceptions (typer may vendor click, so they are recognised by class name)
            kinds = {c.__name__ for c in type(exc).__mro__}
            if "Exit" in kinds:
                if isinstance(exc.__cause__, KeyboardInterrupt):  # typer turns Ctrl-C into Exit(130)
                    raise KeyboardInterrupt from None
                return int(getattr(exc, "exit_code", EXIT_BAD_INPUT))
            if "Abort" in kinds:
                raise KeyboardInterrupt from None
            if "ClickException" not in kinds:
                raise
            cmd = _command_name(argv)
            hint = f" (see 'corridor-sim {cmd} --help')" if cmd else " (see 'corridor-sim --help')"
            _say("error", " ".join(str(getattr(exc, "format_message", exc.__str__)()).split()) + hint)
            return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _say("interrupted", "stopped by Ctrl-C; nothing was written (no output folder, no temporary files)")
        return EXIT_INTERRUPTED
    except Interrupted as exc:
        name = signal.Signals(exc.signum).name
        _say("interrupted", f"stopped by {name}; nothing was written (no output folder, no temporary files)")
        return 128 + exc.signum
    except (CorridorError, FileExistsError) as exc:
        _say("error", str(exc))
        return EXIT_BAD_INPUT
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _say("error", f"{where}{exc.strerror or exc}")
        return EXIT_BAD_INPUT
    except Exception as exc:  # a bug: say so in one line, keep the traceback for whoever debugs it
        if os.environ.get("CORRIDOR_SIM_DEBUG"):
            import traceback

            traceback.print_exc()
        first = (str(exc).splitlines() or [""])[0][:300]
        _say("internal error", f"{type(exc).__name__}: {first} -- this is a bug; please report it with the command "
             "line (CORRIDOR_SIM_DEBUG=1 shows the traceback)")
        return EXIT_INTERNAL
    finally:
        for s, h in handlers.items():
            signal.signal(s, h)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    code = cli(argv)
    sys.stdout.flush()
    sys.exit(code)


if __name__ == "__main__":
    main()
