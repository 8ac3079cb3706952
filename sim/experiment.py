"""Variants x replications: seeds, executors (serial, local processes, Dask) and ordered delivery of results.

Each replication gets ``numpy.random.default_rng(SeedSequence(seed).spawn(n)[r])`` (made from its spawn key); every variant uses the
same child seed for replication ``r`` (common random numbers). Results are handed to the caller in
(variant, replication) order whichever executor ran them, so outputs are identical serial or parallel.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from .calibration import DEFAULT_CALIBRATION, Calibration, load_calibration
from .errors import ScenarioError
from .model import CompiledModel
from .network import DEFAULT_GEODATA, Network, load_network
from .plan import ModelInfo, compile_model
from .replication import ReplicationJob, ReplicationOutput, dask_task, init_worker, run_job, worker_task
from .results import RouteCosts
from .routes import RouteSpec, load_route_specs
from .scenario import Scenario, ScenarioFile, load_scenario

__all__ = ["VariantPlan", "Study", "prepare_study", "ReplicationOutput", "run_replication", "execute"]


@dataclass
class VariantPlan:
    """A compiled variant ready to run."""

    name: str
    scenario: Scenario
    model: CompiledModel
    info: ModelInfo
    rates: RouteCosts

    @property
    def job(self) -> ReplicationJob:
        """What a worker needs to run a replication of this variant."""
        return ReplicationJob(self.name, self.model, tuple(self.info.itinerary_routes), tuple(self.info.facility_ids),
                              self.rates)


@dataclass
class Study:
    """A scenario file with every variant compiled, and the network, routes and calibration it was compiled on
    (what the reports and maps draw from)."""

    file: ScenarioFile
    variants: list[VariantPlan]
    network: Network
    specs: dict[str, RouteSpec]
    calibration: Calibration
    geodata: Path


def prepare_study(path: Path | str, geodata: Path | None = None, calibration: Path | None = None) -> Study:
    """Load the network, routes, calibration and scenario; compile every variant (errors name the file)."""
    root = Path(geodata or DEFAULT_GEODATA)
    network = load_network(root)
    specs = load_route_specs(root / "routes.yaml", network)
    cal = load_calibration(calibration or DEFAULT_CALIBRATION)
    sfile = load_scenario(path)
    plans = []
    for name, sc in sfile.variants.items():
        where = f"{path}" + ("" if name == "base" else f" (variant '{name}')")
        model, info = compile_model(network, specs, cal, sc, where)
        merged_costs = {**cal.costs.model_dump(), **{k: v for k, v in sc.costs.items() if k != "sources"}}
        rates = RouteCosts(
            holding_rate_per_year=float(merged_costs["holding_rate_per_year"]),
            empty_reposition_usd_per_teu=float(merged_costs["empty_reposition_usd_per_teu"]),
            empty_reposition_co2_kg_per_teu=float(merged_costs["empty_reposition_co2_kg_per_teu"]),
            on_time_days=sc.on_time_days,
        )
        plans.append(VariantPlan(name, sc, model, info, rates))
    return Study(sfile, plans, network, specs, cal, root)


def run_replication(plan: VariantPlan, replication: int, seed: int, keep_shipments: bool = True) -> ReplicationOutput:
    """Run replication ``replication`` of ``plan`` with its child seed."""
    return run_job(plan.job, replication, seed, keep_shipments)


def execute(
    study: Study,
    replications: int,
    seed: int,
    workers: int = 1,
    scheduler: str | None = None,
    keep_shipments: bool = True,
    on_done: Callable[[ReplicationOutput], None] | None = None,
) -> Iterator[ReplicationOutput]:
    """Yield every (variant, replication) output in order. ``on_done`` is called as each finishes (in any order),
    e.g. to advance a progress bar. ``scheduler``: a Dask scheduler address, or 'local' for a LocalCluster."""
    tasks = [(p.name, r) for p in study.variants for r in range(replications)]
    order = {t: i for i, t in enumerate(tasks)}
    plans = {p.name: p for p in study.variants}
    if scheduler is None and workers <= 1:
        for name, r in tasks:
            out = run_replication(plans[name], r, seed, keep_shipments)
            if on_done:
                on_done(out)
            yield out
        return
    pending: dict[int, ReplicationOutput] = {}
    nxt = 0

    def collect(finished):
        """Hand outputs on in task order as they finish in any order."""
        nonlocal nxt
        for fut in finished:
            out = fut.result()
            if on_done:
                on_done(out)
            pending[order[(out.variant, out.replication)]] = out
            while nxt in pending:
                yield pending.pop(nxt)
                nxt += 1

    if scheduler is None:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=init_worker,
                                 initargs=([p.job for p in study.variants],)) as pool:
            finished = as_completed([pool.submit(worker_task, name, r, seed, keep_shipments) for name, r in tasks])
            # as_completed drops each future once handed on; holding the list would keep every result (and its
            # shipments table) alive until the end
            yield from collect(finished)
        return
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_as_completed
    except ImportError as exc:  # pragma: no cover - dask is a core dependency
        raise ScenarioError(f"--scheduler needs dask.distributed: {exc}") from None
    cluster = None
    try:
        if scheduler == "local":
            import dask

            # a Dask worker's statistical profiler samples its threads every 10 ms, which slowed replications by
            # about 17% here; the nannies hand this setting on to the worker processes
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout="10s")
    except OSError as exc:
        raise ScenarioError(f"cannot reach the Dask scheduler at '{scheduler}': {exc}") from None
    try:
        scattered = {name: client.scatter(plan.job, broadcast=True) for name, plan in plans.items()}
        finished = dask_as_completed([client.submit(dask_task, scattered[name], r, seed, keep_shipments,
                                                    pure=False) for name, r in tasks])
        yield from collect(finished)  # no list of futures kept: each result is released once handed on
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
