"""The `corridor-sim sensitivity` command: options, progress bar and the closing table. ``register(app)`` adds it
to the typer app; the work is done by ``sim.sensitivity.study``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..limits import MAX_REPLICATIONS, MAX_SEED, MAX_WORKERS

__all__ = ["register", "sensitivity"]


def sensitivity(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file (its base variant is analysed)")],
    method: Annotated[str, typer.Option(help="oat (one-at-a-time swings), morris (elementary-effects screening), "
                                        "sobol (Sobol indices of the --top assumptions of a one-at-a-time screen) "
                                        "or uncertainty (all assumptions sampled together, Latin hypercube)")] = "oat",
    outputs: Annotated[list[str] | None, typer.Option("--outputs", help="decision outputs (repeat the option): "
                                                      "delta_days_p50, delta_transport_usd_per_teu, "
                                                      "delta_generalized_usd_per_teu, share (route choice on); "
                                                      "default: all")] = None,
    out: Annotated[Path | None, typer.Option(help="output folder (default outputs/<scenario>-sensitivity-"
                                             "<timestamp>)")] = None,
    replications: Annotated[int, typer.Option(min=1, max=MAX_REPLICATIONS, help="replications per point (common "
                                              "random numbers: the same seeds at every point)")] = 1,
    seed: Annotated[int | None, typer.Option(min=0, max=MAX_SEED, help="random seed (default: the scenario's)")] = None,
    parameters: Annotated[list[str] | None, typer.Option("--parameters", help="only these assumptions: ids or shell "
                                                         "patterns such as 'services.*' (repeat the option)")] = None,
    samples: Annotated[int | None, typer.Option(help="morris: trajectories (default 10); sobol: base samples, a "
                                                "power of two (64); uncertainty: Latin hypercube size (64)")] = None,
    top: Annotated[int, typer.Option(help="sobol: how many assumptions of the screen to sample")] = 6,
    days: Annotated[int | None, typer.Option(help="simulate only the first DAYS days of bookings (default: the "
                                             "whole study)")] = None,
    workers: Annotated[int, typer.Option(min=0, max=MAX_WORKERS, help="local worker processes (0: one per CPU "
                                         "core)")] = 0,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address (tcp://host:8786), or 'local'")] = None,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="draw the tornado charts")] = True,
    geodata: Annotated[Path | None, typer.Option(help="geodata folder (default: the packaged geodata/)")] = None,
    calibration: Annotated[Path | None, typer.Option(help="calibration file (default: "
                                                     "scenarios/defaults/calibration.yaml)")] = None,
) -> None:
    """Which assumptions decide the answer: swings, Morris or Sobol indices and joint uncertainty of the decision
    outputs (each route against the baseline), written to sensitivity.csv, indices.csv, tornado charts and
    report.md in one folder."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .study import SensitivityOptions, run_sensitivity

    opts = SensitivityOptions(scenario=scenario, method=method, outputs=outputs, out=out, replications=replications,
                              seed=seed, workers=workers or os.cpu_count() or 1, scheduler=scheduler,
                              parameters=parameters, samples=samples, top=top, days=days, plots=plots,
                              geodata=geodata, calibration=calibration)
    console, err = Console(), Console(stderr=True)
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=err, transient=False)
    state: dict = {"task": None}

    def phase(description: str, total: int) -> None:
        if state["task"] is None:
            progress.start()
        else:
            progress.update(state["task"], completed=progress.tasks[-1].total)
        state["task"] = progress.add_task(description, total=total or None)

    def done(_out) -> None:
        progress.advance(state["task"])

    try:
        result = run_sensitivity(opts, phase, done)
    finally:
        if state["task"] is not None:
            progress.stop()
    console.print(f"{result.points} points ({result.distinct} distinct models) in {result.seconds:.1f} s; the "
                  f"assumptions that matter most:", highlight=False)
    for k, (pid, score, flips) in enumerate(result.ranking[:5], 1):
        console.print(f"  {k}. {pid} (score {score:.2f}, flips {flips})", highlight=False, markup=False)
    console.print(f"outputs in [bold]{result.folder}[/]")


def register(app: typer.Typer) -> None:
    """Add the ``sensitivity`` command to ``app``."""
    app.command("sensitivity")(sensitivity)
