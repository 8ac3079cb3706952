"""Route choice iterated with the simulation until shippers' shares settle (capacity feedback).

Each iteration simulates every choosing variant with the current shares (the run's first
``iteration_replications`` replications, same seeds every iteration: common random numbers), measures each
route's generalized cost per commodity from the simulation (transport cost + value of time x (mean transit +
reliability ratio x SD, the SD estimated as (p95 - p50) / 1.645) + route penalty), computes the logit (or
path-size logit) shares those costs imply for each commodity and booking month (a seasonal route open on a share
a of the month's days enters as a mixture: a x the shares with it + (1 - a) x the shares without it, so it has
no share out of season), and moves the shares part of the way there: 1/(w+1) with the
averaging weight w growing by 1.5 after an iteration whose gap did not fall and by 0.3 after one whose gap fell
(self-regulated averaging, Liu, He and He 2009, which damps oscillation around a saturated route faster than
plain successive averages' 1/(k+1)). A variant has converged when no flow's share of any route moved more than
the tolerance in the latest step AND every share lies within the tolerance of the mean of the shares its costs
implied over the last four iterations (small steps alone prove nothing: the averaging shrinks them whatever
happens); the final run uses the latest shares either way, and an unconverged variant is reported as such.

Three numbers describe convergence: the change, the averaged gap (both checked against the tolerance) and the
gap, the largest difference between a share and the share the latest costs imply. On a route running at
capacity the implied share can flip between iterations, because its transit time jumps with a small change of
share; the gap then stays large while the averaged gap can settle.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .choice.logit import elasticities, logit_shares, msa_step, sra_weight
from .choice.observe import ChoiceObservation, combine, fill_unobserved, free_flow
from .choice.setup import ChoicePlan, FlowChoice
from .executors import Executor, Task
from .experiment import Study
from .model import Flow
from .replication import Shares

__all__ = ["ChoiceOutcome", "CHOICE_COLUMNS", "ELASTICITY_COLUMNS", "solve", "respond", "available_mixture"]

Z95 = 1.6449  # standard normal 95th percentile: (p95 - p50) / Z95 estimates the standard deviation
AVERAGED_OVER = 4  # iterations whose implied shares are averaged for the convergence test

CHOICE_COLUMNS = ("variant", "iteration", "flow", "route", "direction", "share", "implied_share", "next_share",
                  "transport_usd_per_teu", "transit_days_mean", "sd_days", "generalized_cost_usd_per_teu",
                  "teu_observed", "gap", "averaged_gap", "change", "converged")
ELASTICITY_COLUMNS = ("variant", "flow", "route", "direction", "share", "cost_elasticity", "time_elasticity")


@dataclass
class ChoiceOutcome:
    """A variant's route choice: the shares its final run uses and how they were reached."""

    variant: str
    shares: Shares
    iterations: int = 0
    converged: bool = False
    gap: float = math.nan  # latest largest |share - implied share|
    averaged_gap: float = math.nan  # latest largest |share - mean implied share of the last AVERAGED_OVER iterations|
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
    for name, plan in plans.items():  # start from the shares the planned (free-flow) costs imply
        start = free_flow(models[name])
        for fc in plan.flows:
            table = outcomes[name].shares[fc.flow]
            outcomes[name].shares[fc.flow] = _implied(plan, fc, _costs(plan, fc, start)[0], start, table)
    active = [name for name in plans]
    weight = {name: 0.0 for name in plans}
    last_gap = {name: math.inf for name in plans}
    implied: dict[str, list[dict[int, np.ndarray]]] = {name: [] for name in plans}
    seen: dict[str, ChoiceObservation] = {}  # the latest priced observation per variant
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
            obs = fill_unobserved(combine(observed[name]), seen.get(name), models[name])
            seen[name] = obs
            targets, gap = _iterate(out, plan, obs, k)
            obs_closed = {fc.flow: obs.available[list(fc.itineraries)].T[None, :, :] == 0 for fc in plan.flows}
            rows = out.rows[-sum(len(fc.routes) for fc in plan.flows):]
            weight[name] = sra_weight(weight[name], gap, last_gap[name]) if k > 1 else 1.0
            last_gap[name] = gap
            implied[name].append({fc.flow: _flow_share(fc, targets[fc.flow]) for fc in plan.flows})
            recent = implied[name][-AVERAGED_OVER:]
            change = averaged = 0.0
            for fc in plan.flows:
                before = _flow_share(fc, out.shares[fc.flow])
                out.shares[fc.flow] = _closed_out(msa_step(out.shares[fc.flow], targets[fc.flow], weight[name])[0],
                                                  obs_closed[fc.flow])
                after = _flow_share(fc, out.shares[fc.flow])
                change = max(change, float(np.max(np.abs(after - before))))
                mean_implied = np.mean([r[fc.flow] for r in recent], axis=0)
                averaged = max(averaged, float(np.max(np.abs(after - mean_implied))))
                for row, share in zip((r for r in rows if r["flow"] == fc.name), after, strict=True):
                    row["next_share"] = float(share)
            out.iterations, out.gap, out.change, out.averaged_gap = k, gap, change, averaged
            # small steps alone are not an equilibrium (the averaging weight shrinks them whatever happens): the
            # shares must also match what the costs implied on average over the last iterations
            out.converged = (change <= plan.tolerance and averaged <= plan.tolerance
                             and len(recent) == min(AVERAGED_OVER, plan.max_iterations))
            for row in rows:
                row.update(gap=gap, averaged_gap=averaged, change=change, converged=out.converged)
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
                "transit_days_mean": days[i], "sd_days": spread[i], "generalized_cost_usd_per_teu": mean_gc[i],
                "next_share": math.nan, "teu_observed": float(np.nan_to_num(obs.teu[it])), "gap": math.nan,
                "averaged_gap": math.nan, "change": math.nan, "converged": False})
    return targets, gap


def _costs(plan: ChoicePlan, fc: FlowChoice, obs: ChoiceObservation):
    """Generalized cost per commodity and route (NaN for a route nobody was observed on), and its parts."""
    its = list(fc.itineraries)
    transport = obs.transport_usd_per_teu[its]
    days = obs.mean_days[its]
    # de Jong et al.'s reliability ratio values the standard deviation; (p95 - p50) / 1.645 estimates it
    spread = np.maximum(obs.p95_days[its] - obs.p50_days[its], 0.0) / Z95
    gc = np.empty((len(fc.commodities), len(its)))
    for k, c in enumerate(fc.commodities):  # each commodity meets the times of its own handling class
        mean, p50, p95 = obs.days_for(its, plan.commodity_class[c] if plan.commodity_class else 0)
        sd = np.maximum(p95 - p50, 0.0) / Z95
        time_value = plan.value_usd_per_teu[c] * plan.time_value_per_day[c]
        gc[k] = transport + fc.penalty_usd_per_teu + time_value * (mean + plan.reliability_ratio * sd)
    return gc, transport, days, spread


def _implied(plan: ChoicePlan, fc: FlowChoice, gc: np.ndarray, obs: ChoiceObservation,
             current: np.ndarray) -> np.ndarray:
    """Logit shares by commodity and month; a route reachable on part of a month's days enters as a mixture
    (the shares with it on the days it is open, without it on the others); where no route can be priced or
    reached the current shares stay."""
    avail = obs.available[list(fc.itineraries)]  # (routes, 12)
    out = current.copy()
    for c in range(gc.shape[0]):
        costs = gc[c]

        def shares_of(ok: np.ndarray, costs: np.ndarray = costs) -> np.ndarray:
            return logit_shares(costs, plan.scale_per_usd, None, ok, fc.path_size)

        may = fc.allowed_for(c)
        for m in range(12):
            mixed = available_mixture(np.where(may, avail[:, m], 0.0), ~np.isnan(costs), shares_of)
            if mixed is not None:
                out[c, m] = mixed
    return out


def available_mixture(available: np.ndarray, priced: np.ndarray,
                      shares_of: Callable[[np.ndarray], np.ndarray]) -> np.ndarray | None:
    """Expected shares when each route is open on a share ``available`` of the days, independently:
    sum over the open/closed combinations of the part-time routes of P(combination) x shares_of(open mask).
    None when no route is ever open and priced."""
    always = (available >= 1.0) & priced
    part = np.flatnonzero((available > 0) & (available < 1.0) & priced)
    if not always.any() and part.size == 0:
        return None
    total, weight = np.zeros(len(available)), 0.0
    for bits in range(1 << part.size):
        ok = always.copy()
        p = 1.0
        for j, r in enumerate(part):
            is_open = bool(bits >> j & 1)
            ok[r] = is_open
            p *= available[r] if is_open else 1.0 - available[r]
        if p == 0.0 or not ok.any():
            continue
        total += p * shares_of(ok)
        weight += p
    return total / weight if weight > 0 else None


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
    and of its own time cost (value of time x (mean days + reliability ratio x SD), arc elasticity over a 10%
    rise), from the logit at the final simulated costs with the other routes' costs held (a partial elasticity:
    no capacity feedback), averaged over commodities and months weighted by the TEU the route carries there
    (demand x share), so months the route is closed do not dilute it."""
    rows = []
    for fc in plan.flows:
        its = list(fc.itineraries)
        avail = obs.available[its]
        gc, transport, days, spread = _costs(plan, fc, obs)
        num_cost, num_time, den = np.zeros(len(its)), np.zeros(len(its)), np.zeros(len(its))
        table = shares[fc.flow]
        for c in range(gc.shape[0]):
            time_cost = gc[c] - transport - fc.penalty_usd_per_teu
            for m in range(12):
                a = np.where(fc.allowed_for(c), avail[:, m], 0.0)
                ok = (a > 0) & ~np.isnan(gc[c])
                w = fc.weights[c, m]
                if not ok.any() or w == 0:
                    continue
                constants = np.log(np.where(ok, a, 1.0)) - plan.scale_per_usd * fc.penalty_usd_per_teu
                e = elasticities(transport, time_cost, plan.scale_per_usd, constants, ok, fc.path_size)
                carried = w * table[c, m]
                num_cost += carried * np.nan_to_num(e["cost"])
                num_time += carried * np.nan_to_num(e["time"])
                den += np.where(ok, carried, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            e_cost, e_time = np.where(den > 0, num_cost / den, math.nan), np.where(den > 0, num_time / den, math.nan)
        share = _flow_share(fc, table)
        for i, route in enumerate(fc.routes):
            rows.append({"variant": variant, "flow": fc.name, "route": route, "direction": fc.direction,
                         "share": float(share[i]), "cost_elasticity": float(e_cost[i]),
                         "time_elasticity": float(e_time[i])})
    return rows
