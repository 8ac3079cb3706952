"""Validation against published figures: run the validation study once, measure each figure's statistic from the
simulation, and compare it with what the source prints (`corridor-sim validate --against-published`,
tests/validation/).

A figure is a range as printed (the simulated central value must lie inside it) or a single value as printed,
e.g. one trial run (it must lie inside the spread of simulated consignments, p05 to p95). Ranges are never
widened: a figure the model misses stays in the table as a failure, with its cause (``status`` and ``cause`` in
scenarios/validation/published.yaml).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .engine import RunResult, run
from .errors import ScenarioError
from .experiment import Study, VariantPlan, prepare_study
from .model import LOADED, RIDE
from .replication import child_seed
from .results import summarise_replication

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
    value: float | None = None  # a single printed value
    low: float | None = None  # or a printed range
    high: float | None = None
    cause: str = ""  # why a failing figure fails

    @property
    def printed(self) -> str:
        """The figure as its source prints it."""
        return f"{self.value:g}" if self.value is not None else f"{self.low:g} - {self.high:g}"


@dataclass(frozen=True)
class Estimate:
    """A simulated statistic: its central value and the spread it is judged against for single printed values."""

    central: float
    low: float
    high: float


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
    """Time from ``start`` (arrival at a node, or booking) to ``end`` (departure from or arrival at a node, or
    delivery), per consignment: the mean over replications of the median, and the pooled p05 and p95."""
    variant = spec.get("variant", "base")
    medians, pooled = [], []
    for res, rows in _loads(m, variant, spec["route"], spec.get("direction", "forward")):
        a = res.bookings.created_h[rows] if start is None else _arrival(m, variant, res, rows, start)
        if end is None:
            b = res.delivered_h[rows]
        elif spec.get("stat") == "port_hours":
            b = _departure(m, variant, res, rows, end)
        else:
            b = _arrival(m, variant, res, rows, end)
        d = (b - a) / unit_h
        d = d[~np.isnan(d)]
        if len(d):
            medians.append(float(np.mean(d) if spec.get("central") == "mean" else np.median(d)))
            pooled.append(d)
    if not pooled:
        return Estimate(math.nan, math.nan, math.nan)
    allv = np.concatenate(pooled)
    return Estimate(float(np.mean(medians)), float(np.percentile(allv, 5)), float(np.percentile(allv, 95)))


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
    """Departure to arrival of one service direction, per consignment it carried (the first such ride)."""
    variant = spec.get("variant", "base")
    plan = m.plan(variant)
    index = next(s.index for s in plan.model.services
                 if s.id == spec["service"] and s.direction == spec.get("direction", "forward"))
    medians, pooled = [], []
    for res in m.results[variant]:
        kinds, refs = res.event_log.step_kind[res.bookings.itinerary], res.event_log.step_ref[res.bookings.itinerary]
        hit = (kinds == RIDE) & (refs == index)
        rows, cols = np.nonzero(hit)
        d = (res.step_end_h[rows, cols] - res.event_log.step_mark[rows, cols]) / 24.0
        d = d[~np.isnan(d)]
        if len(d):
            medians.append(float(np.median(d)))
            pooled.append(d)
    if not pooled:
        return Estimate(math.nan, math.nan, math.nan)
    allv = np.concatenate(pooled)
    return Estimate(float(np.mean(medians)), float(np.percentile(allv, 5)), float(np.percentile(allv, 95)))


def _departure_span(m: Measurements, spec: dict) -> Estimate:
    """Days between the first and the last loaded departure of a service within each simulated year's season
    (the first 365 days), per replication."""
    variant = spec.get("variant", "base")
    plan = m.plan(variant)
    index = next(s.index for s in plan.model.services
                 if s.id == spec["service"] and s.direction == spec.get("direction", "forward"))
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
        if fig.value is not None:
            ok = not math.isnan(est.low) and est.low <= fig.value <= est.high
        else:
            ok = not math.isnan(est.central) and fig.low <= est.central <= fig.high  # type: ignore[operator]
        rows.append({"id": fig.id, "what": fig.what, "unit": fig.unit, "printed": fig.printed, "value": est.central,
                     "spread": (est.low, est.high), "pass": ok, "recorded": fig.status, "kind": fig.kind,
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
    for col in ("figure", "published", "simulated (p05-p95)", "", "kind", "source / cause of a failure"):
        table.add_column(col, overflow="fold")
    for r in rows:
        lo, hi = r["spread"]
        table.add_row(r["id"], f"{r['printed']} {r['unit']}", f"{r['value']:,.2f} ({lo:,.1f}-{hi:,.1f})",
                      "[green]pass[/]" if r["pass"] else "[red]FAIL[/]", r["kind"],
                      r["source"] if r["pass"] else (r["cause"] or r["source"]))
    Console(width=max(console.width, 200)).print(table)
    passed = sum(r["pass"] for r in rows)
    regressions = [r["id"] for r in rows if r["recorded"] == "pass" and not r["pass"]]
    console.print(f"{passed}/{len(rows)} published figures met; {len(rows) - passed} missed"
                  + (f"; regressions against the recorded table: {', '.join(regressions)}" if regressions else ""))
    return not regressions
