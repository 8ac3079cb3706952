"""Section ``scaling``: time, events, cost per event and peak memory as the study grows, one fresh process per
point (so each peak is its own). Each process first runs one small warm-up replication, untimed.

- demand: the default scenario's base variant with its flows scaled to 10k / 100k / 1M TEU a year, one
  replication (engine only);
- replications: 1 / 10 / 100 replications of the base variant run serially as a worker runs them (engine and
  summaries; no shipment tables);
- length: the base variant over 1 / 2 / 4 years (``end_date`` moved), one replication (engine only).

Cost per event and cost per consignment step are the numbers to compare along a series: flat means linear
scaling. A consignment step is one facility visit or one ride ended (a vehicle's arrival ends the ride of every
consignment aboard, in one event), so at higher demand fuller vehicles carry more steps per event: cost per
event then rises while the work per step does not. (Points of the replications series run whole jobs, whose
steps are not counted.)
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from .common import DEFAULT, fresh, peak_rss_mb

__all__ = ["SERIES", "measure", "point", "show"]

SERIES = {"demand": [10_000, 100_000, 1_000_000], "replications": [1, 10, 100], "years": [1, 2, 4]}
QUICK = {"demand": [10_000, 100_000], "replications": [1, 5], "years": [1, 2]}


def _scenario_years(years: int, folder: Path) -> Path:
    """A copy of the default scenario whose study runs ``years`` years from its start date."""
    text = DEFAULT.read_text(encoding="utf-8")
    start = dt.date.fromisoformat(re.search(r"^start_date: (\S+)", text, re.M)[1])  # type: ignore[index]
    end = start.replace(year=start.year + years)
    path = folder / DEFAULT.name
    path.write_text(re.sub(r"^end_date: \S+", f"end_date: {end.isoformat()}", text, flags=re.M), encoding="utf-8")
    return path


def _scaled(model, teu_per_year: float):
    total = sum(f.teu_per_year for f in model.flows)
    return replace(model, flows=tuple(replace(f, teu_per_year=f.teu_per_year * teu_per_year / total)
                                      for f in model.flows))


def point(kind: str, value: str) -> dict:
    """One scaling point, measured in this (fresh) process."""
    from sim.engine import run
    from sim.experiment import prepare_study
    from sim.replication import run_job

    v = int(value)
    with tempfile.TemporaryDirectory() as tmp:
        plan = prepare_study(_scenario_years(v, Path(tmp)) if kind == "years" else DEFAULT).variants[0]
    run(_scaled(plan.model, 10_000), np.random.default_rng(99))  # warm-up
    t0 = time.perf_counter()
    if kind == "replications":
        events = sum(run_job(plan.job, r, 1, keep_shipments=False).events for r in range(v))
        teu = float("nan")
    else:
        model = _scaled(plan.model, v) if kind == "demand" else plan.model
        result = run(model, np.random.default_rng(1))
        events, teu = result.events_processed, float(result.bookings.teu.sum())
    seconds = time.perf_counter() - t0
    steps = {}
    if kind != "replications":
        n = int(np.isfinite(result.step_end_h).sum())
        steps = {"steps": n, "us_per_step": 1e6 * seconds / max(n, 1)}
    return {"series": kind, "value": v, "seconds": seconds, "events": events, "teu_booked": teu,
            "us_per_event": 1e6 * seconds / max(events, 1), **steps, **peak_rss_mb()}


def measure(quick: bool) -> dict:
    """Every point of every series, each in a fresh process."""
    sizes = QUICK if quick else SERIES
    return {"points": [fresh("scaling", kind, v) for kind, values in sizes.items() for v in values],
            "note": "one measurement per point (a fresh process each): compare cost per event along a series"}


def show(console, res: dict) -> None:
    """Print the section's table."""
    from rich.table import Table

    t = Table()
    for c in ("series", "value", "seconds", "events", "us/event", "steps", "us/step", "peak RSS MB"):
        t.add_column(c, justify="right")
    label = {"demand": "TEU/yr (1 replication)", "replications": "replications (serial)",
             "years": "study years (1 replication)"}
    for p in res["points"]:
        t.add_row(label[p["series"]], f"{p['value']:,}", f"{p['seconds']:.2f}", f"{p['events']:,}",
                  f"{p['us_per_event']:.2f}", f"{p.get('steps', 0):,}" if "steps" in p else "-",
                  f"{p['us_per_step']:.2f}" if "us_per_step" in p else "-", f"{p['main_peak_rss_mb']:.0f}")
    console.print(t)
