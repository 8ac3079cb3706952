"""``corridor-sim run``: a study's replications with a progress bar per variant, the steps after them, and the
results table (or only the output folder with --quiet)."""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import TaskID

from ..limits import MAX_REPLICATIONS, MAX_SEED, MAX_WORKERS
from .app import CalibrationOption, GeodataOption, QuietOption, app, console, err_console, warn

__all__ = ["run", "one_line_warnings"]


@contextlib.contextmanager
def one_line_warnings() -> Iterator[None]:
    """Python warnings and Dask's log records become one ``warning:`` line each (no source lines, no stack); the
    previous handlers come back afterwards."""
    shown = warnings.showwarning
    seen: set[str] = set()

    def show(message, category, *_args, **_kwargs) -> None:
        text = f"{category.__name__}: {' '.join(str(message).split())}"
        if text not in seen:  # the same warning from every worker is said once
            seen.add(text)
            warn(text)

    class OneLine(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            show(record.getMessage(), type("dask", (), {}))

    loggers = [logging.getLogger(n) for n in ("distributed", "dask")]
    saved = [(lg.handlers[:], lg.level, lg.propagate) for lg in loggers]
    handler = OneLine(level=logging.WARNING)
    warnings.showwarning = show
    for lg in loggers:
        lg.handlers, lg.propagate = [handler], False
        lg.setLevel(logging.WARNING)
    try:
        yield
    finally:
        warnings.showwarning = shown
        for lg, (handlers, level, propagate) in zip(loggers, saved, strict=True):
            lg.handlers, lg.propagate = handlers, propagate
            lg.setLevel(level)


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
                                                  "LocalCluster (its dashboard link is printed)")] = None,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="draw maps, charts, the interactive map and "
                                        "report.html")] = True,
    sensitivity: Annotated[Path | None, typer.Option(help="a sensitivity run's folder (its indices.csv): the report "
                                                     "names the assumptions that move the answer most")] = None,
    choice_iterations: Annotated[int | None, typer.Option(
        min=1, max=100, help="at most this many route-choice iterations (a quick look; default: the scenario's "
        "max_iterations); the report says whether they converged")] = None,
    quiet: QuietOption = False,
    geodata: GeodataOption = None,
    calibration: CalibrationOption = None,
) -> None:
    """Run a study and write its run folder (report.html opens with the answer).

    Every variant x replication, then summary.csv, facilities.csv, shipments.parquet, manifest.json, report.md,
    map_layers.gpkg (and maps, charts, interactive_map.html, report.html) in one folder."""
    from ..errors import CorridorError
    from ..runner import RunOptions, run_study

    if sensitivity is not None and not (sensitivity / "indices.csv").is_file() and not sensitivity.is_file():
        raise CorridorError(f"--sensitivity {sensitivity}: no indices.csv there (give the folder a sensitivity run "
                            "wrote)")
    if workers == 0:
        workers = os.cpu_count() or 1
    opts = RunOptions(scenario=scenario, out=out, replications=replications, seed=seed, workers=workers,
                      scheduler=scheduler, plots=plots, geodata=geodata, calibration=calibration,
                      sensitivity=sensitivity, choice_iterations=choice_iterations)
    bars = _Bars(quiet)
    with one_line_warnings():
        try:
            summary = run_study(opts, bars.on_start, bars.on_done, on_warning=warn, on_phase=bars.phase,
                                on_note=None if quiet else _note)
        finally:
            bars.stop()
    if quiet:
        console.print(str(summary.folder), highlight=False, markup=False, soft_wrap=True)
        return
    from ..report.console import results_table

    table = results_table(summary.rows, f"results: {summary.folder}")
    Console(width=max(console.width, 160)).print(table)
    console.print(f"{summary.events:,} events in {summary.seconds:.1f} s; outputs in [bold]{summary.folder}[/] "
                  f"(open report.html)")


def _note(text: str) -> None:
    err_console.print(text, highlight=False, markup=False, soft_wrap=True)


class _Bars:
    """Progress on standard error: one bar per route-choice iteration, then one bar per variant counting its
    replications, then one line per step after the simulation (tables, maps, report)."""

    def __init__(self, quiet: bool) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.quiet = quiet
        self.progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), console=err_console,
                                 transient=False)
        self.started = False
        self.task: TaskID | None = None
        self.variants: dict[str, TaskID] = {}

    def _begin(self) -> None:
        if not self.started and not self.quiet:
            self.progress.start()
            self.started = True

    def _complete(self, tid: TaskID) -> None:
        total = next(t.total for t in self.progress.tasks if t.id == tid) or 1
        self.progress.update(tid, total=total, completed=total)

    def _finish_current(self) -> None:
        if self.task is not None:
            self._complete(self.task)

    def phase(self, description: str, total: int) -> None:
        """A route-choice iteration (``total`` tasks) or, with 0, a step after the simulation."""
        self._begin()
        self._finish_current()
        for tid in self.variants.values():
            self._complete(tid)
        self.variants = {}
        self.task = self.progress.add_task(description, total=total or None)

    def on_start(self, study, reps: int) -> None:
        self._begin()
        self._finish_current()
        self.task = None
        width = max(len(p.name) for p in study.variants)
        self.variants = {p.name: self.progress.add_task(f"{p.name:<{width}} replications", total=reps)
                         for p in study.variants}

    def on_done(self, out) -> None:
        variant = getattr(out, "variant", None)
        if self.variants and variant in self.variants:
            self.progress.advance(self.variants[variant])
        elif self.task is not None:
            self.progress.advance(self.task)

    def stop(self) -> None:
        if self.started:
            self._finish_current()
            self.progress.stop()
