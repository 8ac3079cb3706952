"""Sections ``parallel`` and ``memory``: the real ``corridor-sim run`` path (``sim.runner.run_study``: route
choice, replications whose workers send back their shipment tables, parquet, CSV tables, report, and with plots
the maps and charts).

- parallel: serial against 2 worker processes, plots off and on, in interleaved rounds; the speed-up is
  serial / parallel within a round. Worker start-up is included (a real run pays it).
- memory: one run with 100 replications, 2 workers, plots on, in a fresh process: the main process's peak
  resident memory (it writes the parquet and draws the charts) and the largest worker's.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from .common import DEFAULT, fmt_ratio, fresh, interleaved, peak_rss_mb, ratio, spread

__all__ = ["measure_parallel", "measure_memory", "study_point", "show_parallel", "show_memory"]


def _run(replications: int, workers: int, plots: bool) -> tuple[float, int]:
    """Wall seconds and events of one ``run_study`` into a temporary folder."""
    from sim.runner import RunOptions, run_study

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        summary = run_study(RunOptions(DEFAULT, out=Path(tmp) / "run", replications=replications, seed=7,
                                       workers=workers, plots=plots))
        return time.perf_counter() - t0, summary.events


def measure_parallel(replications: int, rounds: int, warmup: int = 1) -> dict:
    """Interleaved rounds of serial and 2-worker runs, plots off and on."""
    events: list[int] = []

    def contender(workers: int, plots: bool):
        def go() -> float:
            seconds, n = _run(replications, workers, plots)
            events.append(n)
            return seconds
        return go

    times = interleaved({"serial": contender(1, False), "workers_2": contender(2, False),
                         "serial_plots": contender(1, True), "workers_2_plots": contender(2, True)}, rounds, warmup)
    return {"workload": f"corridor-sim run, default scenario (every variant, route choice), {replications} "
                        "replications, seed 7, shipments written",
            "replications": replications, "events_final_run": events[-1],
            "seconds": {k: spread(v) for k, v in times.items()},
            "speedup": {"plots_off": ratio(times["serial"], times["workers_2"]),
                        "plots_on": ratio(times["serial_plots"], times["workers_2_plots"])}}


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
    for c in ("run", "serial s", "2 workers s", "speed-up"):
        t.add_column(c, justify="right")
    s = res["seconds"]
    for label, a, b, k in (("plots off", "serial", "workers_2", "plots_off"),
                           ("plots on", "serial_plots", "workers_2_plots", "plots_on")):
        t.add_row(label, f"{s[a]['median']:.1f} ({s[a]['min']:.1f}-{s[a]['max']:.1f})",
                  f"{s[b]['median']:.1f} ({s[b]['min']:.1f}-{s[b]['max']:.1f})", fmt_ratio(res["speedup"][k]))
    console.print(t)


def show_memory(console, res: dict) -> None:
    """Print the section's line."""
    console.print(f"   {res['replications']} replications, 2 workers, plots on: {res['seconds']:.1f} s; peak RSS "
                  f"main process {res['main_peak_rss_mb']:,.0f} MB, largest worker "
                  f"{res['children_peak_rss_mb']:,.0f} MB")
