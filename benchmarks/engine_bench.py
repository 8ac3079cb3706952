"""Section ``engine``: one replication of the default scenario against the floors of benchmarks/floors.py.

Contenders per round (interleaved, see common.py): the engine (``sim.engine.run``: event loop and post-run
collection; the event loop alone is timed inside it), what a worker does per replication (``run_job``: engine,
summaries and the shipments table), and the three floors with the engine's event count.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from .common import DEFAULT, fmt_ratio, interleaved, ratio, spread, timed
from .floors import callbacks_at_depth, heap_depth, processes_at_depth, timeout_loop

__all__ = ["measure", "show"]


class _LoopTimer:
    """Times ``Clock.run`` (SimPy's loop with every callback) inside a run, leaving the run itself unchanged."""

    def __init__(self) -> None:
        from sim.engine.clock import Clock

        self.cls = Clock
        self.original = Clock.run
        self.seconds = 0.0

    def __enter__(self) -> _LoopTimer:
        original = self.original

        def run(clock, until):
            t0 = time.perf_counter()
            try:
                return original(clock, until)
            finally:
                self.seconds = time.perf_counter() - t0

        self.cls.run = run  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: Any) -> None:
        self.cls.run = self.original  # type: ignore[method-assign]


def measure(rounds: int) -> dict:
    """Interleaved rounds of the engine, a worker's replication and the floors; ratios within each round."""
    from sim.engine import run
    from sim.experiment import prepare_study
    from sim.replication import run_job

    plan = prepare_study(DEFAULT).variants[0]
    model, job = plan.model, plan.job
    first = run(model, np.random.default_rng(0))
    events = first.events_processed
    depth = max(1, round(heap_depth(lambda: run(model, np.random.default_rng(0)))))
    loop: list[float] = []

    def engine() -> float:
        with _LoopTimer() as lt:
            seconds = timed(lambda: run(model, np.random.default_rng(0)))
        loop.append(lt.seconds)
        return seconds

    times = interleaved({
        "engine": engine,
        "replication": lambda: timed(lambda: run_job(job, 0, 0, True)),
        "timeout_loop": lambda: timed(lambda: timeout_loop(events)),
        "callbacks_at_depth": lambda: timed(lambda: callbacks_at_depth(events, depth)),
        "processes_at_depth": lambda: timed(lambda: processes_at_depth(events, depth)),
    }, rounds)
    loop = loop[-rounds:]
    eng = times["engine"]
    return {
        "workload": "default scenario, base variant, one replication (seed 0)",
        "events": events, "consignments": int(len(first.bookings.teu)), "teu": float(first.bookings.teu.sum()),
        "mean_heap_depth": depth,
        "seconds": {k: spread(v) for k, v in {**times, "event_loop": loop}.items()},
        "events_per_s": spread([events / s for s in eng]),
        "us_per_event": spread([1e6 * s / events for s in eng]),
        "ratio": {
            "engine_to_timeout_loop": ratio(eng, times["timeout_loop"]),
            "engine_to_callbacks_at_depth": ratio(eng, times["callbacks_at_depth"]),
            "event_loop_to_callbacks_at_depth": ratio(loop, times["callbacks_at_depth"]),
            "engine_to_processes_at_depth": ratio(eng, times["processes_at_depth"]),
            # setting up the state machines, drawing the bookings and the post-run collection
            "outside_loop_share": spread([(e - lo) / e for e, lo in zip(eng, loop, strict=True)]),
        },
    }


def show(console, res: dict) -> None:
    """Print the section's table."""
    from rich.table import Table

    s, r = res["seconds"], res["ratio"]
    console.print(f"   {res['events']:,} events, {res['consignments']:,} consignments, mean heap depth "
                  f"{res['mean_heap_depth']:,}; median seconds (min-max) over {s['engine']['n']} rounds")
    t = Table()
    for c in ("contender", "seconds", "engine / it"):
        t.add_column(c, justify="right")
    rows = [("engine (sim.engine.run: loop + collection)", "engine", None),
            ("  of which the event loop", "event_loop", None),
            ("worker replication (engine + summaries + shipments)", "replication", None),
            ("floor: SimPy timeout loop, same events", "timeout_loop", "engine_to_timeout_loop"),
            ("floor: slotted callbacks, same events and heap depth", "callbacks_at_depth",
             "engine_to_callbacks_at_depth"),
            ("SimPy processes, same events and heap depth", "processes_at_depth", "engine_to_processes_at_depth")]
    for label, key, rk in rows:
        v = s[key]
        t.add_row(label, f"{v['median']:.3f} ({v['min']:.3f}-{v['max']:.3f})", fmt_ratio(r[rk]) if rk else "")
    console.print(t)
    console.print(f"   event loop / slotted-callback floor: {fmt_ratio(r['event_loop_to_callbacks_at_depth'])}; "
                  f"set-up, bookings and post-run collection (outside the loop) are "
                  f"{100 * r['outside_loop_share']['median']:.0f}% of the engine's time")
