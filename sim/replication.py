"""One replication of one variant, wherever it runs: in this process, a local worker process or a Dask worker.

A worker receives a ``ReplicationJob`` (the compiled model and the few labels its summaries need) rather than
the whole variant plan, and this module imports only the engine and the result summaries, so a fresh worker
process starts in a fraction of a second instead of importing the scenario, routing and geometry stack.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import signal
import threading
import time
from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa

from .chartdata import ChartPart, chart_part
from .choice.observe import ChoiceObservation, observe
from .costs import CostRates
from .engine import run
from .model import TRIAL, CompiledModel
from .results import summarise_replication
from .shipments import shipments_table

__all__ = ["ReplicationJob", "ReplicationOutput", "Shares", "run_job", "observe_job", "child_seed", "with_shares"]


@dataclass(frozen=True)
class ReplicationJob:
    """What a replication needs: the compiled model and the labels and rates of its summaries."""

    variant: str
    model: CompiledModel
    itinerary_routes: tuple[str, ...]
    facility_ids: tuple[str, ...]
    rates: CostRates
    step_width: int = 0  # step columns in the shipments table (the study's longest itinerary); 0: this model's
    start_date: dt.date | None = None  # the study's first day (booking months of the charts); None: no chart data


@dataclass
class ReplicationOutput:
    """What one replication sends back: small summaries, and with the shipments table the chart data."""

    variant: str
    replication: int
    routes: dict[str, dict]
    facilities: list[dict]
    services: list[dict]
    shipments: pa.Table | None
    snapshots: dict | None  # facility busy/queue time series (replication 0 only)
    events: int
    seconds: float
    trials: list[dict] = field(default_factory=list)  # one row per trial run
    observation: ChoiceObservation | None = None  # what route choice reads, when asked for (sensitivity points)
    charts: ChartPart | None = None  # what the charts and flow maps read, with the shipments table


#: Chosen route shares for one run: flow index -> share table (commodities, 12 months, itineraries).
Shares = dict[int, np.ndarray]


def with_shares(model: CompiledModel, shares: Shares | None) -> CompiledModel:
    """``model`` with the given flows' share tables replaced (the model itself when there are none)."""
    if not shares:
        return model
    flows = list(model.flows)
    for fi, table in shares.items():
        flows[fi] = replace(flows[fi], share_table=table)
    return replace(model, flows=tuple(flows))


def run_job(job: ReplicationJob, replication: int, seed: int, keep_shipments: bool = True,
            shares: Shares | None = None, with_observation: bool = False) -> ReplicationOutput:
    """Run replication ``replication`` of ``job`` with its own generator, from ``child_seed``; ``shares``
    replaces chosen flows' route shares; ``with_observation`` adds the route-choice observation of the same run."""
    t0 = time.perf_counter()
    model = with_shares(job.model, shares)
    result = run(model, np.random.default_rng(child_seed(seed, replication)))
    routes = summarise_replication(result, model, job.itinerary_routes, job.rates)
    snap = result.snapshots
    shipments = (shipments_table(result, model, job.itinerary_routes, job.variant, replication,
                                 job.rates, job.step_width) if keep_shipments else None)
    out = ReplicationOutput(job.variant, replication, routes, result.facility_stats, result.service_stats, shipments,
                            None, result.events_processed, 0.0, trial_rows(result, job, replication),
                            observe(result, model, job.rates) if with_observation else None,
                            chart_part(result, model, job.itinerary_routes, job.start_date)
                            if keep_shipments and job.start_date is not None else None)
    if replication == 0:
        out.snapshots = {"time_h": snap["time_h"], "busy": snap["busy"], "queue": snap["queue"],
                         "facilities": list(job.facility_ids)}
    del result, snap
    gc.collect(0)  # free this replication's engine objects now (they are all in the youngest generation)
    out.seconds = time.perf_counter() - t0
    return out


def trial_rows(result, job: ReplicationJob, replication: int) -> list[dict]:
    """Each trial run of the replication: its route, booking and arrival hours and transit days."""
    rows = []
    for k in np.flatnonzero(result.bookings.kind == TRIAL).tolist():
        created, delivered = float(result.bookings.created_h[k]), float(result.delivered_h[k])
        trial = next((t for t in job.model.trials if t.created_h == created), None)
        rows.append({"variant": job.variant, "replication": replication, "trial": trial.name if trial else "",
                     "route": job.itinerary_routes[int(result.bookings.itinerary[k])],
                     "teu": int(result.bookings.teu[k]),
                     "created_h": created, "delivered_h": delivered, "transit_days": (delivered - created) / 24.0})
    return rows


def observe_job(job: ReplicationJob, replication: int, seed: int, shares: Shares | None) -> ChoiceObservation:
    """Run replication ``replication`` with ``shares`` and return only what route choice reads (per itinerary
    transit, spread, transport cost and seasonal availability): a choice iteration's task."""
    model = with_shares(job.model, shares)
    result = run(model, np.random.default_rng(child_seed(seed, replication)))
    out = observe(result, model, job.rates)
    del result
    gc.collect(0)
    return out


def child_seed(seed: int, replication: int) -> np.random.SeedSequence:
    """The seed of replication ``replication``: equal to ``SeedSequence(seed).spawn(n)[replication]`` for any
    n > replication, built in constant time."""
    return np.random.SeedSequence(seed, spawn_key=(replication,))


# ----- process-pool workers keep the jobs from their initializer ---------------------------------------------------
_WORKER_JOBS: dict[str, ReplicationJob] = {}
PARENT_POLL_S = 0.5


def _exit_when_orphaned(parent: int) -> None:
    while True:
        time.sleep(PARENT_POLL_S)
        if os.getppid() != parent:
            os._exit(0)  # the run that started us is gone (killed): nobody will read our results


def init_worker(jobs: list[ReplicationJob], parent: int | None = None) -> None:
    """Process-pool initializer: keep every variant's job for the tasks to come; ignore Ctrl-C (the parent
    stops the workers itself, without a traceback from each) and exit when the parent process dies."""
    _WORKER_JOBS.clear()
    _WORKER_JOBS.update({j.variant: j for j in jobs})
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent is not None:
        if os.getppid() != parent:
            os._exit(0)
        threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True, name="orphan-watch").start()


def worker_task(variant: str, replication: int, seed: int, keep: bool, shares: Shares | None = None,
                observe_only: bool = False, with_observation: bool = False) -> ReplicationOutput | ChoiceObservation:
    """Process-pool task: one replication of a job sent by ``init_worker`` (or its choice observation)."""
    job = _WORKER_JOBS[variant]
    return (observe_job(job, replication, seed, shares) if observe_only
            else run_job(job, replication, seed, keep, shares, with_observation))


def dask_job(job: ReplicationJob) -> ReplicationJob:
    """Dask task holding a variant's job: its data travels in the task itself, so the scheduler can run it again
    on another worker if the one keeping the result is lost (scattered data could not be recovered)."""
    return job


def dask_task(job: ReplicationJob, replication: int, seed: int, keep: bool, shares: Shares | None = None,
              observe_only: bool = False, with_observation: bool = False) -> ReplicationOutput | ChoiceObservation:
    """Dask task: one replication of a job (the result of ``dask_job``), or its choice observation."""
    return (observe_job(job, replication, seed, shares) if observe_only
            else run_job(job, replication, seed, keep, shares, with_observation))
