"""Run design points as experiments on the study's executor and read the decision outputs of each.

Every point is the base variant compiled with some assumptions moved; all points use the same seed and the same
replication indices (common random numbers), so a difference between two points is the assumptions' effect, not
noise. Points that compile to the same model (an assumption the study does not use) are simulated once.

With route choice on, the base equilibrium is solved once and every point is simulated with those shares held;
each point's route shares are then one logit response to the costs simulated at that point (``respond``): how
shippers would move if congestion stayed as at the base. Re-solving the equilibrium per point would multiply
the cost by the number of choice iterations.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..choice.observe import combine
from ..choice.setup import ChoicePlan
from ..costs import CostRates
from ..equilibrium import respond, solve
from ..executors import Executor, Task
from ..experiment import Study, VariantPlan, dask_client
from ..plan import compile_model
from ..replication import ReplicationJob, Shares
from ..results import Aggregator
from .parameters import Parameter, StudyInputs, apply_values, study_inputs

__all__ = ["OUTPUTS", "Point", "Outcome", "Evaluator"]

#: Decision outputs: name -> summary.csv column (the difference of a route against the baseline, paired by
#: replication), or None for the route share (only when route choice is on).
OUTPUTS: dict[str, str | None] = {
    "delta_days_p50": "delta_days_p50_vs_baseline",
    "delta_transport_usd_per_teu": "delta_transport_usd_per_teu_vs_baseline",
    "delta_generalized_usd_per_teu": "delta_generalized_usd_per_teu_vs_baseline",
    "share": None,
}

#: At most this many distinct models are handed to one pool of workers (each worker keeps every job it is given).
JOBS_PER_EXECUTOR = 300


@dataclass
class Point:
    """One design point: the values of the parameters moved off base (id -> value)."""

    index: int
    values: dict[str, float]
    parameter: str = ""  # one-at-a-time: the parameter moved ('' for the base point and joint samples)
    level: str = ""  # 'base', 'low', 'high' or 'sample'


def _values_key(point: Point) -> tuple:
    return tuple(sorted(point.values.items()))


#: (output, route, direction) -> value
Outcome = dict[tuple[str, str, str], float]


@dataclass
class _Compiled:
    job: ReplicationJob
    choice: ChoicePlan | None
    points: list[int] = field(default_factory=list)


class Evaluator:
    """Compiles and runs points of the study's base variant; ``outcome(point)`` after ``run``."""

    def __init__(self, study: Study, params: Sequence[Parameter], replications: int, seed: int,
                 workers: int = 1, scheduler: str | None = None, client=None) -> None:
        self.study = study
        self.params = list(params)
        self.replications = replications
        self.seed = seed
        self.workers, self.scheduler, self.client = workers, scheduler, client
        sc = study.variants[0].scenario
        self.inputs: StudyInputs = study_inputs(study.calibration, sc, str(study.file.path))
        model, info, rates, self.base_key = self._compile(None)
        self.base = VariantPlan("base", self.inputs.scenario, model, info, rates)
        self.shares: Shares | None = None  # the base equilibrium (route choice on)
        self.outcomes: dict[str, Outcome] = {}  # model key -> outcome
        self.keys: dict[tuple, str] = {}  # point values -> model key

    @property
    def chosen(self) -> bool:
        """Whether the study's routes are chosen (route shares are then an output)."""
        return self.base.info.choice is not None

    def _compile(self, values: dict[str, float] | None):
        inputs = apply_values(self.inputs, self.params, values)
        model, info = compile_model(self.study.network, self.study.specs, inputs.calibration, inputs.scenario,
                                    str(self.study.file.path))
        rates = CostRates(inputs.scenario.on_time_days, model.commodity_time_value_per_day)
        labels = (tuple(info.itinerary_routes), tuple(info.facility_ids))
        key = hashlib.sha256(pickle.dumps((model, rates, labels, info.choice), protocol=5)).hexdigest()[:20]
        return model, info, rates, key

    def compile(self, values: dict[str, float] | None) -> tuple[ReplicationJob, ChoicePlan | None, str]:
        """The job and choice plan of the base variant with ``values`` applied, and a key naming its content
        (equal keys: the same model, hence the same outputs)."""
        model, info, rates, key = self._compile(values)
        job = ReplicationJob(f"point-{key}", model, tuple(info.itinerary_routes), tuple(info.facility_ids), rates)
        return job, info.choice, key

    def run(self, points: Sequence[Point], on_phase: Callable[[str, int], None] | None = None,
            on_done: Callable[[object], None] | None = None) -> None:
        """Simulate every point not simulated yet (``on_phase(description, tasks)`` announces each phase,
        ``on_done`` is called per finished replication)."""
        todo: dict[str, _Compiled] = {}
        for p in points:
            if _values_key(p) in self.keys:
                continue
            job, choice, key = self.compile(p.values)
            self.keys[_values_key(p)] = key
            if key not in self.outcomes:
                todo.setdefault(key, _Compiled(job, choice)).points.append(p.index)
        with contextlib.ExitStack() as stack:
            client = self.client
            if client is None and self.scheduler:
                client = stack.enter_context(dask_client(self.scheduler, self.workers))
            if self.chosen and self.shares is None:
                self._solve_base(client, on_phase, on_done)
            keys = list(todo)
            for start in range(0, len(keys), JOBS_PER_EXECUTOR):
                chunk = {k: todo[k] for k in keys[start:start + JOBS_PER_EXECUTOR]}
                with Executor([c.job for c in chunk.values()], self.workers, self.scheduler, client) as ex:
                    self._run_chunk(ex, chunk, on_phase, on_done, start, len(keys))

    def _solve_base(self, client, on_phase, on_done) -> None:
        base = Study(self.study.file, [self.base], self.study.network, self.study.specs, self.study.calibration,
                     self.study.geodata)
        with Executor([self.base.job], self.workers, self.scheduler, client) as ex:
            def announce(k: int, tasks: int) -> None:
                if on_phase:
                    on_phase(f"base route choice, iteration {k}", tasks)

            # the equilibrium is solved as a run solves it (its iteration_replications), however few replications
            # each point gets: it is the reference every point is compared with
            choice = self.base.info.choice
            assert choice is not None
            reps = max(self.replications, choice.iteration_replications)
            outcome = solve(base, ex, self.seed, reps, announce, on_done)
        self.shares = outcome[self.base.name].shares

    def _run_chunk(self, ex: Executor, chunk: dict[str, _Compiled], on_phase, on_done, start: int,
                   total: int) -> None:
        tasks = [Task(c.job.variant, r, self.seed, False, self.shares, with_observation=self.chosen)
                 for c in chunk.values() for r in range(self.replications)]
        if on_phase:
            end = start + len(chunk)
            on_phase(f"points {start + 1}-{end} of {total} distinct", len(tasks))
        by_key: dict[str, list] = {k: [] for k in chunk}
        names = {c.job.variant: k for k, c in chunk.items()}
        for out in ex.map(tasks, on_done):
            by_key[names[out.variant]].append(out)
        for key, outs in by_key.items():
            self.outcomes[key] = self._outcome(outs, chunk[key].choice)

    def _outcome(self, outs: list, choice: ChoicePlan | None) -> Outcome:
        agg = Aggregator(baseline=self.base.scenario.baseline, route_km={})
        for out in outs:
            agg.add("base", out.routes, [])
        result: Outcome = {}
        for row in agg.summary_rows():
            if row["is_baseline"]:
                continue
            for name, column in OUTPUTS.items():
                if column is not None:
                    result[(name, row["route"], row["direction"])] = float(row[column])
        if choice is not None and self.shares is not None:
            shares = respond(choice, combine([o.observation for o in outs]), self.shares)
            seen: dict[tuple[str, str, str], list[float]] = {}
            for fc in choice.flows:  # flows choosing over the same route and direction: their mean share
                for route, share in zip(fc.routes, shares[fc.flow], strict=True):
                    seen.setdefault(("share", route, fc.direction), []).append(float(share))
            result.update({k: sum(v) / len(v) for k, v in seen.items()})
        return result

    def outcome(self, point: Point) -> Outcome:
        """The decision outputs of a point that has been run."""
        return self.outcomes[self.keys[_values_key(point)]]

    def key(self, point: Point) -> str:
        """The model key of a compiled point."""
        return self.keys[_values_key(point)]

    def matrix(self, points: Sequence[Point], targets: Sequence[tuple[str, str, str]]) -> np.ndarray:
        """(points, targets) array of outputs; NaN where a point has no value for a target."""
        return np.asarray([[self.outcome(p).get(t, math.nan) for t in targets] for p in points], dtype=float)
