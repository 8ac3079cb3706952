"""Route choice iterated with the simulation until shippers' shares settle (capacity feedback).

Each iteration simulates every choosing variant with the current shares (the run's first
``iteration_replications`` replications, same seeds every iteration: common random numbers), measures each
route's generalized cost per commodity from the simulation (transport cost + value of time x (mean transit +
reliability ratio x (p95 - p50)) + route penalty), computes the logit (or path-size logit) shares those costs
imply for each commodity and booking month (a seasonal route's weight is the share of the month's days it can be
reached open, so it has no share out of season), and moves the shares part of the way there: 1/(w+1) with the
averaging weight w growing by 1.5 after an iteration whose gap did not fall and by 0.3 after one whose gap fell
(self-regulated averaging, Liu, He and He 2009, which damps oscillation around a saturated route faster than
plain successive averages' 1/(k+1)). A variant has converged when no flow's share of any route moved more than
the tolerance in the latest step; the final run uses the latest shares either way, and an unconverged variant is
reported as such.

Two numbers describe convergence: the change (what the tolerance is checked against) and the gap, the largest
difference between a flow's share of a route and the share its simulated costs imply. On a route running at
capacity the gap stays large even close to equilibrium, because its transit time jumps with a small change of
share; the change falls as the averaging settles.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .choice.logit import elasticities, logit_shares, msa_step, sra_weight
from .choice.observe import ChoiceObservation, combine
from .choice.setup import ChoicePlan, FlowChoice
from .executors import Executor, Task
from .experiment import Study
from .model import Flow
from .replication import Shares

__all__ = ["ChoiceOutcome", "CHOICE_COLUMNS", "ELASTICITY_COLUMNS", "solve", "respond"]

CHOICE_COLUMNS = ("variant", "iteration", "flow", "route", "direction", "share", "implied_share", "next_share",
                  "transport_usd_per_teu", "transit_days_mean", "spread_days", "generalized_cost_usd_per_teu",
                  "teu_observed", "gap", "change", "converged")
ELASTICITY_COLUMNS = ("variant", "flow", "route", "direction", "share", "cost_elasticity", "time_elasticity")


@dataclass
class ChoiceOutcome:
    """A variant's route choice: the shares its final run uses and how they were reached."""

    variant: str
    shares: Shares
    iterations: int = 0
    converged: bool = False
    gap: float = math.nan  # latest largest |share - implied share|
    change: float = math.nan  # latest largest share change (what the tolerance is checked against)
    tolerance: float = math.nan
    rows: list[dict] = field(default_factory=list)  # route_choice.csv: one row per iteration, flow and route
    elasticity_rows: list[dict] = field(default_factory=list)


def solve(study: Study, executor: Executor, seed: int, replications: int,
          on_iteration: Callable[[int, int], None] | None = None,
          on_done: Callable[[object], None] | None = None) -> dict[str, ChoiceOutcome]:
    """Iterate choice and simulation for every variant whose routes are chosen; ``replications`` caps the
    replications per iteration. ``on_iteration(k, tasks)`` is called as iteration k starts."""
    plans = {p.name: p.info.choice for p in study.variants if p.info.choice is not None}
    models = {p.name: p.model for p in study.variants}
    outcomes = {name: ChoiceOutcome(name, {fc.flow: _table(models[name].flows[fc.flow]) for fc in plan.flows},
                                    tolerance=plan.tolerance) for name, plan in plans.items()}
    active = [name for name in plans]
    weight = {name: 0.0 for name in plans}
    last_gap = {name: math.inf for name in plans}
    k = 0
    while active:
        k += 1
        tasks = [Task(name, r, seed, False, outcomes[name].shares, observe_only=True)
                 for name in active for r in range(min(replications, plans[name].iteration_replications))]
        if on_iteration:
            on_iteration(k, len(tasks))
        observed: dict[str, list[ChoiceObservation]] = {name: [] for name in active}
        for task, obs in zip(tasks, executor.map(tasks, on_done), strict=True):
            observed[task.variant].append(obs)
        still = []
        for name in active:
            out, plan = outcomes[name], plans[name]
            obs = combine(observed[name])
            targets, gap = _iterate(out, plan, obs, k)
            obs_closed = {fc.flow: obs.available[list(fc.itineraries)].T[None, :, :] == 0 for fc in plan.flows}
            rows = out.rows[-sum(len(fc.routes) for fc in plan.flows):]
            weight[name] = sra_weight(weight[name], gap, last_gap[name]) if k > 1 else 1.0
            last_gap[name] = gap
            change = 0.0
            for fc in plan.flows:
                before = _flow_share(fc, out.shares[fc.flow])
                out.shares[fc.flow] = _closed_out(msa_step(out.shares[fc.flow], targets[fc.flow], weight[name])[0],
                                                  obs_closed[fc.flow])
                after = _flow_share(fc, out.shares[fc.flow])
                change = max(change, float(np.max(np.abs(after - before))))
                for row, share in zip((r for r in rows if r["flow"] == fc.name), after, strict=True):
                    row["next_share"] = float(share)
            out.iterations, out.gap, out.change = k, gap, change
            out.converged = change <= plan.tolerance
            for row in rows:
                row.update(gap=gap, change=change, converged=out.converged)
            if out.converged or k >= plan.max_iterations:
                out.elasticity_rows = _elasticity_rows(name, plan, obs, out.shares)
                continue
            still.append(name)
        active = still
    return outcomes


def respond(plan: ChoicePlan, obs: ChoiceObservation, shares: Shares) -> dict[int, np.ndarray]:
    """One logit response without iterating: per flow (index), each route's share (weighted over commodities and
    months by TEU) that the costs observed with ``shares`` imply. Sensitivity analysis uses it to move shares
    away from a base equilibrium without solving the equilibrium again at every point."""
    return {fc.flow: _flow_share(fc, _implied(plan, fc, _costs(plan, fc, obs)[0], obs, shares[fc.flow]))
            for fc in plan.flows}


def _table(flow: Flow) -> np.ndarray:
    """A copy of a chosen flow's starting share table."""
    assert flow.share_table is not None  # the planner gives every chosen flow one
    return flow.share_table.copy()


def _iterate(out: ChoiceOutcome, plan: ChoicePlan, obs: ChoiceObservation,
             k: int) -> tuple[dict[int, np.ndarray], float]:
    """The shares the observed costs imply per flow, and the gap; appends this iteration's rows."""
    targets, gap = {}, 0.0
    for fc in plan.flows:
        current = out.shares[fc.flow]
        gc, transport, days, spread = _costs(plan, fc, obs)
        target = _implied(plan, fc, gc, obs, current)
        targets[fc.flow] = target
        now, implied = _flow_share(fc, current), _flow_share(fc, target)
        gap = max(gap, float(np.max(np.abs(implied - now))))
        mean_gc = np.einsum("c,ci->i", fc.weights.sum(axis=1), gc)
        for i, route in enumerate(fc.routes):
            it = fc.itineraries[i]
            out.rows.append({
                "variant": out.variant, "iteration": k, "flow": fc.name, "route": route, "direction": fc.direction,
                "share": float(now[i]), "implied_share": float(implied[i]), "transport_usd_per_teu": transport[i],
                "transit_days_mean": days[i], "spread_days": spread[i], "generalized_cost_usd_per_teu": mean_gc[i],
                "next_share": math.nan, "teu_observed": float(np.nan_to_num(obs.teu[it])), "gap": math.nan,
                "change": math.nan, "converged": False})
    return targets, gap


def _costs(plan: ChoicePlan, fc: FlowChoice, obs: ChoiceObservation):
    """Generalized cost per commodity and route (NaN for a route nobody was observed on), and its parts."""
    its = list(fc.itineraries)
    transport = obs.transport_usd_per_teu[its]
    days = obs.mean_days[its]
    spread = np.maximum(obs.p95_days[its] - obs.p50_days[its], 0.0)
    time_value = np.asarray([plan.value_usd_per_teu[c] * plan.time_value_per_day[c] for c in fc.commodities])
    gc = transport + fc.penalty_usd_per_teu + time_value[:, None] * (days + plan.reliability_ratio * spread)
    return gc, transport, days, spread


def _implied(plan: ChoicePlan, fc: FlowChoice, gc: np.ndarray, obs: ChoiceObservation,
             current: np.ndarray) -> np.ndarray:
    """Logit shares by commodity and month: a route's weight is its availability that month; where no route can
    be priced or reached the current shares stay."""
    avail = obs.available[list(fc.itineraries)]  # (routes, 12)
    out = current.copy()
    for c in range(gc.shape[0]):
        for m in range(12):
            a = avail[:, m]
            ok = (a > 0) & ~np.isnan(gc[c])
            if not ok.any():
                continue
            constants = np.log(np.where(ok, a, 1.0))
            out[c, m] = logit_shares(gc[c], plan.scale_per_usd, constants, ok, fc.path_size)
    return out


def _closed_out(table: np.ndarray, closed: np.ndarray) -> np.ndarray:
    """Shares with the routes that cannot be reached in a month (its seasonal service closed all that month)
    set to nothing and the rest scaled up: availability is a fact of the calendar, not a cost to average."""
    kept = np.where(closed, 0.0, table)
    total = kept.sum(axis=2, keepdims=True)
    return np.where(total > 0, kept / np.where(total > 0, total, 1.0), table)


def _flow_share(fc: FlowChoice, table: np.ndarray) -> np.ndarray:
    """The flow's share of each route: the table weighted by the flow's TEU per commodity and month."""
    return np.einsum("cm,cmi->i", fc.weights, table)


def _elasticity_rows(variant: str, plan: ChoicePlan, obs: ChoiceObservation, shares: Shares) -> list[dict]:
    """Per flow and route: the relative change of the route's share per relative rise of its own transport cost
    and of its own time cost (arc elasticity over a 10% rise), from the logit at the final simulated costs,
    weighted over commodities and months by TEU."""
    rows = []
    for fc in plan.flows:
        its = list(fc.itineraries)
        avail = obs.available[its]
        gc, transport, days, spread = _costs(plan, fc, obs)
        e_cost, e_time = np.zeros(len(its)), np.zeros(len(its))
        for c in range(gc.shape[0]):
            time_cost = gc[c] - transport - fc.penalty_usd_per_teu
            for m in range(12):
                a = avail[:, m]
                ok = (a > 0) & ~np.isnan(gc[c])
                w = fc.weights[c, m]
                if not ok.any() or w == 0:
                    continue
                constants = np.log(np.where(ok, a, 1.0)) - plan.scale_per_usd * fc.penalty_usd_per_teu
                e = elasticities(transport, time_cost, plan.scale_per_usd, constants, ok, fc.path_size)
                e_cost += w * np.nan_to_num(e["cost"])
                e_time += w * np.nan_to_num(e["time"])
        share = _flow_share(fc, shares[fc.flow])
        for i, route in enumerate(fc.routes):
            rows.append({"variant": variant, "flow": fc.name, "route": route, "direction": fc.direction,
                         "share": float(share[i]), "cost_elasticity": float(e_cost[i]),
                         "time_elasticity": float(e_time[i])})
    return rows
