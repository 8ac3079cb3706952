"""`corridor-sim run`: prepare the study, execute replications, stream results into an atomic run folder."""

from __future__ import annotations

import contextlib
import datetime as dt
import platform
import re
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from . import __version__
from .chartdata import ChartData
from .equilibrium import CHOICE_COLUMNS, ELASTICITY_COLUMNS, ChoiceOutcome, solve
from .errors import CorridorError
from .executors import Executor
from .experiment import ReplicationOutput, Study, dask_client, execute, prepare_study
from .limits import MAX_REPLICATIONS, MAX_SEED, MAX_WORKERS
from .outputs import atomic_folder, check_output_path, default_run_folder, write_csv, write_json
from .report.answer import build_answer
from .report.background import BackgroundDrawing
from .report.figures import start_figures
from .report.gis import write_layers
from .report.html import write_html
from .report.interactive import interactive_map_html
from .report.markdown import write_markdown
from .results import FACILITY_COLUMNS, SERVICE_COLUMNS, SUMMARY_COLUMNS, Aggregator

TRIAL_COLUMNS = ("variant", "replication", "trial", "route", "teu", "created_h", "delivered_h", "transit_days")

__all__ = ["RunOptions", "RunSummary", "run_study", "OUTPUT_ROOT", "check_options", "check_scheduler"]

OUTPUT_ROOT = Path("outputs")
PACKAGES = ("simpy", "numpy", "pandas", "pyarrow", "networkx", "shapely", "pyproj", "geopandas", "pydantic",
            "PyYAML", "matplotlib", "scipy", "dask", "distributed", "typer", "rich", "bokeh")


@dataclass
class RunOptions:
    """What the user asked for on the command line (None: take the scenario's value)."""

    scenario: Path
    out: Path | None = None
    replications: int | None = None
    seed: int | None = None
    workers: int = 1
    scheduler: str | None = None
    plots: bool = True
    geodata: Path | None = None
    calibration: Path | None = None
    sensitivity: Path | None = None  # a sensitivity run's folder (indices.csv): what the answer rests on
    choice_iterations: int | None = None  # at most this many route-choice iterations (None: the scenario's)


@dataclass
class RunSummary:
    """Where the run went and its headline table."""

    folder: Path
    rows: list[dict]
    facility_rows: list[dict]
    seconds: float
    events: int


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "corridor-sim": __version__}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


_ADDRESS = re.compile(r"^(?:(?:tcp|tls)://)?(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])"
                      r":(?P<port>\d{1,5})$")


def check_scheduler(scheduler: str | None) -> None:
    """``None``, ``local`` or a Dask scheduler address ``tcp://HOST:PORT`` (``tls://``, or no scheme)."""
    if scheduler is None or scheduler == "local":
        return
    m = _ADDRESS.match(scheduler)
    if not m or not 0 < int(m["port"]) < 65536:
        raise CorridorError(f"--scheduler '{scheduler[:100]}': expected 'local' or a Dask scheduler address "
                            "tcp://HOST:PORT (or tls://HOST:PORT), port 1-65535")


def check_options(opts: RunOptions) -> None:
    """Refuse impossible options before any work: one line naming the option and what is allowed."""
    if opts.replications is not None and not 1 <= opts.replications <= MAX_REPLICATIONS:
        raise CorridorError(f"--replications {opts.replications}: allowed: 1 to {MAX_REPLICATIONS:,}")
    if opts.seed is not None and not 0 <= opts.seed <= MAX_SEED:
        raise CorridorError(f"--seed {opts.seed}: allowed: 0 to {MAX_SEED}")
    if not 0 <= opts.workers <= MAX_WORKERS:
        raise CorridorError(f"--workers {opts.workers}: allowed: 0 (one per CPU core) to {MAX_WORKERS}")
    check_scheduler(opts.scheduler)
    if opts.out is not None:
        check_output_path(opts.out)
        if opts.out.exists() or opts.out.is_symlink():
            raise FileExistsError(f"output folder {opts.out} already exists; choose another --out")


def run_study(
    opts: RunOptions,
    on_start: Callable[[Study, int], None] | None = None,
    on_done: Callable[[object], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    on_phase: Callable[[str, int], None] | None = None,
    on_note: Callable[[str], None] | None = None,
) -> RunSummary:
    """Run the study described by ``opts``; write every output into one folder that appears only when complete.
    Every input is checked (options, scenario, network, calibration, output folder, and the land layer when plots
    are drawn) before the first replication runs. ``on_note`` hears the Dask dashboard's link.
    ``on_phase(description, tasks)`` announces each route-choice
    iteration (``on_done`` is then called per task of it) and, with 0 tasks, each step after the simulation (tables,
    maps, report); ``on_start`` announces the final replications."""
    t0 = time.perf_counter()
    started = dt.datetime.now(dt.UTC)
    check_options(opts)
    study = prepare_study(opts.scenario, opts.geodata, opts.calibration)
    if on_warning:
        for w in study.file.warnings:
            on_warning(w)
    t_compile = time.perf_counter() - t0
    base = study.file.base
    replications = opts.replications or base.replications
    seed = base.seed if opts.seed is None else opts.seed
    final = opts.out or default_run_folder(OUTPUT_ROOT, base.name)
    check_output_path(final)
    if final.exists():
        raise FileExistsError(f"output folder {final} already exists; choose another --out")
    if opts.plots:
        from .land import check_land

        check_land()
    with contextlib.ExitStack() as stack:
        # connect to the cluster before anything is written or shown: an unreachable scheduler is one line
        client = stack.enter_context(dask_client(opts.scheduler, opts.workers)) if opts.scheduler else None
        if client is not None and on_note:
            link = getattr(client, "dashboard_link", None) if client.scheduler_info().get("services") else None
            on_note(f"Dask cluster: {client.scheduler.address}" + (f"; dashboard: {link}" if link else
                                                                     " (no dashboard: it needs bokeh)"))
        executor = stack.enter_context(Executor([p.job for p in study.variants], opts.workers, opts.scheduler,
                                                client))
        choice = {}
        if opts.choice_iterations is not None:
            for p in study.variants:
                if p.info.choice is not None:
                    p.info.choice = replace(p.info.choice, max_iterations=min(opts.choice_iterations,
                                                                              p.info.choice.max_iterations))
        if any(p.info.choice is not None for p in study.variants):
            def announce(k: int, tasks: int) -> None:
                if on_phase:
                    on_phase(f"route choice, iteration {k}", tasks)

            choice = solve(study, executor, seed, replications, announce, on_done)
            if on_warning:
                for w in choice_warnings(choice):
                    on_warning(w)
        return _run(opts, study, replications, seed, final, executor, choice, t0, t_compile, started, on_start,
                    on_done, on_phase)


def _choice_manifest(o: ChoiceOutcome) -> dict:
    """How a variant's route choice ended, for manifest.json."""
    return {"iterations": o.iterations, "converged": o.converged, "change": round(o.change, 4),
            "gap": round(o.gap, 4), "averaged_gap": round(o.averaged_gap, 4), "tolerance": o.tolerance}


def choice_warnings(choice: dict[str, ChoiceOutcome]) -> list[str]:
    """One line per variant whose route choice did not converge."""
    return [f"route choice of variant '{name}' did not converge in {o.iterations} iterations: the latest step "
            f"moved a share by {o.change:.3f} and the shares differ from the averaged implied shares by "
            f"{o.averaged_gap:.3f} (tolerance {o.tolerance:g}); the run uses the latest shares"
            for name, o in choice.items() if not o.converged]


@dataclass
class _Collected:
    """What the main process keeps of the replications: summaries and chart data, none of it per shipment."""

    agg: Aggregator
    charts: ChartData
    trials: list[dict] = field(default_factory=list)
    timings: list[float] = field(default_factory=list)
    snapshots: dict = field(default_factory=dict)
    events: int = 0

    def add(self, out: ReplicationOutput) -> None:
        """Fold one replication's output in (its shipments table is the caller's)."""
        self.agg.add(out.variant, out.routes, out.facilities, out.services)
        self.trials.extend(out.trials)
        self.timings.append(out.seconds)
        self.events += out.events
        if out.snapshots is not None:
            self.snapshots[out.variant] = out.snapshots
        if out.charts is not None:
            self.charts.add(out.variant, out.charts)


def _stream(path: Path, outputs: Iterable[ReplicationOutput], got: _Collected) -> None:
    """Fold each output into ``got`` and append its shipments table to the parquet file at ``path`` as one row
    group, so no more than a replication's table is held at a time."""
    writer = None
    try:
        for out in outputs:
            got.add(out)
            assert out.shipments is not None  # asked for with keep_shipments=True
            if writer is None:
                # dictionary-encode only the string columns: trying it on the float columns doubles the cost
                # of writing, which this (main) process pays for every replication
                strings = [f.name for f in out.shipments.schema if pa.types.is_string(f.type)]
                writer = pq.ParquetWriter(path, out.shipments.schema, compression="zstd", use_dictionary=strings)
            writer.write_table(out.shipments)
    finally:
        if writer is not None:
            writer.close()


def _run(opts, study, replications, seed, final, executor, choice, t0, t_compile, started, on_start,
         on_done, on_phase) -> RunSummary:
    base = study.file.base
    t_choice = time.perf_counter() - t0 - t_compile
    if on_start:
        on_start(study, replications)
    route_km: dict[str, float] = {}
    for plan in study.variants:
        for key, route in plan.info.routes.items():
            route_km.setdefault(key, route.distance_km)
    got = _Collected(Aggregator(baseline=base.baseline, route_km=route_km), ChartData())
    # the route map needs no results: with the replications on worker processes, draw it meanwhile
    route_map = None
    if opts.plots and not executor.serial:
        from .report.background import route_map_drawing

        route_map = route_map_drawing(study)
    with atomic_folder(final) as tmp:
        shares = {name: o.shares for name, o in choice.items()}
        _stream(tmp / "shipments.parquet", execute(study, replications, seed, keep_shipments=True, on_done=on_done,
                                                   executor=executor, shares=shares), got)
        agg, trials, snapshots, timings, events = got.agg, got.trials, got.snapshots, got.timings, got.events
        t_run = time.perf_counter() - t0 - t_compile - t_choice
        rows = agg.summary_rows()
        facility_rows = agg.facility_rows()
        if on_phase:
            on_phase("writing tables and report", 0)
        write_csv(tmp / "summary.csv", rows, SUMMARY_COLUMNS)
        if trials:
            write_csv(tmp / "trials.csv", trials, TRIAL_COLUMNS)
        if choice:
            write_csv(tmp / "route_choice.csv", [r for o in choice.values() for r in o.rows], CHOICE_COLUMNS)
            write_csv(tmp / "route_choice_elasticities.csv", [r for o in choice.values() for r in o.elasticity_rows],
                      ELASTICITY_COLUMNS)
        write_csv(tmp / "facilities.csv", facility_rows, FACILITY_COLUMNS)
        service_rows = agg.service_rows()
        write_csv(tmp / "services.csv", service_rows, SERVICE_COLUMNS)
        _write_timeseries(tmp / "facility_timeseries.csv", snapshots)
        write_csv(tmp / "itineraries.csv",
                  [row for plan in study.variants for row in plan.info.itinerary_rows(plan.name)],
                  ("variant", "itinerary", "route", "direction", "distance_km", "steps"))
        (tmp / "scenario.yaml").write_text(study.file.text, encoding="utf-8")  # the text that was run
        _write_reports(tmp, opts, study, rows, facility_rows, service_rows, replications, seed, choice, on_phase,
                       got.charts, route_map, executor.local_pool())
        finished = dt.datetime.now(dt.UTC)
        kind = "dask" if opts.scheduler else ("processes" if opts.workers > 1 else "serial")
        write_json(tmp / "manifest.json", {
            "scenario": {"name": base.name, "file": str(opts.scenario), "sha256": study.file.hash},
            "variants": [p.name for p in study.variants],
            "seed": seed,
            "replications": replications,
            "executor": {"kind": kind, "workers": opts.workers, "scheduler": opts.scheduler},
            "versions": _versions(),
            "route_choice": {name: _choice_manifest(o) for name, o in choice.items()},
            "timings_s": {"compile": round(t_compile, 3), "route_choice": round(t_choice, 3),
                          "replications": round(t_run, 3),
                          "total": round(time.perf_counter() - t0, 3),
                          "per_replication_mean": round(sum(timings) / max(1, len(timings)), 3)},
            "events": events,
            "started_utc": started.isoformat(timespec="seconds"),
            "finished_utc": finished.isoformat(timespec="seconds"),
            "command": " ".join(sys.argv),
        })
    return RunSummary(final, rows, facility_rows, time.perf_counter() - t0, events)


def _write_reports(tmp: Path, opts: RunOptions, study: Study, rows: list[dict], facility_rows: list[dict],
                   service_rows: list[dict], replications: int, seed: int, choice: dict[str, ChoiceOutcome],
                   on_phase: Callable[[str, int], None] | None, charts: ChartData,
                   route_map: BackgroundDrawing | None = None, pool: ProcessPoolExecutor | None = None) -> None:
    """report.md and the GIS layers; with plots, the maps and charts (``route_map``: the route map being drawn
    already), the interactive map and report.html. With ``pool`` (the run's worker processes, idle now) the
    interactive map and the charts are made there while this process writes the other outputs and draws the maps."""
    answer = build_answer(study, rows, facility_rows, choice, replications, opts.sensitivity)
    interactive = (pool.submit(interactive_map_html, study, rows, facility_rows)
                   if opts.plots and pool is not None else None)  # the longest job first
    pending = (start_figures(tmp, study, rows, facility_rows, charts, choice, route_map is None, pool)
               if opts.plots else None)
    write_markdown(tmp, study, rows, facility_rows, service_rows, replications, seed, choice, answer)
    write_layers(tmp / "map_layers.gpkg", study, rows, facility_rows)
    if pending is not None:
        if on_phase:
            on_phase("drawing maps and charts", 0)
        images = pending.write(tmp, route_map.result() if route_map is not None else None)
        (tmp / "interactive_map.html").write_text(
            interactive.result() if interactive is not None else interactive_map_html(study, rows, facility_rows),
            encoding="utf-8")
        if on_phase:
            on_phase("writing report.html", 0)
        write_html(tmp, study, rows, facility_rows, images, choice, answer, "interactive_map.html")


def _write_timeseries(path: Path, snapshots: dict) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("variant,facility,time_h,busy,queue\n")
        for variant, snap in snapshots.items():
            for j, fid in enumerate(snap["facilities"]):
                busy, queue = snap["busy"][:, j], snap["queue"][:, j]
                for t, b, q in zip(snap["time_h"], busy, queue, strict=True):
                    fh.write(f"{variant},{fid},{t:g},{b},{q}\n")
