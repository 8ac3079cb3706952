"""Validation against published figures: run the validation study once, measure each figure's statistic from the
simulation, and compare it with what the source prints (`corridor-sim validate --against-published`,
tests/validation/).

One rule for every figure, time or cost, single value or range: the simulated central value (the mean over
replications of the median consignment, of the mean where the figure is a mean, or of the statistic) must lie
within the printed value or range widened by the figure's ``tolerance``, which follows from how precisely the
source prints it (half a unit of its last printed digit; a whole unit where it says "about", "around",
"nearly" or "approximately"), stated with its ``precision`` in scenarios/validation/published.yaml. The spread
(consignments' p05-p95, or the replications' min-max) is reported, never used to pass. Transit statistics are
censoring-aware: consignments still moving when the run ended are censored there (Kaplan-Meier) and their share
is reported. A figure the model misses stays in the table as a failure, with its cause (``status`` and
``cause``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .engine import RunResult, run
from .engine.eventlog import DropReason
from .errors import ScenarioError
from .experiment import Study, VariantPlan, prepare_study
from .ice import INDEPENDENT
from .model import LOADED, RIDE, TRIAL
from .replication import child_seed
from .results import summarise_replication
from .survival import km_quantile, km_restricted_mean

__all__ = ["VALIDATION_DIR", "Figure", "Estimate", "load_figures", "Measurements", "measure", "evaluate",
           "print_validation", "KINDS"]

VALIDATION_DIR = Path(__file__).resolve().parent.parent / "scenarios" / "validation"
KINDS = ("official", "independent", "operator", "press", "promotional")


@dataclass(frozen=True)
class Figure:
    """One published figure, how to measure it, and whether the model met it when the table was last updated."""

    id: str
    what: str
    measure: dict
    unit: str
    kind: str
    sources: list[dict]
    status: str  # pass | fail: the result recorded in the table (tests hold the passes)
    tolerance: float  # how far the central value may lie outside the printed figure: its printed precision
    precision: str  # why: how the source prints the figure
    value: float | None = None  # a single printed value
    low: float | None = None  # or a printed range
    high: float | None = None
    cause: str = ""  # why a failing figure fails

    @property
    def printed(self) -> str:
        """The figure as its source prints it."""
        return f"{self.value:g}" if self.value is not None else f"{self.low:g} - {self.high:g}"

    @property
    def bounds(self) -> tuple[float, float]:
        """The interval the central value must fall in: the printed figure widened by its tolerance."""
        lo, hi = (self.value, self.value) if self.value is not None else (self.low, self.high)
        return float(lo) - self.tolerance, float(hi) + self.tolerance  # type: ignore[arg-type]


@dataclass(frozen=True)
class Estimate:
    """A simulated statistic: its central value (judged against the figure) and its spread (reported only), with
    the share of consignments censored at the end of the run."""

    central: float
    low: float
    high: float
    censored: float = 0.0


def load_figures(path: Path = VALIDATION_DIR / "published.yaml") -> list[Figure]:
    """The table of published figures; ScenarioError names a bad entry."""
    from .yamlio import read_yaml

    data, _ = read_yaml(path)
    figures = []
    for i, raw in enumerate(data.get("figures", []) if isinstance(data, dict) else []):
        try:
            fig = Figure(**raw)
        except TypeError as exc:
            raise ScenarioError(f"{path}: figures.{i}: {exc}") from None
        point, span = fig.value is not None, fig.low is not None and fig.high is not None
        if point == span or fig.kind not in KINDS or fig.status not in ("pass", "fail"):
            raise ScenarioError(f"{path}: figure '{fig.id}': give either value or low and high; kind one of "
                                f"{', '.join(KINDS)}; status pass or fail")
        if not (isinstance(fig.tolerance, (int, float)) and fig.tolerance >= 0) or not str(fig.precision).strip():
            raise ScenarioError(f"{path}: figure '{fig.id}': give a tolerance >= 0 and the printed precision it "
                                f"follows from")
        figures.append(fig)
    return figures


@dataclass
class Measurements:
    """The validation study and every replication's result, per variant."""

    study: Study
    results: dict[str, list[RunResult]] = field(default_factory=dict)

    def plan(self, variant: str) -> VariantPlan:
        return next(p for p in self.study.variants if p.name == variant)


def measure(scenario: Path = VALIDATION_DIR / "validation.yaml", replications: int | None = None) -> Measurements:
    """Run the validation study once: every variant, ``replications`` each (default: the study's)."""
    study = prepare_study(scenario)
    reps = replications or study.file.base.replications
    seed = study.file.base.seed
    m = Measurements(study)
    for plan in study.variants:
        m.results[plan.name] = [run(plan.model, np.random.default_rng(child_seed(seed, r))) for r in range(reps)]
    return m


# ----- per-consignment measurements ----------------------------------------------------------------------------------
def _loads(m: Measurements, variant: str, route: str, direction: str) -> list[tuple[RunResult, np.ndarray]]:
    """Per replication: the result and the rows of loads booked after the warm-up on ``route`` in ``direction``."""
    plan = m.plan(variant)
    its = [i for i, r in enumerate(plan.info.itinerary_route_ids) if r == route
           and plan.info.itinerary_directions[i] == direction]
    if not its:
        raise ScenarioError(f"published.yaml: no itinerary of route '{route}' ({direction}) in variant '{variant}'")
    out = []
    for res in m.results[variant]:
        b = res.bookings
        out.append((res, np.flatnonzero((b.kind == LOADED) & (b.created_h >= plan.model.warmup_h)
                                        & np.isin(b.itinerary, its))))
    return out


def _arrival(m: Measurements, variant: str, res: RunResult, rows: np.ndarray, node: str) -> np.ndarray:
    """Hours at which each consignment's vehicle arrived at ``node`` (NaN if it did not get there)."""
    model = m.plan(variant).model
    out = np.full(len(rows), np.nan)
    for k, cid in enumerate(rows.tolist()):
        for s, st in enumerate(model.itineraries[res.bookings.itinerary[cid]].steps):
            if st.kind == RIDE and model.services[st.ref].destination == node:
                out[k] = res.step_end_h[cid, s]
                break
    return out


def _departure(m: Measurements, variant: str, res: RunResult, rows: np.ndarray, node: str) -> np.ndarray:
    """Hours at which each consignment left ``node`` on a vehicle (NaN if it did not)."""
    model = m.plan(variant).model
    out = np.full(len(rows), np.nan)
    for k, cid in enumerate(rows.tolist()):
        for s, st in enumerate(model.itineraries[res.bookings.itinerary[cid]].steps):
            if st.kind == RIDE and model.services[st.ref].origin == node:
                out[k] = res.event_log.step_mark[cid, s]
                break
    return out


def _spans(m: Measurements, spec: dict, start: str | None, end: str | None, unit_h: float) -> Estimate:
    """Time from ``start`` (arrival at a node, departure from the node ``spec['from_departure']``, or booking) to
    ``end`` (departure from or arrival at a node, or delivery), per consignment not dropped: the mean over
    replications of the Kaplan-Meier median (or restricted mean), and the pooled p05 and p95. A consignment that
    had not reached ``end`` when the run stopped is censored there, not left out; consignments that never reached
    ``start`` have no span."""
    variant = spec.get("variant", "base")
    centrals, pooled, seen_all = [], [], []
    for res, rows in _loads(m, variant, spec["route"], spec.get("direction", "forward")):
        rows = rows[res.dropped[rows] == DropReason.NONE]
        if spec.get("from_departure") is not None:  # from the vehicle's departure: running time, not the wait
            a = _departure(m, variant, res, rows, spec["from_departure"])
        else:
            a = res.bookings.created_h[rows] if start is None else _arrival(m, variant, res, rows, start)
        if end is None:
            b = res.delivered_h[rows]
        elif spec.get("stat") == "port_hours":
            b = _departure(m, variant, res, rows, end)
        else:
            b = _arrival(m, variant, res, rows, end)
        began = ~np.isnan(a)
        a, b = a[began], b[began]
        seen = ~np.isnan(b)
        d = np.where(seen, b - a, res.end_h - a) / unit_h
        if seen.any():
            w = np.ones(len(d))
            centrals.append(km_restricted_mean(d, seen, w) if spec.get("central") == "mean"
                            else km_quantile(d, seen, w, 0.5))
            pooled.append(d)
            seen_all.append(seen)
    return _pooled(centrals, pooled, seen_all)


def _pooled(centrals: list[float], pooled: list[np.ndarray], seen_all: list[np.ndarray]) -> Estimate:
    if not pooled:
        return Estimate(math.nan, math.nan, math.nan)
    allv, seen = np.concatenate(pooled), np.concatenate(seen_all)
    w = np.ones(len(allv))
    return Estimate(float(np.mean(centrals)), km_quantile(allv, seen, w, 0.05), km_quantile(allv, seen, w, 0.95),
                    float(1.0 - seen.mean()))


def _route_stat(m: Measurements, variant: str, route: str, direction: str, metric: str) -> list[float]:
    plan = m.plan(variant)
    key = route if direction == "forward" else f"{route}:reverse"
    job = plan.job
    return [summarise_replication(res, plan.model, job.itinerary_routes, job.rates)[key][metric]
            for res in m.results[variant]]


def _per_rep(values: list[float]) -> Estimate:
    v = np.asarray([x for x in values if not math.isnan(x)])
    if not len(v):
        return Estimate(math.nan, math.nan, math.nan)
    return Estimate(float(v.mean()), float(v.min()), float(v.max()))


def _ride_days(m: Measurements, spec: dict) -> Estimate:
    """Departure to arrival of one service direction, per consignment it carried (the first such ride); a ride
    still under way when the run stopped is censored there."""
    variant = spec.get("variant", "base")
    plan = m.plan(variant)
    index = _service_index(plan, spec)
    centrals, pooled, seen_all = [], [], []
    for res in m.results[variant]:
        kinds, refs = res.event_log.step_kind[res.bookings.itinerary], res.event_log.step_ref[res.bookings.itinerary]
        hit = (kinds == RIDE) & (refs == index)
        rows, cols = np.nonzero(hit)
        start, stop = res.event_log.step_mark[rows, cols], res.step_end_h[rows, cols]
        began = ~np.isnan(start)
        start, stop = start[began], stop[began]
        seen = ~np.isnan(stop)
        d = np.where(seen, stop - start, res.end_h - start) / 24.0
        if seen.any():
            centrals.append(km_quantile(d, seen, np.ones(len(d)), 0.5))
            pooled.append(d)
            seen_all.append(seen)
    return _pooled(centrals, pooled, seen_all)


def _service_index(plan: VariantPlan, spec: dict) -> int:
    try:
        return next(s.index for s in plan.model.services
                    if s.id == spec["service"] and s.direction == spec.get("direction", "forward"))
    except StopIteration:
        raise ScenarioError(f"published.yaml: service '{spec['service']}' is not in variant "
                            f"'{spec.get('variant', 'base')}'") from None


def _trial_days(m: Measurements, spec: dict) -> Estimate:
    """The trial run ``spec['trial']`` of the validation study (a dedicated consignment on a fixed date): from
    booking, or from its departure from ``spec['from_departure']``, to delivery, or to arrival at ``spec['to']``,
    per replication (mean, min-max); censored at the end of the run if it had not arrived."""
    variant = spec.get("variant", "base")
    plan = m.plan(variant)
    trial = next((t for t in plan.model.trials if t.name == spec["trial"]), None)
    if trial is None:
        raise ScenarioError(f"published.yaml: no trial '{spec['trial']}' in variant '{variant}' of the validation "
                            f"study")
    days, seen = [], []
    for res in m.results[variant]:
        b = res.bookings
        k = np.flatnonzero((b.kind == TRIAL) & (b.created_h == trial.created_h) & (b.itinerary == trial.itinerary))
        end = (res.delivered_h[k] if spec.get("to") is None
               else _arrival(m, variant, res, k, spec["to"]))
        begin = (trial.created_h if spec.get("from_departure") is None
                 else float(_departure(m, variant, res, k, spec["from_departure"])[0]))
        arrived = not math.isnan(float(end[0]))
        days.append(((float(end[0]) if arrived else res.end_h) - begin) / 24.0)
        seen.append(arrived)
    est = _per_rep(days)
    return Estimate(est.central, est.low, est.high, 1.0 - float(np.mean(seen)))


def _independent_window(m: Measurements, spec: dict) -> Estimate:
    """Days between the first and the last day of the first simulated year on which a ship of the service, leaving
    then, may sail every ice area on its path on its own (no escort, nothing closed) at nominal speeds, in the
    study's fixed ice year: the navigable window for ships of that ice class without icebreakers."""
    variant = spec.get("variant", "base")
    plan = m.plan(variant)
    svc = plan.model.services[_service_index(plan, spec)]
    ice = plan.model.ice
    if svc.ice_actions is None or ice is None or ice.fixed is None:
        raise ScenarioError(f"published.yaml: '{svc.id}' needs ice on its path and a fixed ice_year")
    days = svc.ice_actions.shape[2]
    ok = np.ones(days, dtype=bool)
    for area, offset_h, hours in svc.ice_route:
        bad = svc.ice_actions[area, ice.fixed] != INDEPENDENT
        before = np.concatenate([[0], np.cumsum(bad)])
        first = np.minimum(np.arange(days) + int(offset_h // 24), days - 1)
        last = np.minimum(first + int(np.ceil(hours / 24.0)), days - 1)
        ok &= (before[last + 1] - before[first]) == 0
    open_days = np.flatnonzero(ok[:365])
    span = float(open_days[-1] - open_days[0]) if len(open_days) > 1 else 0.0
    return Estimate(span, span, span)


def _departure_span(m: Measurements, spec: dict) -> Estimate:
    """Days between the first and the last loaded departure of a service within each simulated year's season
    (the first 365 days), per replication."""
    variant = spec.get("variant", "base")
    plan = m.plan(variant)
    index = _service_index(plan, spec)
    spans = []
    for res in m.results[variant]:
        dep = res.departures
        t = dep[(dep[:, 0] == index) & (dep[:, 2] > 0) & (dep[:, 1] < 365 * 24.0), 1]
        spans.append(float((t.max() - t.min()) / 24.0) if len(t) > 1 else 0.0)
    return _per_rep(spans)


def simulated(fig: Figure, m: Measurements) -> Estimate:
    """The statistic ``fig.measure`` asks for, from the simulation."""
    spec: dict[str, Any] = fig.measure
    stat = spec["stat"]
    variant, direction = spec.get("variant", "base"), spec.get("direction", "forward")
    if stat == "transit_days":
        return _spans(m, spec, spec.get("from"), spec.get("to"), 24.0)
    if stat == "port_hours":
        return _spans(m, spec, spec.get("from"), spec["at"], 1.0)
    if stat == "ride_days":
        return _ride_days(m, spec)
    if stat == "departure_span_days":
        return _departure_span(m, spec)
    if stat == "independent_window_days":
        return _independent_window(m, spec)
    if stat == "trial_days":
        return _trial_days(m, spec)
    if stat == "cost_usd_per_teu":
        return _per_rep(_route_stat(m, variant, spec["route"], direction, "transport_usd_per_teu"))
    if stat in ("delta_days", "cost_ratio"):
        metric = "transit_days_p50" if stat == "delta_days" else "transport_usd_per_teu"
        a = _route_stat(m, variant, spec["route"], direction, metric)
        b = _route_stat(m, spec.get("against_variant", variant), spec.get("against", spec["route"]), direction,
                        metric)
        pairs = [x - y if stat == "delta_days" else x / y for x, y in zip(a, b, strict=True)]
        return _per_rep(pairs)
    raise ScenarioError(f"published.yaml: figure '{fig.id}': unknown statistic '{stat}'")


def evaluate(m: Measurements, figures: list[Figure] | None = None) -> list[dict]:
    """One row per figure: what the source prints, the simulated value (and spread), pass or fail, the cause."""
    rows = []
    for fig in figures or load_figures():
        est = simulated(fig, m)
        lo, hi = fig.bounds
        ok = not math.isnan(est.central) and lo <= est.central <= hi
        rows.append({"id": fig.id, "what": fig.what, "unit": fig.unit, "printed": fig.printed,
                     "tolerance": fig.tolerance, "value": est.central, "spread": (est.low, est.high),
                     "censored": est.censored, "pass": ok, "recorded": fig.status, "kind": fig.kind,
                     "cause": fig.cause, "source": fig.sources[0]["title"]})
    return rows


def print_validation(scenario: Path | None, console) -> bool:
    """Run the validation and print the table and the pass/fail count; True when every figure recorded as
    passing still passes."""
    from rich.console import Console
    from rich.table import Table

    path = scenario or VALIDATION_DIR / "validation.yaml"
    with console.status(f"running the validation study {path.name} ..."):
        rows = evaluate(measure(path))
    table = Table(title="simulated against published figures", show_lines=False)
    for col in ("figure", "published (± precision)", "simulated (spread)", "", "kind", "source / cause of a failure"):
        table.add_column(col, overflow="fold")
    for r in rows:
        lo, hi = r["spread"]
        censored = f" [{r['censored']:.0%} censored]" if r["censored"] > 0.0005 else ""
        table.add_row(r["id"], f"{r['printed']} ± {r['tolerance']:g} {r['unit']}",
                      f"{r['value']:,.2f} ({lo:,.1f}-{hi:,.1f}){censored}",
                      "[green]pass[/]" if r["pass"] else "[red]FAIL[/]", r["kind"],
                      r["source"] if r["pass"] else (r["cause"] or r["source"]))
    Console(width=max(console.width, 200)).print(table)
    passed = sum(r["pass"] for r in rows)
    regressions = [r["id"] for r in rows if r["recorded"] == "pass" and not r["pass"]]
    console.print(f"{passed}/{len(rows)} published figures met; {len(rows) - passed} missed"
                  + (f"; regressions against the recorded table: {', '.join(regressions)}" if regressions else ""))
    return not regressions
