"""Where replications run: in this process, on local worker processes or on a Dask cluster. An ``Executor`` is
opened once and reused for every batch of tasks (route-choice iterations, then the final run), so workers start
once and keep the compiled models they were given.

A replication is a pure function of (variant job, seed, replication index, shares): local workers end with their
parent, and on Dask every task (the job included) can be recomputed on another worker if one is lost. Results are
handed back in task order whichever executor ran them, so outputs are identical serial or parallel.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

from .errors import ScenarioError
from .replication import ReplicationJob, Shares, dask_job, dask_task, init_worker, observe_job, run_job, worker_task

__all__ = ["Task", "Executor", "dask_client", "SCHEDULER_TIMEOUT"]

#: How long to try reaching a Dask scheduler before giving up with one line.
SCHEDULER_TIMEOUT = "10s"


@dataclass(frozen=True)
class Task:
    """One replication to run: of which variant, with which seed; whether to keep its shipments table; the chosen
    route shares to use (None: the model's own); ``observe_only``: return only the route-choice observation;
    ``with_observation``: return the summaries and the observation of the same run."""

    variant: str
    replication: int
    seed: int
    keep_shipments: bool = True
    shares: Shares | None = None
    observe_only: bool = False
    with_observation: bool = False

    def args(self) -> tuple:
        return (self.replication, self.seed, self.keep_shipments, self.shares, self.observe_only,
                self.with_observation)

    def key(self, job_key: str) -> str:
        """A Dask key naming the task's inputs (a lost result is recomputed with the same value)."""
        shares = b"" if not self.shares else pickle.dumps(sorted(self.shares.items(), key=lambda kv: kv[0]))
        digest = hashlib.sha256(shares).hexdigest()[:12]
        return (f"corridor-rep-{job_key.removeprefix('corridor-job-')}-{self.seed}-{self.replication}-"
                f"{int(self.keep_shipments)}-{int(self.observe_only)}{int(self.with_observation)}-{digest}")


class Executor:
    """Runs tasks of the given jobs serially (``workers`` <= 1 and no scheduler), on a pool of local processes
    (started on first use, kept until ``close``) or on Dask (``scheduler`` an address or 'local'; ``client`` an
    open client to use instead)."""

    def __init__(self, jobs: Sequence[ReplicationJob], workers: int = 1, scheduler: str | None = None,
                 client: Any = None) -> None:
        self.jobs = {j.variant: j for j in jobs}
        self.workers = workers
        self.scheduler = scheduler
        self._client = client
        self._pool: ProcessPoolExecutor | None = None
        self._dask: contextlib.ExitStack | None = None
        self._job_futures: dict[str, Any] = {}

    @property
    def serial(self) -> bool:
        return self.scheduler is None and self._client is None and self.workers <= 1

    def local_pool(self) -> ProcessPoolExecutor | None:
        """The local worker processes, if this run started them, for output work once the replications are
        done (None when the run is serial or on Dask)."""
        return self._pool

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        self.close(failed=exc is not None)

    def close(self, failed: bool = False) -> None:
        """Stop the workers: wait for them after a clean run, end them now after a failure or interruption."""
        if self._pool is not None:
            if failed:
                _stop_pool(self._pool)
            else:
                self._pool.shutdown(wait=True)
            self._pool = None
        if self._dask is not None:
            self._dask.close()
            self._dask = None

    def map(self, tasks: Sequence[Task], on_done: Callable[[Any], None] | None = None) -> Iterator[Any]:
        """Yield each task's output in task order; ``on_done`` is called as each finishes (in any order), e.g. to
        advance a progress bar."""
        if self.serial:
            for t in tasks:
                job = self.jobs[t.variant]
                out = (observe_job(job, t.replication, t.seed, t.shares) if t.observe_only
                       else run_job(job, t.replication, t.seed, t.keep_shipments, t.shares, t.with_observation))
                if on_done:
                    on_done(out)
                yield out
            return
        try:
            if self.scheduler is None and self._client is None:
                yield from _in_order(self._submit_local(tasks), on_done)
            else:
                yield from _in_order(self._submit_dask(tasks), on_done)
        except BaseException:
            self.close(failed=True)
            raise

    def _submit_local(self, tasks: Sequence[Task]):
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("spawn"),
                                             initializer=init_worker, initargs=(list(self.jobs.values()), os.getpid()))
        futures = {self._pool.submit(worker_task, t.variant, *t.args()): k for k, t in enumerate(tasks)}
        # as_completed drops each future once handed on; holding the list would keep every result (and its
        # shipments table) alive until the end
        return ((futures.pop(f), f.result()) for f in as_completed(list(futures)))

    def _submit_dask(self, tasks: Sequence[Task]):
        from dask.distributed import as_completed as dask_as_completed

        client = self._dask_client()
        futures = {}
        for k, t in enumerate(tasks):
            job = self._job_future(client, t.variant)
            futures[client.submit(dask_task, job, *t.args(), key=t.key(job.key), pure=True)] = k
        return ((futures.pop(f), f.result()) for f in dask_as_completed(list(futures)))

    def _dask_client(self):
        if self._client is None:
            self._dask = contextlib.ExitStack()
            self._client = self._dask.enter_context(dask_client(self.scheduler or "local", self.workers))
        return self._client

    def _job_future(self, client, variant: str):
        """Each job is a task holding its data (not scattered data): if the worker keeping it is lost, the
        scheduler runs the task again elsewhere."""
        if variant not in self._job_futures:
            job = self.jobs[variant]
            self._job_futures[variant] = client.submit(dask_job, job, key=_job_key(job), pure=True)
        return self._job_futures[variant]


def _in_order(finished, on_done) -> Iterator[Any]:
    """Hand outputs on in task order as they finish in any order."""
    pending: dict[int, Any] = {}
    nxt = 0
    for k, out in finished:
        if on_done:
            on_done(out)
        pending[k] = out
        while nxt in pending:
            yield pending.pop(nxt)
            nxt += 1


def _job_key(job: ReplicationJob) -> str:
    """A key naming the job's content, so the cluster can rebuild it (or reuse it) wherever it is needed."""
    return f"corridor-job-{job.variant}-{hashlib.sha256(pickle.dumps(job, protocol=5)).hexdigest()[:20]}"


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the worker processes now (an interrupted or failed run)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    for proc in processes:
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
            proc.join(timeout=5)
    # A worker ended while sending a result leaves half a message in the result pipe, and the pool's manager thread
    # waits for the rest forever (and the interpreter joins that thread at exit). With every worker gone, closing
    # this process's own write end makes that read end with EOF, so the thread sees a broken pool and stops.
    queue = getattr(pool, "_result_queue", None)
    writer = getattr(queue, "_writer", None)
    if writer is not None:
        with contextlib.suppress(OSError):
            writer.close()
    manager = getattr(pool, "_executor_manager_thread", None)
    if manager is not None:
        manager.join(timeout=10)


@contextlib.contextmanager
def dask_client(scheduler: str, workers: int = 1):
    """A Dask client: on a LocalCluster of ``workers`` processes for 'local', else connected to the scheduler at
    that address. ScenarioError (one line) when it cannot be reached; the client (and cluster) close on exit."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - dask is a core dependency
        raise ScenarioError(f"--scheduler needs dask.distributed: {exc}") from None
    cluster = None
    try:
        if scheduler == "local":
            import dask

            # a Dask worker's statistical profiler samples its threads every 10 ms, which slowed replications by
            # about 17% here; the nannies hand this setting on to the worker processes
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                # the dashboard (on a free port, where bokeh is installed) lets a user watch the workers
                dashboard = ":0" if importlib.util.find_spec("bokeh") else None
                cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=dashboard)
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
    except (OSError, ValueError, TypeError) as exc:
        if cluster is not None:
            cluster.close()
        raise ScenarioError(f"--scheduler {scheduler}: cannot reach the Dask scheduler: {exc}") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
