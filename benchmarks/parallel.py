"""Sections ``parallel`` and ``memory``: the real ``corridor-sim run`` path (``sim.runner.run_study``: route
choice, replications whose workers send back their shipment tables, parquet, CSV tables, report, and with plots
the maps and charts).

- parallel: serial against 2 worker processes, plots on (what ``corridor-sim run`` does by default), in interleaved
  rounds; the speed-up is serial / parallel within a round. Worker start-up is included (a real run pays it).
  Beside it, a reference: engine-only 2-process scaling, ``CEILING_REPLICATIONS`` replications of the base
  variant (``sim.engine.run`` only: no summaries, transfers, files or pictures) on a pool of 1 and of 2 worker
  processes, each worker started and warmed with one replication before the clock starts. Two busy cores of a
  virtual machine share caches and memory bandwidth, so a replication runs slower when both are busy; this
  shows by how much for the engine's own work. It is not an upper bound for the run path, whose drawing and
  main-process work scale differently. (A plots-off pair is left out: at 20 replications a round of four runs
  takes five minutes; ``--quick`` still runs it.)
- memory: one run with 100 replications, 2 workers, plots on, in a fresh process: the main process's peak
  resident memory (it writes the parquet and draws the charts) and the largest worker's.
"""

from __future__ import annotations

import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from .common import DEFAULT, fmt_ratio, fresh, interleaved, peak_rss_mb, ratio, spread

__all__ = ["measure_parallel", "measure_memory", "study_point", "show_parallel", "show_memory", "CEILING_REPLICATIONS"]

CEILING_REPLICATIONS = 8  # engine replications per ceiling contender (4 per worker with 2 workers)
_PLAN: list = []  # in a ceiling worker: the default scenario's base variant, prepared once


def _ceiling_init() -> None:
    from sim.experiment import prepare_study

    _PLAN.append(prepare_study(DEFAULT).variants[0])


def _ceiling_warm(arg: tuple) -> int:
    """Warm this worker with one replication, then wait until every worker has (so each is warm before the
    clock starts, whichever took the warm-up tasks)."""
    barrier, k = arg
    _ceiling_replication(1000 + k)
    barrier.wait(timeout=600)
    return os.getpid()


def _ceiling_replication(k: int) -> int:
    import numpy as np

    from sim.engine import run

    return run(_PLAN[0].model, np.random.default_rng(k)).events_processed


def ceiling(workers: int, replications: int = CEILING_REPLICATIONS) -> float:
    """Seconds for ``replications`` engine replications on a warmed pool of ``workers`` processes."""
    context = get_context("spawn")
    with context.Manager() as manager, ProcessPoolExecutor(workers, mp_context=context,
                                                           initializer=_ceiling_init) as pool:
        barrier = manager.Barrier(workers)  # a task blocks until ``workers`` tasks run at once: one per worker
        pids = set(pool.map(_ceiling_warm, [(barrier, k) for k in range(workers)]))
        assert len(pids) == workers, "every worker must be warmed before timing"
        t0 = time.perf_counter()
        list(pool.map(_ceiling_replication, range(replications)))
        return time.perf_counter() - t0


def _run(replications: int, workers: int, plots: bool) -> tuple[float, int]:
    """Wall seconds and events of one ``run_study`` into a temporary folder."""
    from sim.runner import RunOptions, run_study

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        summary = run_study(RunOptions(DEFAULT, out=Path(tmp) / "run", replications=replications, seed=7,
                                       workers=workers, plots=plots))
        return time.perf_counter() - t0, summary.events


def measure_parallel(replications: int, rounds: int, warmup: int = 1, plots_off: bool = False) -> dict:
    """Interleaved rounds of serial and 2-worker runs with plots (and without, if ``plots_off``), and of the
    engine-only ceiling on 1 and 2 worker processes."""
    events: list[int] = []

    def contender(workers: int, plots: bool):
        def go() -> float:
            seconds, n = _run(replications, workers, plots)
            events.append(n)
            return seconds
        return go

    contenders = {"serial_plots": contender(1, True), "workers_2_plots": contender(2, True),
                  "ceiling_1": lambda: ceiling(1), "ceiling_2": lambda: ceiling(2)}
    if plots_off:
        contenders |= {"serial": contender(1, False), "workers_2": contender(2, False)}
    times = interleaved(contenders, rounds, warmup)
    speedup = {"plots_on": ratio(times["serial_plots"], times["workers_2_plots"]),
               "ceiling": ratio(times["ceiling_1"], times["ceiling_2"])}
    if plots_off:
        speedup["plots_off"] = ratio(times["serial"], times["workers_2"])
    return {"workload": f"corridor-sim run, default scenario (every variant, route choice), {replications} "
                        "replications, seed 7, shipments written; ceiling: "
                        f"{CEILING_REPLICATIONS} engine replications of the base variant on 1 and 2 processes",
            "replications": replications, "events_final_run": events[-1],
            "seconds": {k: spread(v) for k, v in times.items()}, "speedup": speedup}


def study_point(replications: str, workers: str) -> dict:
    """One run with plots, in this (fresh) process: wall time and peak memory."""
    seconds, events = _run(int(replications), int(workers), True)
    return {"replications": int(replications), "workers": int(workers), "seconds": seconds, "events": events,
            **peak_rss_mb()}


def measure_memory(replications: int) -> dict:
    """Peak memory of a run with ``replications`` on 2 workers, plots on, in a fresh process."""
    res = fresh("study", replications, 2)
    res["note"] = "one run in a fresh process; children = the largest worker process"
    return res


def show_parallel(console, res: dict) -> None:
    """Print the section's table."""
    from rich.table import Table

    t = Table()
    for c in ("run", "1 process s", "2 workers s", "speed-up"):
        t.add_column(c, justify="right")
    s = res["seconds"]
    for label, a, b, k in (("plots off", "serial", "workers_2", "plots_off"),
                           ("plots on", "serial_plots", "workers_2_plots", "plots_on"),
                           ("reference: engine-only scaling", "ceiling_1", "ceiling_2", "ceiling")):
        if k in res["speedup"]:
            t.add_row(label, f"{s[a]['median']:.1f} ({s[a]['min']:.1f}-{s[a]['max']:.1f})",
                      f"{s[b]['median']:.1f} ({s[b]['min']:.1f}-{s[b]['max']:.1f})", fmt_ratio(res["speedup"][k]))
    console.print(t)


def show_memory(console, res: dict) -> None:
    """Print the section's line."""
    console.print(f"   {res['replications']} replications, 2 workers, plots on: {res['seconds']:.1f} s; peak RSS "
                  f"main process {res['main_peak_rss_mb']:,.0f} MB, largest worker "
                  f"{res['children_peak_rss_mb']:,.0f} MB")
