"""One replication of one variant, wherever it runs: in this process, a local worker process or a Dask worker.

A worker receives a ``ReplicationJob`` (the compiled model and the few labels its summaries need) rather than
the whole variant plan, and this module imports only the engine and the result summaries, so a fresh worker
process starts in a fraction of a second instead of importing the scenario, routing and geometry stack.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .engine import run
from .model import CompiledModel
from .results import RouteCosts, shipments_table, summarise_replication

__all__ = ["ReplicationJob", "ReplicationOutput", "run_job", "replication_rng"]


@dataclass(frozen=True)
class ReplicationJob:
    """What a replication needs: the compiled model and the labels and rates of its summaries."""

    variant: str
    model: CompiledModel
    itinerary_routes: tuple[str, ...]
    facility_ids: tuple[str, ...]
    rates: RouteCosts


@dataclass
class ReplicationOutput:
    """What one replication sends back: small summaries, and the shipments table when asked for."""

    variant: str
    replication: int
    routes: dict[str, dict]
    facilities: list[dict]
    services: list[dict]
    shipments: pa.Table | None
    snapshots: dict | None  # facility busy/queue time series (replication 0 only)
    events: int
    seconds: float


def replication_rng(seed: int, replication: int) -> np.random.Generator:
    """The random generator of replication ``replication``: the child ``SeedSequence(seed).spawn(n)[replication]``
    for any n > replication, made directly from its spawn key (constant time, whatever the replication count)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replication,)))


def run_job(job: ReplicationJob, replication: int, seed: int, keep_shipments: bool = True) -> ReplicationOutput:
    """Run replication ``replication`` of ``job`` with its own generator (``replication_rng``)."""
    t0 = time.perf_counter()
    result = run(job.model, replication_rng(seed, replication))
    routes = summarise_replication(result, job.model, job.itinerary_routes, job.rates)
    snap = result.snapshots
    shipments = (shipments_table(result, job.model, job.itinerary_routes, job.variant, replication,
                                 job.rates.holding_rate_per_year) if keep_shipments else None)
    out = ReplicationOutput(job.variant, replication, routes, result.facility_stats, result.service_stats, shipments,
                            None, result.events_processed, 0.0)
    if replication == 0:
        out.snapshots = {"time_h": snap["time_h"], "busy": snap["busy"], "queue": snap["queue"],
                         "facilities": list(job.facility_ids)}
    del result, snap
    gc.collect(0)  # free this replication's engine objects now (they are all in the youngest generation)
    out.seconds = time.perf_counter() - t0
    return out


# ----- process-pool workers keep the jobs from their initializer ---------------------------------------------------
_WORKER_JOBS: dict[str, ReplicationJob] = {}


def init_worker(jobs: list[ReplicationJob]) -> None:
    """Process-pool initializer: keep every variant's job for the tasks to come."""
    _WORKER_JOBS.clear()
    _WORKER_JOBS.update({j.variant: j for j in jobs})


def worker_task(variant: str, replication: int, seed: int, keep: bool) -> ReplicationOutput:
    """Process-pool task: one replication of a job sent by ``init_worker``."""
    return run_job(_WORKER_JOBS[variant], replication, seed, keep)


def dask_task(job: ReplicationJob, replication: int, seed: int, keep: bool) -> ReplicationOutput:
    """Dask task: one replication of a (scattered) job."""
    return run_job(job, replication, seed, keep)
